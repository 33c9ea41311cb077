import type { ClickHouseClient } from '@clickhouse/client';
import { buildCollector, type AppDeps, type Collector } from './app';
import type { Config } from './config';
import { Passwords } from './auth/passwords';
import { Users } from './auth/users';
import { loadAppSecret } from './secret';
import { migrate } from './storage/migrate';
import { openStorage } from './storage/client';
import { lowerEnginePriority } from './storage/engine-priority';
import { VisitRollups } from './storage/visit-rollups';

export interface RunningCollector extends Collector {
  db: ClickHouseClient;
  /** The job rolling up past days' exit pages (started when VISIT_ROLLUP_INTERVAL_MS > 0). */
  visitRollups: VisitRollups;
  /** The base URL it listens on, e.g. http://127.0.0.1:3000 */
  url: string;
  /** Stops accepting, finishes in-flight requests, inserts what is queued, closes the database. */
  stop(): Promise<void>;
}

/** Opens and migrates storage, creates the first admin, and listens. */
export async function startCollector(
  config: Readonly<Config>,
  trackerScript: Buffer,
  options: Pick<AppDeps, 'insert' | 'passwordCost' | 'hashingCapacity' | 'dashboardDir' | 'checkResponses' | 'trackerExtras' | 'freeSpace'> & {
    listen?: boolean;
  } = {},
): Promise<RunningCollector> {
  const db = await openStorage(config);
  // The embedded engine shares this process's cores with the event loop; a server has its own.
  const stopPriorityWatch = config.clickhouse ? () => {} : lowerEnginePriority(config.engineNice);
  try {
    // The first admin is created by one collector, even when several start on one server at once.
    let admin: { generatedPassword?: string } = {};
    const users = new Users(db, new Passwords(options.passwordCost));
    await migrate(db, undefined, {
      shared: config.clickhouse !== null,
      cluster: config.clickhouse?.cluster ?? null,
      then: async () => void (admin = await users.ensureFirstAdmin(config.adminPassword)),
    });
    const appSecret = loadAppSecret(config.appSecret, config.dataDir);
    const collector = buildCollector({ config, db, appSecret, trackerScript, ...options });
    if (admin.generatedPassword) {
      // Printed once, at the first start only; the hash is all that is kept.
      process.stdout.write(`\nCreated the first user: admin / ${admin.generatedPassword}\nThis password is shown only now.\n\n`);
    }
    // A worker does not listen: the primary hands it connections (see workers.ts).
    if (options.listen === false) await collector.app.ready();
    else await collector.app.listen({ port: config.port, host: config.host });
    const address = collector.app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const visitRollups = new VisitRollups(db, { cluster: config.clickhouse?.cluster ?? null });
    if (config.visitRollupIntervalMs > 0) {
      visitRollups.start(config.visitRollupIntervalMs, (error) => collector.app.log.error({ err: error }, 'visit rollups failed; retrying at the next run'));
    }
    if (config.retentionIntervalMs > 0) {
      collector.retention.start(config.retentionIntervalMs, (error) => collector.app.log.error({ err: error }, 'retention failed; retrying at the next run'));
    }
    let stopping: Promise<void> | null = null;
    const stop = () =>
      (stopping ??= (async () => {
        await Promise.all([visitRollups.stop(), collector.retention.stop(), collector.app.close()]);
        stopPriorityWatch();
        await db.close();
      })());
    return { ...collector, db, visitRollups, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, stop };
  } catch (error) {
    stopPriorityWatch();
    await db.close();
    throw error;
  }
}
