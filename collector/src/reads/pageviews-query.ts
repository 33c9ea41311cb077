import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { rows } from '../storage/client';
import { rankingVisitorsState } from '../storage/rollups';
import type { Unit } from './date-range';
import { inScope, scopeParams, visitorsApprox, type Point, type Scope } from './query-vocabulary';
import { pageviewsSplit } from './rollup-choice';
import { bucketOf } from './time-buckets';

/**
 * Pageviews and sessions per bucket of `unit`, bucketed in `timezone` (so a day is a local day,
 * 23 or 25 hours long across a DST change), every bucket of the range present, empty ones as 0.
 * `x` is the bucket's local start, `YYYY-MM-DD HH:MM:SS`, as Umami gives it.
 */
export async function queryPageviews(db: ClickHouseClient, scope: Scope, unit: Unit, timezone: string): Promise<{ pageviews: Point[]; sessions: Point[] }> {
  const bucket = bucketOf[unit];
  const split = pageviewsSplit(scope, unit, timezone);
  const counted = split
    ? `SELECT t, toUInt64(sum(v)) AS pageviews, uniqCombinedMerge(12)(s) AS sessions FROM (
          SELECT ${bucket('hour')} AS t, toUInt64(views) AS v, visitors AS s FROM hourly_pageviews WHERE ${split.inRollup}
          UNION ALL
          SELECT ${bucket('created_at')} AS t, count() AS v, ${rankingVisitorsState} AS s FROM website_event
          WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.pageview} AND ${split.inEvents}
          GROUP BY t
        ) GROUP BY t`
    : `SELECT ${bucket('created_at')} AS t, count() AS pageviews, ${visitorsApprox} AS sessions
        FROM website_event WHERE ${inScope(scope)} AND event_type = ${eventType.pageview}
        GROUP BY t`;
  const series = await rows<{ x: string; pageviews: number; sessions: number }>(
    db,
    `SELECT formatDateTime(t, '%Y-%m-%d %H:%i:%S', {timezone:String}) AS x, pageviews, sessions FROM (
        ${counted}
        ORDER BY t WITH FILL
          FROM ${bucket('fromUnixTimestamp64Milli({startAt:Int64})')}
          TO ${bucket('fromUnixTimestamp64Milli({endAt:Int64})')} + INTERVAL 1 ${unit.toUpperCase()}
          STEP INTERVAL 1 ${unit.toUpperCase()}
      )`,
    { ...(split?.params ?? scopeParams(scope)), timezone },
  );
  return {
    pageviews: series.map(({ x, pageviews }) => ({ x, y: pageviews })),
    sessions: series.map(({ x, sessions }) => ({ x, y: sessions })),
  };
}
