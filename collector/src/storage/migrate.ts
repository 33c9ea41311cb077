import type { ClickHouseClient } from '@clickhouse/client';
import { migrations as allMigrations, type Migration } from './migrations';

/** Brings the schema up to date: runs every migration newer than the last one recorded. */
export async function migrate(db: ClickHouseClient, migrations: Migration[] = allMigrations): Promise<number[]> {
  await db.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations (
      version UInt32, name String, applied_at DateTime64(3, 'UTC')
    ) ENGINE = ReplacingMergeTree ORDER BY version`,
  });
  const result = await db.query({ query: 'SELECT max(version) AS v FROM schema_migrations', format: 'JSONEachRow' });
  const [row] = await result.json<{ v: number }>();
  const current = row?.v ?? 0;
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (migration.version <= current) continue;
    for (const statement of migration.statements) await db.command({ query: statement });
    await db.insert({
      table: 'schema_migrations',
      values: [{ version: migration.version, name: migration.name, applied_at: Date.now() }],
      format: 'JSONEachRow',
    });
    applied.push(migration.version);
  }
  return applied;
}
