import type { ClickHouseClient } from '@clickhouse/client';
import { rows } from '../storage/client';

/** True when the zone is a whole number of hours from UTC at both ends of the range (so UTC hours fall in one local day each). */
function wholeHours(timezone: string, ...at: number[]): boolean {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' });
  return at.every((ms) => /^GMT([+-]\d{2}:00)?$/.test(format.formatToParts(ms).find((part) => part.type === 'timeZoneName')?.value ?? ''));
}

/**
 * Several websites' visitors per local day of a range and over the whole range, in one query: a
 * websites list draws every site's trend from it. Read from the hourly rollup (hourly_pageviews:
 * whole UTC hours, so the range is read to the hour) where the time zone is whole hours from UTC,
 * else from the events (a UTC hour straddles local midnight in Kathmandu or Adelaide).
 */
export async function websiteCharts(
  db: ClickHouseClient,
  { websiteIds, startAt, endAt, timezone }: { websiteIds: string[]; startAt: number; endAt: number; timezone: string },
): Promise<Map<string, { total: number; byDay: Map<string, number> }>> {
  const sql = wholeHours(timezone, startAt, endAt)
    ? `SELECT toString(website_id) AS id, toString(toDate(hour, {timezone:String})) AS day, uniqCombinedMerge(12)(visitors) AS visitors
      FROM hourly_pageviews
      WHERE website_id IN {ids:Array(UUID)}
        AND hour BETWEEN toStartOfHour(fromUnixTimestamp64Milli({startAt:Int64})) AND fromUnixTimestamp64Milli({endAt:Int64})
      GROUP BY id, day WITH ROLLUP HAVING id != ''`
    : `SELECT toString(website_id) AS id, toString(toDate(created_at, {timezone:String})) AS day, uniqCombined(12)(session_id) AS visitors
      FROM website_event
      WHERE website_id IN {ids:Array(UUID)} AND event_type = 1
        AND created_at BETWEEN toStartOfHour(fromUnixTimestamp64Milli({startAt:Int64})) AND fromUnixTimestamp64Milli({endAt:Int64})
      GROUP BY id, day WITH ROLLUP HAVING id != ''`;
  const found = await rows<{ id: string; day: string | null; visitors: number }>(db, sql, { ids: websiteIds, startAt, endAt, timezone });
  const charts = new Map(websiteIds.map((id) => [id, { total: 0, byDay: new Map<string, number>() }]));
  for (const { id, day, visitors } of found) {
    const chart = charts.get(id);
    if (!chart) continue;
    // WITH ROLLUP's subtotal row per website has the default day ('' for a String).
    if (day === '' || day === null) chart.total = Number(visitors);
    else chart.byDay.set(day, Number(visitors));
  }
  return charts;
}
