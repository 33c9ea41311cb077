import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { rows } from './client';
import { clusterStatements, type ClusterTopology } from './cluster-ddl';
import { migrations as allMigrations, type Migration } from './migrations';

export interface MigrateOptions {
  /**
   * Whether other processes may migrate the same database at once (collectors sharing a
   * ClickHouse server). Then one of them runs the migrations under a lock held in ClickHouse and
   * the others wait for it. The embedded engine belongs to one process, so it needs no lock.
   */
  shared?: boolean;
  /** How long a claim waits for concurrent claims to land before reading who won. */
  settleMs?: number;
  /** A claim older than this is dead (its collector stopped mid-migration); another may take over. */
  leaseMs?: number;
  /**
   * Work that must happen once after the migrations, by one collector (creating the first admin):
   * with `shared`, the collector that migrates runs it under the lock.
   */
  then?: () => Promise<void>;
  /** On a cluster, every statement runs in its cluster form (see cluster-ddl.ts). */
  cluster?: ClusterTopology | null;
}

export const lockStatements = [
  `CREATE TABLE IF NOT EXISTS schema_migrations (
    version UInt32, name String, applied_at DateTime64(3, 'UTC')
  ) ENGINE = ReplacingMergeTree ORDER BY version`,
  `CREATE TABLE IF NOT EXISTS schema_lock (
    owner String, claimed_at DateTime64(6, 'UTC'), released UInt8
  ) ENGINE = MergeTree ORDER BY claimed_at TTL toDateTime(claimed_at) + INTERVAL 1 DAY`,
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Brings the schema up to date: runs every migration newer than the last one recorded, once. */
export async function migrate(db: ClickHouseClient, migrations: Migration[] = allMigrations, options: MigrateOptions = {}): Promise<number[]> {
  const { shared = false, settleMs = 500, leaseMs = 10 * 60_000, then = async () => {}, cluster = null } = options;
  const form = (statement: string) => (cluster ? clusterStatements(statement, cluster) : [statement]);
  // Each is safe to run by several collectors at once.
  for (const statement of lockStatements.flatMap(form)) await db.command({ query: statement });
  const latest = Math.max(0, ...migrations.map((m) => m.version));
  if ((await currentVersion(db)) >= latest || !shared) {
    const applied = await apply(db, migrations, form);
    await then();
    return applied;
  }

  const owner = randomUUID();
  const claim = (released: 0 | 1) =>
    db.command({ query: `INSERT INTO schema_lock SELECT {owner:String}, now64(6), {released:UInt8}`, query_params: { owner, released } });
  for (;;) {
    // Claim times are the server's, so a later claim never sorts first; waiting `settleMs` lets
    // claims made at about the same moment land before anyone reads who holds the lock.
    await claim(0);
    await sleep(settleMs);
    if ((await lockHolder(db, leaseMs)) === owner) {
      // Renewed while migrating, so a long backfill does not lose the lock to a waiter.
      const renewal = setInterval(() => void claim(0).catch(() => {}), leaseMs / 4);
      try {
        const applied = await apply(db, migrations, form);
        await then();
        return applied;
      } finally {
        clearInterval(renewal);
        await claim(1);
      }
    }
    // Another collector migrates: wait until it is done, or until its claims have expired.
    for (;;) {
      if ((await currentVersion(db)) >= latest) return [];
      const holder = await lockHolder(db, leaseMs);
      if (holder === null || holder === owner) break;
      await sleep(250);
    }
  }
}

async function currentVersion(db: ClickHouseClient): Promise<number> {
  const [row] = await rows<{ v: number }>(db, 'SELECT max(version) AS v FROM schema_migrations');
  return Number(row?.v ?? 0);
}

/**
 * Who holds the lock: of the owners alive (not released, last claim within the lease), the one
 * whose first claim is oldest; null when none is alive.
 */
async function lockHolder(db: ClickHouseClient, leaseMs: number): Promise<string | null> {
  const [row] = await rows<{ owner: string }>(
    db,
    `SELECT owner FROM schema_lock GROUP BY owner
      HAVING max(released) = 0 AND max(claimed_at) > now64(6) - toIntervalMillisecond({leaseMs:UInt32})
      ORDER BY min(claimed_at), owner LIMIT 1`,
    { leaseMs },
  );
  return row?.owner ?? null;
}

async function apply(db: ClickHouseClient, migrations: Migration[], form: (statement: string) => string[]): Promise<number[]> {
  const current = await currentVersion(db);
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (migration.version <= current) continue;
    for (const statement of migration.statements.flatMap(form)) await db.command({ query: statement });
    await db.insert({
      table: 'schema_migrations',
      values: [{ version: migration.version, name: migration.name, applied_at: Date.now() }],
      format: 'JSONEachRow',
    });
    applied.push(migration.version);
  }
  return applied;
}

/** The whole schema in its cluster form, in the order the migrations create it (reviewed as docs/cluster-schema.sql). */
export function clusterSchema(cluster: ClusterTopology, migrations: Migration[] = allMigrations): string[] {
  return [...lockStatements, ...[...migrations].sort((a, b) => a.version - b.version).flatMap((m) => m.statements)].flatMap((statement) =>
    clusterStatements(statement, cluster),
  );
}
