import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { rows } from '../storage/client';
import { paramsOf, type FilteredRange } from './visitor-reads';

export const utmColumns = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;
export type UtmColumn = (typeof utmColumns)[number];

/** Umami's UTM report: pageviews per value of one UTM parameter (none empty), the most first, 50 at most. */
export async function utmViews(db: ClickHouseClient, query: FilteredRange & { column: UtmColumn }): Promise<{ utm: string; views: number }[]> {
  return rows(
    db,
    `SELECT ${query.column} AS utm, count() AS views FROM website_event
     WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.pageview} AND ${query.column} != ''
       AND created_at BETWEEN fromUnixTimestamp64Milli({startAt:Int64}) AND fromUnixTimestamp64Milli({endAt:Int64})${query.filter.sql}
     GROUP BY utm ORDER BY views DESC, utm LIMIT 50`,
    paramsOf(query),
  );
}
