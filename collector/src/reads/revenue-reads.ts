import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { channelExpression } from './channel-sql';
import { rows } from '../storage/client';
import { inRangeOfVisits } from './scoped-rows';
import { bucketOf, type BucketUnit } from './time-buckets';

/** One website's orders in one currency over a range, optionally only those of visits matching event filters. */
export interface RevenueScope {
  websiteId: string;
  startAt: number;
  endAt: number;
  /** Upper case ISO 4217. */
  currency: string;
  /** ` AND …` conditions on website_event's columns (see scoped-rows.ts). */
  visitConditions: string;
  params: Record<string, string>;
}

const paramsOf = (scope: RevenueScope) => ({
  ...scope.params,
  websiteId: scope.websiteId,
  startAt: String(scope.startAt),
  endAt: String(scope.endAt),
  currency: scope.currency,
});

// FINAL: an order sent twice is one row (website_revenue is a ReplacingMergeTree by order).
const orders = (scope: RevenueScope) => `FROM website_revenue FINAL WHERE ${inRangeOfVisits(scope.visitConditions)} AND currency = {currency:String}`;

export interface RevenueStats {
  sum: number;
  count: number;
  unique_count: number;
  total_sessions: number;
  average: number;
  arpu: number;
}

/**
 * Umami's revenue totals: the sum, orders, paying visitors, and the averages per order and per
 * visitor; `visitors` is every visitor of the range (the caller's headline count, as /stats gives it).
 */
export async function revenueStats(db: ClickHouseClient, scope: RevenueScope, visitors: number): Promise<RevenueStats> {
  const [row] = await rows<{ sum: number; count: number; unique_count: number }>(
    db,
    `SELECT toFloat64(sum(revenue)) AS sum, count() AS count, uniqExact(session_id) AS unique_count ${orders(scope)}`,
    paramsOf(scope),
  );
  const { sum = 0, count = 0, unique_count = 0 } = row ?? {};
  const round = (value: number) => Number(value.toFixed(4));
  return {
    sum: round(sum),
    count,
    unique_count,
    total_sessions: visitors,
    average: count > 0 ? round(sum / count) : 0,
    arpu: visitors > 0 ? round(sum / visitors) : 0,
  };
}

/** Revenue per event name and bucket of `unit` in `timezone`: Umami's chart rows `{x, t, y, count}`. */
export async function revenueChart(
  db: ClickHouseClient,
  scope: RevenueScope,
  { unit, timezone }: { unit: BucketUnit; timezone: string },
): Promise<{ x: string; t: string; y: number; count: number }[]> {
  return rows(
    db,
    `SELECT x, formatDateTime(b, '%Y-%m-%d %H:%i:%S', {timezone:String}) AS t, y, count FROM (
       SELECT event_name AS x, ${bucketOf[unit]('created_at')} AS b, toFloat64(sum(revenue)) AS y, count() AS count
       ${orders(scope)} GROUP BY x, b ORDER BY b, x)`,
    { ...paramsOf(scope), timezone },
  );
}

export const revenueDimensions = ['country', 'region', 'referrer', 'channel'] as const;
export type RevenueDimension = (typeof revenueDimensions)[number];

/**
 * Revenue per dimension (Umami's `/revenue/metrics`), largest first: country and region of the
 * event that carried the order; referrer domain and channel of the paying session's first event
 * in the range ('' where there was none: direct, or no channel applies).
 */
export async function revenueMetrics(
  db: ClickHouseClient,
  scope: RevenueScope,
  type: RevenueDimension,
): Promise<{ name: string; value: number; country?: string }[]> {
  const range = `website_id = {websiteId:UUID}
    AND created_at BETWEEN fromUnixTimestamp64Milli({startAt:Int64}) AND fromUnixTimestamp64Milli({endAt:Int64})`;
  if (type === 'country' || type === 'region') {
    const columns = type === 'country' ? 'events.country AS name' : 'events.country AS country, events.region AS name';
    return rows(
      db,
      `SELECT ${columns}, toFloat64(sum(paid.revenue)) AS value
       FROM (SELECT event_id, revenue ${orders(scope)}) AS paid
       LEFT JOIN (SELECT event_id, country, region FROM website_event WHERE ${range} AND event_type = ${eventType.custom}) AS events
         ON paid.event_id = events.event_id
       GROUP BY ${type === 'country' ? 'name' : 'country, name'} ORDER BY value DESC, name`,
      paramsOf(scope),
    );
  }
  const name = type === 'referrer' ? 'referrer_domain' : channelExpression;
  return rows(
    db,
    `SELECT ${name} AS name, toFloat64(sum(paid_value)) AS value FROM (
       SELECT paid.paid_value AS paid_value, first.r AS referrer_domain, first.q AS url_query, first.m AS utm_medium, first.s AS utm_source,
         first.h AS hostname
       FROM (SELECT session_id, sum(revenue) AS paid_value ${orders(scope)} GROUP BY session_id) AS paid
       INNER JOIN (
         SELECT session_id, argMin(referrer_domain, created_at) AS r, argMin(url_query, created_at) AS q, argMin(utm_medium, created_at) AS m,
           argMin(utm_source, created_at) AS s, argMin(hostname, created_at) AS h
         FROM website_event
         WHERE ${range} AND session_id IN (SELECT session_id ${orders(scope)})
         GROUP BY session_id
       ) AS first ON paid.session_id = first.session_id)
     GROUP BY name ORDER BY value DESC, name`,
    paramsOf(scope),
  );
}
