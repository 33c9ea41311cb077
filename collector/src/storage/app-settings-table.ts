import type { ClickHouseClient } from '@clickhouse/client';
import { rows } from './client';
import { writeRecord } from './versioned-records';

/** Every instance-wide setting saved, by name (values are JSON). */
export async function readAppSettings(db: ClickHouseClient): Promise<Record<string, string>> {
  const found = await rows<{ name: string; value: string }>(db, 'SELECT name, value FROM app_settings FINAL');
  return Object.fromEntries(found.map(({ name, value }) => [name, value]));
}

export async function writeAppSetting(db: ClickHouseClient, name: string, value: string): Promise<void> {
  await writeRecord(db, 'app_settings', { name, value });
}
