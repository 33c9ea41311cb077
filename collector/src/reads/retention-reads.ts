import type { ClickHouseClient } from '@clickhouse/client';
import { rows } from '../storage/client';
import { inFilteredRange, paramsOf, type FilteredRange } from './visitor-reads';

export const retentionUnits = ['day', 'week', 'month'] as const;
export type RetentionUnit = (typeof retentionUnits)[number];

/** The last period after the cohort's own that an answer reports (Umami: day 31). */
export const lastRetentionPeriod = 31;

export interface RetentionQuery extends FilteredRange {
  unit: RetentionUnit;
  timezone: string;
}

export interface RetentionRow {
  /** The cohort's first day (YYYY-MM-DD in the time zone): visitors whose first matching event in the range fell in this period. */
  date: string;
  /** Periods (days, weeks or months) after the cohort's own; 0 is the cohort itself. */
  day: number;
  /** The cohort's size. */
  visitors: number;
  /** Of them, those with any event in that period. */
  returnVisitors: number;
  percentage: number;
}

const periodStart: Record<RetentionUnit, string> = {
  day: 'toDate(created_at, {timezone:String})',
  week: 'toMonday(created_at, {timezone:String})',
  month: 'toStartOfMonth(created_at, {timezone:String})',
};

/**
 * Umami's retention: each visitor's cohort is the period of their first event in the range that
 * matches the filters; for each later period (up to 31) the share of the cohort with any event in
 * it. A visitor is the distinct id the site gave (`identify`, or `id` on any beacon: session_data
 * ties the session to it, and the whole session counts as that id), else the session id, which
 * changes every UTC day by design: an anonymous visitor only ever counts in their first period.
 */
export async function retention(db: ClickHouseClient, query: RetentionQuery): Promise<RetentionRow[]> {
  const period = periodStart[query.unit];
  // Each session's periods first (grouping by a UUID is cheap); then the sessions of no distinct
  // id are visitors as they are, and only the identified ones are grouped again by their id. One
  // pass: a cohort's size is its count in its own period (day 0), as every visitor has an event in
  // their cohort's period. (Sizes from a second reading of the visitors ran the whole query
  // twice: 664 → 244 ms a month at ten million events, the engine alone.)
  const found = await rows<{ date: string; day: number; returnVisitors: number }>(
    db,
    `WITH identities AS (
       SELECT session_id, max(distinct_id) AS identity FROM session_data
       WHERE website_id = {websiteId:UUID} AND distinct_id != '' GROUP BY session_id
     ),
     per_session AS (
       SELECT session_id, minIf(period, matched) AS first_matched, max(matched) AS any_matched, groupUniqArray(period) AS periods
       FROM (SELECT session_id, ${period} AS period, 1${query.filter.sql} AS matched FROM website_event WHERE ${inFilteredRange})
       GROUP BY session_id
     )
     SELECT toString(cohort) AS date, toUInt32(dateDiff({unit:String}, cohort, later)) AS day, count() AS returnVisitors
     FROM (
       SELECT first_matched AS cohort, periods AS periods
       FROM per_session WHERE any_matched = 1 AND session_id NOT IN (SELECT session_id FROM identities)
       UNION ALL
       SELECT minIf(first_matched, any_matched = 1) AS cohort, arrayDistinct(arrayFlatten(groupArray(periods))) AS periods
       FROM per_session INNER JOIN identities ON per_session.session_id = identities.session_id
       GROUP BY identity HAVING max(any_matched) = 1
     )
     ARRAY JOIN arrayFilter(p -> p >= cohort, periods) AS later
     GROUP BY cohort, day HAVING day <= {lastPeriod:UInt32}
     ORDER BY date, day`,
    {
      ...paramsOf(query),
      timezone: query.timezone,
      unit: query.unit,
      lastPeriod: String(lastRetentionPeriod),
    },
  );
  const sizes = new Map(found.filter((row) => row.day === 0).map((row) => [row.date, Number(row.returnVisitors)]));
  return found.map((row) => {
    const visitors = sizes.get(row.date)!;
    const returnVisitors = Number(row.returnVisitors);
    return { date: row.date, day: row.day, visitors, returnVisitors, percentage: (returnVisitors * 100) / visitors };
  });
}
