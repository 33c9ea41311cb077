import type { ClickHouseClient } from '@clickhouse/client';
import { rows } from '../storage/client';

/** The units a series may be bucketed by. */
export type BucketUnit = 'minute' | 'hour' | 'day' | 'month' | 'year';

/**
 * The start of a time's bucket in the time zone bound as `{timezone:String}`, as a DateTime of
 * that zone: a day is a local day (23 or 25 hours across a DST change).
 */
export const bucketOf: Record<BucketUnit, (column: string) => string> = {
  minute: (c) => `toStartOfMinute(toDateTime(${c}, {timezone:String}))`,
  hour: (c) => `toStartOfHour(toDateTime(${c}, {timezone:String}))`,
  day: (c) => `toDateTime(toStartOfDay(toDateTime(${c}, {timezone:String})), {timezone:String})`,
  month: (c) => `toDateTime(toStartOfMonth(toDateTime(${c}, {timezone:String})), {timezone:String})`,
  year: (c) => `toDateTime(toStartOfYear(toDateTime(${c}, {timezone:String})), {timezone:String})`,
};

/** The time zones the engine knows (a series' `timezone` must be one). */
export async function engineTimeZones(db: ClickHouseClient): Promise<Set<string>> {
  return new Set((await rows<{ name: string }>(db, 'SELECT time_zone AS name FROM system.time_zones')).map((row) => row.name));
}
