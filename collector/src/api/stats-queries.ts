import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../ingest/event-row';

export interface Range {
  websiteId: string;
  startAt: number;
  endAt: number;
}

export interface Stats {
  pageviews: number;
  visitors: number;
  visits: number;
  bounces: number;
  totaltime: number;
}

const inRange = `website_id = {websiteId:UUID}
  AND created_at BETWEEN fromUnixTimestamp64Milli({startAt:Int64}) AND fromUnixTimestamp64Milli({endAt:Int64})`;

/**
 * Umami's summary: pageviews; visitors = distinct sessions; visits = distinct visits; bounces =
 * visits with one pageview; totaltime = the sum over visits of last minus first pageview, in seconds.
 */
export async function queryStats(db: ClickHouseClient, range: Range): Promise<Stats> {
  const result = await db.query({
    query: `SELECT sum(views) AS pageviews, uniqExact(session_id) AS visitors, uniqExact(visit_id) AS visits,
        countIf(views = 1) AS bounces, sum(dateDiff('second', first, last)) AS totaltime
      FROM (
        SELECT session_id, visit_id, count() AS views, min(created_at) AS first, max(created_at) AS last
        FROM website_event WHERE ${inRange} AND event_type = ${eventType.pageview}
        GROUP BY session_id, visit_id
      )`,
    query_params: { ...range },
    format: 'JSONEachRow',
  });
  const [row] = await result.json<Stats>();
  return row ?? { pageviews: 0, visitors: 0, visits: 0, bounces: 0, totaltime: 0 };
}

/** The metric types answered so far; each is a column and how `y` counts. */
const metrics = {
  path: { column: 'url_path', type: eventType.pageview, y: 'uniqExact(session_id)' },
  event: { column: 'event_name', type: eventType.custom, y: 'count()' },
} as const;

export type MetricType = keyof typeof metrics;
export const metricTypes = Object.keys(metrics) as MetricType[];

/** `[{x, y}]` for one metric, largest `y` first: visitors per path, or occurrences per event. */
export async function queryMetric(
  db: ClickHouseClient,
  range: Range,
  type: MetricType,
  limit: number,
): Promise<{ x: string; y: number }[]> {
  const metric = metrics[type];
  const result = await db.query({
    query: `SELECT ${metric.column} AS x, ${metric.y} AS y FROM website_event
      WHERE ${inRange} AND event_type = ${metric.type}
      GROUP BY x ORDER BY y DESC, x ASC LIMIT {limit:UInt32}`,
    query_params: { ...range, limit },
    format: 'JSONEachRow',
  });
  return result.json<{ x: string; y: number }>();
}
