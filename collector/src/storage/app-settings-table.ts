import type { ClickHouseClient } from '@clickhouse/client';
import { rows } from './client';

/** Every instance-wide setting saved, by name (values are JSON). */
export async function readAppSettings(db: ClickHouseClient): Promise<Record<string, string>> {
  const found = await rows<{ name: string; value: string }>(db, 'SELECT name, value FROM app_settings FINAL');
  return Object.fromEntries(found.map(({ name, value }) => [name, value]));
}

let lastVersion = 0;

export async function writeAppSetting(db: ClickHouseClient, name: string, value: string): Promise<void> {
  lastVersion = Math.max(Date.now(), lastVersion + 1);
  await db.insert({ table: 'app_settings', values: [{ name, value, version: lastVersion }], format: 'JSONEachRow' });
}
