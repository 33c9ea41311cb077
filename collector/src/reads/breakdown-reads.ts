import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { rows } from '../storage/client';
import { inFilteredRange, paramsOf, type FilteredRange } from './visitor-reads';

/** The dimensions a breakdown may combine, by Umami's names, and their columns. */
export const breakdownColumns = {
  path: 'url_path',
  query: 'url_query',
  title: 'page_title',
  referrer: 'referrer_domain',
  hostname: 'hostname',
  browser: 'browser',
  os: 'os',
  device: 'device',
  screen: 'screen',
  language: 'language',
  country: 'country',
  region: 'region',
  city: 'city',
  tag: 'tag',
  utmSource: 'utm_source',
  utmMedium: 'utm_medium',
  utmCampaign: 'utm_campaign',
  utmContent: 'utm_content',
  utmTerm: 'utm_term',
} as const;
export type BreakdownField = keyof typeof breakdownColumns;

/** Dimensions a session keeps for its whole life: a visit falls wholly in one group of them. */
const sessionFields = new Set<BreakdownField>(['browser', 'os', 'device', 'language', 'country', 'region', 'city']);

export interface BreakdownQuery extends FilteredRange {
  fields: BreakdownField[];
}

export type BreakdownRow = { views: number; visitors: number; visits: number; bounces: number; totaltime: number } & Record<string, string | number>;

/**
 * Umami's breakdown: pageviews grouped by any combination of dimensions, with their views,
 * visitors, visits, bounces (visits with one pageview in the group) and seconds between each
 * visit's first and last pageview in the group; the most visitors first, 500 rows at most.
 *
 * When every dimension is a session's (country, browser, …) and the filters keep whole visits,
 * each visit lies wholly in one group, and the figures are read in one pass as the stats are,
 * from what ingest recorded on each pageview (a visit counts where its first pageview is);
 * otherwise the pageviews are grouped by visit within each combination.
 */
export async function breakdown(db: ClickHouseClient, query: BreakdownQuery): Promise<BreakdownRow[]> {
  const dimensions = query.fields.map((field, i) => `${breakdownColumns[field]} AS d${i}`).join(', ');
  const names = query.fields.map((_, i) => `d${i}`).join(', ');
  const inRange = `${inFilteredRange} AND event_type = ${eventType.pageview}${query.filter.sql}`;
  const onePass = query.filter.wholeVisits && query.fields.every((field) => sessionFields.has(field));
  const found = await rows<Record<string, string | number>>(
    db,
    onePass
      ? `SELECT count() AS views, uniqExact(session_id) AS visitors, countIf(visit_pageview = 1) AS visits,
           visits - countIf(visit_pageview = 2 AND visit_start >= fromUnixTimestamp64Milli({startAt:Int64})) AS bounces,
           intDiv(sumIf(visit_gap_ms, visit_pageview >= 2 AND visit_start >= fromUnixTimestamp64Milli({startAt:Int64})), 1000) AS totaltime,
           ${dimensions}
         FROM website_event WHERE ${inRange}
         GROUP BY ${names} ORDER BY visitors DESC, views DESC, ${names} LIMIT 500`
      : // Each inner row is one visit of one combination: its visits are a count, only visitors need uniqExact.
        `SELECT toUInt64(sum(c)) AS views, uniqExact(session_id) AS visitors, count() AS visits,
           countIf(c = 1) AS bounces, toUInt64(sum(dateDiff('second', min_time, max_time))) AS totaltime, ${names}
         FROM (
           SELECT ${dimensions}, session_id, visit_id, count() AS c, min(created_at) AS min_time, max(created_at) AS max_time
           FROM website_event WHERE ${inRange}
           GROUP BY ${names}, session_id, visit_id)
         GROUP BY ${names} ORDER BY visitors DESC, views DESC, ${names} LIMIT 500`,
    paramsOf(query),
  );
  return found.map((row) => {
    const answer: Record<string, string | number> = {
      views: row.views!,
      visitors: row.visitors!,
      visits: row.visits!,
      bounces: row.bounces!,
      totaltime: row.totaltime!,
    };
    query.fields.forEach((field, i) => {
      answer[field] = row[`d${i}`]!;
    });
    return answer as BreakdownRow;
  });
}
