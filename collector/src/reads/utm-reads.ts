import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { rows } from '../storage/client';
import { inFilteredRange, paramsOf, type FilteredRange } from './visitor-reads';

export const utmColumns = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;
export type UtmColumn = (typeof utmColumns)[number];

/** Umami's UTM report: pageviews per value of one UTM parameter (none empty), the most first, 50 at most. */
export async function utmViews(db: ClickHouseClient, query: FilteredRange & { column: UtmColumn }): Promise<{ utm: string; views: number }[]> {
  return rows(
    db,
    `SELECT ${query.column} AS utm, count() AS views FROM website_event
     WHERE ${inFilteredRange} AND event_type = ${eventType.pageview} AND ${query.column} != ''${query.filter.sql}
     GROUP BY utm ORDER BY views DESC, utm LIMIT 50`,
    paramsOf(query),
  );
}
