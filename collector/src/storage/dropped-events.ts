import type { ClickHouseClient } from '@clickhouse/client';
import type { DropReason } from '../ingest/ingest-rules';
import { rows } from './client';

/** Beacons of one website not stored on one UTC day (YYYY-MM-DD) for one reason. */
export interface DropTally {
  websiteId: string;
  day: string;
  reason: DropReason;
  events: number;
}

/** Adds tallies to the stored counts (the table sums rows with the same website, day and reason). */
export async function insertDropTallies(db: ClickHouseClient, tallies: DropTally[]): Promise<void> {
  if (tallies.length === 0) return;
  await db.insert({
    table: 'dropped_events',
    values: tallies.map(({ websiteId, day, reason, events }) => ({ website_id: websiteId, day, reason, events })),
    format: 'JSONEachRow',
  });
}

/** A website's dropped beacons per reason over the UTC days `firstDay`..`lastDay` (YYYY-MM-DD), most first. */
export async function readDropTotals(
  db: ClickHouseClient,
  { websiteId, firstDay, lastDay }: { websiteId: string; firstDay: string; lastDay: string },
): Promise<{ reason: DropReason; count: number }[]> {
  return rows<{ reason: DropReason; count: number }>(
    db,
    `SELECT reason, sum(events) AS count FROM dropped_events
     WHERE website_id = toUUIDOrZero({websiteId:String}) AND day BETWEEN toDate({firstDay:String}) AND toDate({lastDay:String})
     GROUP BY reason ORDER BY count DESC, reason`,
    { websiteId, firstDay, lastDay },
  );
}
