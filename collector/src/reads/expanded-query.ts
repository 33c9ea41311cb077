import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { rows } from '../storage/client';
import { pageStatsDimensions, type PageStatsDimension } from '../storage/visit-rollup-tables';
import { inScope, scopeParams, visitKey, type Scope, type Split } from './query-vocabulary';
import { visitRollupsSplit } from './rollup-choice';
import { metricSource, type ColumnMetric } from './umami-names';

export interface ExpandedRow {
  name: string;
  pageviews: number;
  visitors: number;
  visits: number;
  bounces: number;
  totaltime: number;
}

export interface ExpandedPage {
  limit: number;
  offset: number;
  search: string;
}

/**
 * `/metrics/expanded`: per value of a metric type's column, pageviews, visitors, visits, bounces
 * (visits with one pageview of that value) and seconds spent (each visit's first to last pageview
 * of it), the most visitors first. Paths and titles without filters come from the visit rollups
 * for the days they built (daily_page_stats, and daily_page_visits for visits crossing midnight),
 * the rest of the range from the events; anything else is grouped by visit from the events.
 */
export async function queryExpanded(db: ClickHouseClient, scope: Scope, type: ColumnMetric, page: ExpandedPage): Promise<ExpandedRow[]> {
  const dimension = Object.entries(pageStatsDimensions).find(([name]) => name === type && name !== 'referrer')?.[0] as PageStatsDimension | undefined;
  const split = dimension ? await visitRollupsSplit(db, scope) : null;
  const paging = { limit: page.limit, offset: page.offset, search: page.search };
  const ranked = `WHERE 1${page.search ? ' AND positionCaseInsensitiveUTF8(name, {search:String}) > 0' : ''}
    GROUP BY name ORDER BY visitors DESC, name LIMIT {limit:UInt32} OFFSET {offset:UInt32}`;
  if (dimension && split)
    return rows<ExpandedRow>(db, fromVisitRollups(pageStatsDimensions[dimension], split, ranked), { ...split.params, ...paging, dimension });
  const source = metricSource(type);
  return rows<ExpandedRow>(db, fromEvents(scope, source.x, source.where, ranked), { ...scopeParams(scope), ...paging });
}

// Visitors as the other rankings count them (uniqCombined(12); daily_page_stats.ranked_visitors).
// One row per (value, visit), kept small: the visit as a 64-bit hash, times as seconds (a month
// of ten million events is some three million pairs; with UUIDs and DateTime64s they passed the
// 1 GiB read bound).
const fromEvents = (scope: Scope, column: string, where: string, ranked: string) =>
  `SELECT name, sum(views) AS pageviews, uniqCombined(12)(sid) AS visitors, count() AS visits, countIf(views = 1) AS bounces,
      toUInt64(sum(last - first)) AS totaltime
    FROM (
      SELECT toString(${column}) AS name, ${visitKey} AS visit, any(session_id) AS sid, count() AS views,
        min(toUInt32(created_at)) AS first, max(toUInt32(created_at)) AS last
      FROM website_event
      WHERE ${inScope(scope)} AND event_type = ${eventType.pageview}${where ? ` AND ${where}` : ''}
      GROUP BY name, visit
    )
    ${ranked}`;

const fromVisitRollups = (column: string, split: Split, ranked: string) =>
  `SELECT name, toUInt64(sum(views)) AS pageviews, uniqCombinedMerge(12)(sessions) AS visitors, toUInt64(sum(visit_count)) AS visits,
      toUInt64(sum(bounce_count)) AS bounces, toUInt64(sum(seconds_spent)) AS totaltime
    FROM (
      SELECT value AS name, pageviews AS views, visits AS visit_count, bounces AS bounce_count, seconds AS seconds_spent, ranked_visitors AS sessions
      FROM daily_page_stats WHERE ${split.inRollup} AND dimension = {dimension:String}
      UNION ALL
      SELECT name, sum(visit_views) AS views, count() AS visit_count, countIf(visit_views = 1) AS bounce_count,
        toUInt64(sum(last_second - first_second)) AS seconds_spent, uniqCombinedState(12)(session) AS sessions
      FROM (
        SELECT name, visit, any(session_id) AS session, sum(part_views) AS visit_views, min(part_first) AS first_second, max(part_last) AS last_second
        FROM (
          SELECT value AS name, ${visitKey} AS visit, session_id, pageviews AS part_views, first_second AS part_first, last_second AS part_last
          FROM daily_page_visits WHERE ${split.inRollup} AND dimension = {dimension:String}
          UNION ALL
          SELECT ${column} AS name, ${visitKey} AS visit, session_id, 1 AS part_views, toUInt32(created_at) AS part_first, toUInt32(created_at) AS part_last
          FROM website_event WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.pageview} AND ${split.inEvents}
        )
        GROUP BY name, visit
      )
      GROUP BY name
    )
    ${ranked}`;
