// npm run backup -- DIR     a backup of the embedded engine (the collector running or stopped)
// npm run restore -- DIR    into a new DATA_DIR, the collector stopped
// See docs/backups.md. Reads the collector's environment (DATA_DIR, BACKUP_DIR, PORT, …).
import { isAbsolute, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { backupSignature } from './api/backup-route';
import { CliError, runCli } from './cli';
import { loadConfig } from './config';
import { Spool } from './pipeline/spool';
import { loadAppSecret } from './secret';
import { BackupError, backupTarget, restoreBackup, writeBackup } from './storage/backup';
import { openStorage } from './storage/client';

const usage = `Usage:
  npm run backup -- DIR    back up the embedded engine, its spool and app secret into DIR (new or empty)
  npm run restore -- DIR   restore a backup into DATA_DIR, which must be new; the collector stopped
While the collector runs, DIR must lie inside BACKUP_DIR (default DATA_DIR/backups): the running
collector takes the backup itself, without stopping ingest.`;

const describe = (m: { segments: string[]; spooledRows: number }, dir: string, seconds: number) =>
  `${dir}: the database, ${m.segments.length} spool segment(s) with ${m.spooledRows} event(s) not yet inserted, and the app secret, in ${seconds.toFixed(1)} s`;

async function backup(dir: string): Promise<string> {
  const config = loadConfig();
  if (config.clickhouse) throw new CliError("CLICKHOUSE_URL is set: back up the server with ClickHouse's own BACKUP (docs/backups.md)");
  const target = isAbsolute(dir) ? dir : resolve(dir);
  const started = performance.now();
  const db = await openStorage({ ...config, backupDir: target }).catch(() => null);
  if (db) {
    // Stopped: every segment left in the spool is pending.
    try {
      const spool = new Spool(config.dataDir, { maxBytes: config.spoolMaxBytes, fsyncMs: config.spoolFsyncMs });
      const manifest = await writeBackup(db, { dir: target, dataDir: config.dataDir, segments: spool.sealed });
      return `Backed up ${describe(manifest, target, (performance.now() - started) / 1000)}.`;
    } finally {
      await db.close();
    }
  }
  // Running: the collector takes it, between batch inserts, while beacons keep being acknowledged.
  let name: string;
  try {
    name = relative(config.backupDir, backupTarget(config.backupDir, target));
  } catch (error) {
    throw new CliError(`The collector is running on ${config.dataDir}, so it takes the backup: ${(error as Error).message}`);
  }
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const appSecret = loadAppSecret(config.appSecret, config.dataDir);
  const response = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${config.port}/api/admin/backups`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-backup-signature': backupSignature(appSecret, name) },
    body: JSON.stringify({ name }),
  }).catch((error: unknown) => {
    throw new CliError(`The data directory is in use, but no collector answers on port ${config.port}: ${(error as Error).message}`);
  });
  const answer = (await response.json()) as { dir: string; segments: string[]; spooledRows: number; seconds: number; error?: { message: string } };
  if (response.status !== 200) throw new CliError(`The collector refused: ${answer.error?.message ?? response.status}`);
  return `Backed up (by the running collector) ${describe(answer, answer.dir, answer.seconds)}.`;
}

async function restore(dir: string): Promise<string> {
  const config = loadConfig();
  if (config.clickhouse) throw new CliError("CLICKHOUSE_URL is set: restore the server with ClickHouse's own RESTORE (docs/backups.md)");
  const source = resolve(dir);
  const db = await openStorage({ ...config, backupDir: source }).catch((error: unknown) => {
    throw new CliError(`Could not open ${config.dataDir}: ${(error as Error).message}\nIs the collector running? Stop it first.`);
  });
  try {
    const manifest = await restoreBackup(db, { dir: source, dataDir: config.dataDir });
    return `Restored the backup of ${manifest.createdAt} into ${config.dataDir}; ${manifest.spooledRows} spooled event(s) are inserted at the next start (npm start).`;
  } finally {
    await db.close();
  }
}

async function main(): Promise<string> {
  const { positionals } = parseArgs({ allowPositionals: true });
  const [command, dir] = positionals;
  if ((command !== 'backup' && command !== 'restore') || !dir || positionals.length !== 2) throw new CliError(usage);
  return command === 'backup' ? backup(dir) : restore(dir);
}

runCli(main, [BackupError]);
