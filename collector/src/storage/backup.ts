import type { ClickHouseClient } from '@clickhouse/client';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { stringLiteral } from '../import/umami-source';

// Backups of the embedded engine: ClickHouse's own BACKUP of the database (a consistent snapshot
// of every table, taken while no batch is being inserted), beside the spool segments not yet
// inserted at that moment and the app secret. Every event acknowledged before the backup began
// is in one or the other, and in only one: restored, the segments are inserted at the next start.

export interface BackupManifest {
  format: 1;
  createdAt: string;
  /** Spool segment files copied (acknowledged events not yet in ClickHouse), and their rows. */
  segments: string[];
  spooledRows: number;
}

export class BackupError extends Error {}

/** The directory, checked to lie inside the backup directory ClickHouse allows (BACKUP_DIR). */
export function backupTarget(backupDir: string, dir: string): string {
  const target = resolve(backupDir, dir);
  const inside = relative(resolve(backupDir), target);
  if (inside === '' || inside.startsWith('..') || resolve(inside) === inside)
    throw new BackupError(`${target} is not inside BACKUP_DIR (${backupDir}): choose a directory there, or set BACKUP_DIR`);
  return target;
}

/**
 * Writes a backup into `dir` (which must not exist or be empty): the database by ClickHouse's
 * BACKUP, the given spool segment files, and the app secret. The caller holds batch inserts
 * (SpoolWriter.exclusive) and names the segments sealed at that moment.
 */
export async function writeBackup(
  db: ClickHouseClient,
  { dir, dataDir, segments }: { dir: string; dataDir: string; segments: readonly { path: string; count: number }[] },
): Promise<BackupManifest> {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new BackupError(`${dir} is not empty: a backup goes into a new directory`);
  mkdirSync(join(dir, 'spool'), { recursive: true });
  await db.command({ query: `BACKUP DATABASE default TO File(${stringLiteral(join(dir, 'clickhouse'))})` });
  const names: string[] = [];
  for (const segment of segments) {
    const name = segment.path.split('/').at(-1)!;
    copyFileSync(segment.path, join(dir, 'spool', name));
    names.push(name);
  }
  copyFileSync(join(dataDir, 'spool', 'id'), join(dir, 'spool', 'id'));
  if (existsSync(join(dataDir, 'app-secret'))) copyFileSync(join(dataDir, 'app-secret'), join(dir, 'app-secret'));
  const manifest: BackupManifest = {
    format: 1,
    createdAt: new Date().toISOString(),
    segments: names,
    spooledRows: segments.reduce((n, s) => n + s.count, 0),
  };
  writeFileSync(join(dir, 'backup.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Restores a backup into a data directory whose engine holds no tables yet (a new DATA_DIR):
 * the database by ClickHouse's RESTORE, the spool segments into DATA_DIR/spool (inserted at the
 * next start, once), and the app secret (so sign-ins and visitor ids continue).
 */
export async function restoreBackup(db: ClickHouseClient, { dir, dataDir }: { dir: string; dataDir: string }): Promise<BackupManifest> {
  if (!existsSync(join(dir, 'backup.json'))) throw new BackupError(`${dir} holds no backup (no backup.json)`);
  const manifest = JSON.parse(readFileSync(join(dir, 'backup.json'), 'utf8')) as BackupManifest;
  const [tables] = await (await db.query({ query: "SELECT count() AS n FROM system.tables WHERE database = 'default'", format: 'JSONEachRow' })).json<{
    n: number;
  }>();
  if (Number(tables?.n) > 0) throw new BackupError(`the data directory ${dataDir} is not empty: restore into a new DATA_DIR`);
  await db.command({ query: `RESTORE DATABASE default FROM File(${stringLiteral(join(dir, 'clickhouse'))})` });
  mkdirSync(join(dataDir, 'spool'), { recursive: true });
  for (const name of manifest.segments) copyFileSync(join(dir, 'spool', name), join(dataDir, 'spool', name));
  copyFileSync(join(dir, 'spool', 'id'), join(dataDir, 'spool', 'id'));
  if (existsSync(join(dir, 'app-secret'))) copyFileSync(join(dir, 'app-secret'), join(dataDir, 'app-secret'));
  return manifest;
}
