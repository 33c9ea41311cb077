import type { ClickHouseClient } from '@clickhouse/client';

// The metadata tables (users, websites, teams, members, tokens, API keys, tickets, saved reports,
// settings, counting rules) are tables of versioned records: ReplacingMergeTree tables with a
// `version` column. A change is a new row with a higher version, a deletion a row with
// `deleted = 1`, and reads take the newest row of each key (`FINAL`, through `rows` in client.ts).
// This is the one way to write such a row.

let lastVersion = 0;

/**
 * The next record version: milliseconds since the epoch, at least `at`, and strictly increasing
 * in this process, so a change within the same millisecond as the one before still wins.
 */
export function nextVersion(at = Date.now()): number {
  lastVersion = Math.max(at, lastVersion + 1);
  return lastVersion;
}

/** Writes `record` (its columns, without `version`) as the newest version of its key in `table`. */
export async function writeRecord(db: ClickHouseClient, table: string, record: Record<string, unknown>, at?: number): Promise<void> {
  await db.insert({ table, values: [{ ...record, version: nextVersion(at) }], format: 'JSONEachRow' });
}
