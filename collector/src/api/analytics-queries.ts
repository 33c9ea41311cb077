import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import type { Unit } from './date-range';
import { rows } from '../storage/client';
import { columnMetrics, metricSource, type ColumnMetric } from './umami-names';
import { inScope, scopeParams, visitKey, visitorsApprox, type Point, type Scope, type Stats } from './query-vocabulary';

export type { Point, Scope, Stats } from './query-vocabulary';
import { headlineVisitorsState, rankingVisitorsState, rolledUpMetrics, type RolledUpMetric } from '../storage/rollups';
import type { BuildsLookup } from './built-days';
import { exitsFromRollup } from './exit-query';
import { pageStatsFromRollup } from './page-stats-query';
import { inPartialEnds, inWholeDays, wholeDaysOf, wholeHourOffsets, wholeHoursOf } from './whole-days';

/**
 * Umami's summary: pageviews; visitors = distinct sessions; visits = distinct visits;
 * bounces = visits with one pageview; totaltime = the sum over visits of last minus first
 * pageview, in seconds.
 *
 * Without filters, or with filters on session attributes only (country, browser, …: a visit
 * matches whole or not at all), it is one pass over the range, using what ingest recorded on
 * each pageview (its place in the visit, the gap since the previous one, when the visit's first
 * pageview was): a visit counts in the range where its first pageview is. Without filters, or
 * with one `eq.` filter on a session attribute, the whole days come from the daily rollup. With
 * one `eq.` filter on path, title or referrer, the days the visit rollups built come from
 * daily_page_stats. With other filters, the events that match are grouped by visit.
 * `rollups: false` reads only the events (tests compare the two); `builds` shares one look-up of
 * the visit rollups' builds between the periods of one request.
 */
export async function queryStats(
  db: ClickHouseClient,
  scope: Scope,
  { rollups = true, builds }: { rollups?: boolean; builds?: BuildsLookup } = {},
): Promise<Stats> {
  const fromPages = rollups ? await pageStatsFromRollup(db, scope, builds) : null;
  if (fromPages) return fromPages;
  const key = rollups ? scope.filter.statsRollup : null;
  const days = key ? wholeDaysOf(scope) : null;
  const [row] = await rows<Stats>(
    db,
    key && days ? statsFromRollup(scope) : scope.filter.wholeVisits ? statsInOnePass(scope) : statsByVisit(scope),
    key && days ? { ...scopeParams(scope), ...days, dimension: key.dimension, dimensionValue: key.value } : scopeParams(scope),
  );
  return row ?? { pageviews: 0, visitors: 0, visits: 0, bounces: 0, totaltime: 0 };
}

const rangeStart = 'fromUnixTimestamp64Milli({startAt:Int64})';

const statsInOnePass = (scope: Scope) => `SELECT countIf(event_type = ${eventType.pageview}) AS pageviews,
    uniqCombinedIf(17)(session_id, event_type = ${eventType.pageview}) AS visitors,
    countIf(visit_pageview = 1) AS visits,
    visits - countIf(visit_pageview = 2 AND visit_start >= ${rangeStart}) AS bounces,
    intDiv(sumIf(visit_gap_ms, visit_pageview >= 2 AND visit_start >= ${rangeStart}), 1000) AS totaltime
  FROM website_event WHERE ${inScope(scope)}`;

// A visit belongs to one session, so the visitors are counted from the visits, in the same pass.
const statsByVisit = (scope: Scope) => `SELECT toUInt64(sum(views)) AS pageviews, uniqCombined(17)(session) AS visitors,
    count() AS visits, countIf(views = 1) AS bounces, toUInt64(sum(seconds)) AS totaltime
  FROM (
    SELECT ${visitKey} AS visit, any(session_id) AS session, count() AS views, max(toUInt32(created_at)) - min(toUInt32(created_at)) AS seconds
    FROM website_event WHERE ${inScope(scope)} AND event_type = ${eventType.pageview}
    GROUP BY visit
  )`;

/**
 * The one-pass sums, with the whole days read from daily_stats. A second pageview or a gap counts
 * when its visit began in the range: certain for visits begun on a whole day, never for those
 * begun before the range's first day, and looked up in the events for those begun on its first,
 * partial day.
 */
const statsFromRollup = (scope: Scope) => `SELECT toUInt64(sum(p)) AS pageviews, uniqCombinedMerge(17)(u) AS visitors, toUInt64(sum(v)) AS visits,
    visits - toUInt64(sum(s)) AS bounces, intDiv(toUInt64(sum(g)), 1000) AS totaltime
  FROM (
    SELECT toUInt64(pageviews) AS p, toUInt64(visits) AS v,
      if(start_day >= {fromDay:Date}, toUInt64(second_views), 0) AS s,
      if(start_day >= {fromDay:Date}, toUInt64(gap_ms), 0) AS g, visitors AS u
    FROM daily_stats WHERE ${inWholeDays} AND dimension = {dimension:String} AND value = {dimensionValue:String}
    UNION ALL
    SELECT count(), countIf(visit_pageview = 1), countIf(visit_pageview = 2 AND visit_start >= ${rangeStart}),
      sumIf(toUInt64(visit_gap_ms), visit_pageview >= 2 AND visit_start >= ${rangeStart}), ${headlineVisitorsState}
    FROM website_event WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.pageview} AND ${inPartialEnds}${scope.filter.sql}
    UNION ALL
    SELECT 0, 0, countIf(visit_pageview = 2), sum(toUInt64(visit_gap_ms)), ${headlineVisitorsState}
    FROM website_event WHERE website_id = {websiteId:UUID}
      AND created_at >= fromUnixTimestamp64Milli({wholeStart:Int64}) AND created_at < fromUnixTimestamp64Milli({wholeEnd:Int64})
      AND visit_pageview >= 2 AND visit_start >= ${rangeStart} AND visit_start < fromUnixTimestamp64Milli({wholeStart:Int64})${scope.filter.sql}
  )`;

const bucketOf: Record<Unit, (column: string) => string> = {
  minute: (c) => `toStartOfMinute(toDateTime(${c}, {timezone:String}))`,
  hour: (c) => `toStartOfHour(toDateTime(${c}, {timezone:String}))`,
  day: (c) => `toDateTime(toStartOfDay(toDateTime(${c}, {timezone:String})), {timezone:String})`,
  month: (c) => `toDateTime(toStartOfMonth(toDateTime(${c}, {timezone:String})), {timezone:String})`,
  year: (c) => `toDateTime(toStartOfYear(toDateTime(${c}, {timezone:String})), {timezone:String})`,
};

/**
 * Pageviews and sessions per bucket of `unit`, bucketed in `timezone` (so a day is a local day,
 * 23 or 25 hours long across a DST change), every bucket of the range present, empty ones as 0.
 * `x` is the bucket's local start, `YYYY-MM-DD HH:MM:SS`, as Umami gives it.
 */
export async function queryPageviews(
  db: ClickHouseClient,
  scope: Scope,
  unit: Unit,
  timezone: string,
  { rollups = true } = {},
): Promise<{ pageviews: Point[]; sessions: Point[] }> {
  const bucket = bucketOf[unit];
  // Without filters, the whole hours come from hourly_pageviews when every UTC hour lies inside
  // one local bucket (not for minutes, nor for zones such as +5:30).
  const hours = rollups && unit !== 'minute' && scope.filter.sql === '' && wholeHourOffsets(timezone, scope) ? wholeHoursOf(scope) : null;
  const counted = hours
    ? `SELECT t, toUInt64(sum(v)) AS pageviews, uniqCombinedMerge(12)(s) AS sessions FROM (
          SELECT ${bucket('hour')} AS t, toUInt64(views) AS v, visitors AS s FROM hourly_pageviews
          WHERE website_id = {websiteId:UUID}
            AND hour >= toDateTime(intDiv({wholeStart:Int64}, 1000), 'UTC') AND hour < toDateTime(intDiv({wholeEnd:Int64}, 1000), 'UTC')
          UNION ALL
          SELECT ${bucket('created_at')} AS t, count() AS v, ${rankingVisitorsState} AS s FROM website_event
          WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.pageview} AND ${inPartialEnds}
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
    { ...scopeParams(scope), ...hours, timezone },
  );
  return {
    pageviews: series.map(({ x, pageviews }) => ({ x, y: pageviews })),
    sessions: series.map(({ x, sessions }) => ({ x, y: sessions })),
  };
}

/** Metric types: the columns of umami-names.ts, and entry and exit pages and custom events. `y` is unique visitors, but events are counted. */
export type MetricType = ColumnMetric | 'entry' | 'exit' | 'event';
export const metricTypes: MetricType[] = [...columnMetrics, 'entry', 'exit', 'event'];

/** Umami's snake_case spellings of the UTM types are accepted too. */
export const metricTypeAliases: Record<string, MetricType> = {
  url: 'path',
  host: 'hostname',
  utm_source: 'utmSource',
  utm_medium: 'utmMedium',
  utm_campaign: 'utmCampaign',
  utm_content: 'utmContent',
  utm_term: 'utmTerm',
};

export interface MetricOptions {
  limit: number;
  offset: number;
  /** Only values of `x` containing this (case-insensitive). */
  search?: string;
  /** false: read only the events, never the daily rollup (tests compare the two). */
  rollups?: boolean;
}

/** `[{x, y}]` for one metric, largest `y` first, then `x`. */
export async function queryMetric(db: ClickHouseClient, scope: Scope, type: MetricType, options: MetricOptions): Promise<Point[]> {
  const params = { ...scopeParams(scope), limit: options.limit, offset: options.offset, search: options.search ?? '' };
  const search = options.search ? ' HAVING positionCaseInsensitiveUTF8(x, {search:String}) > 0' : '';
  const page = `ORDER BY y DESC, x ASC LIMIT {limit:UInt32} OFFSET {offset:UInt32}`;
  if (type === 'event') {
    return rows<Point>(
      db,
      `SELECT event_name AS x, count() AS y FROM website_event
        WHERE ${inScope(scope)} AND event_type = ${eventType.custom} GROUP BY x${search} ${page}`,
      params,
    );
  }
  const rolledUp = type === 'domain' ? 'referrer' : (rolledUpMetrics as readonly string[]).includes(type) ? (type as RolledUpMetric) : null;
  const days = options.rollups !== false && rolledUp && scope.filter.sql === '' ? wholeDaysOf(scope) : null;
  if (rolledUp && days) {
    // The whole days from daily_metrics, the partial days at the ends from the events.
    const source = rolledUp === 'entry' ? { x: 'url_path', where: '' } : metricSource(rolledUp);
    const some = rolledUp === 'entry' || source.where ? " AND value != ''" : '';
    const events = rolledUp === 'entry' ? 'visit_pageview = 1' : `event_type = ${eventType.pageview}${source.where ? ` AND ${source.where}` : ''}`;
    return rows<Point>(
      db,
      `SELECT x, uniqCombinedMerge(12)(v) AS y FROM (
          SELECT value AS x, visitors AS v FROM daily_metrics WHERE ${inWholeDays} AND metric = {metric:String}${some}
          UNION ALL
          SELECT toString(${source.x}) AS x, ${rankingVisitorsState} AS v FROM website_event
          WHERE website_id = {websiteId:UUID} AND ${events} AND ${inPartialEnds} GROUP BY x
        ) GROUP BY x${search} ${page}`,
      { ...params, ...days, metric: rolledUp },
    );
  }
  if (type === 'entry' && scope.filter.wholeVisits) {
    // Ingest marks each visit's first pageview: no grouping by visit needed.
    return rows<Point>(
      db,
      `SELECT url_path AS x, ${visitorsApprox} AS y FROM website_event
        WHERE ${inScope(scope)} AND visit_pageview = 1 GROUP BY x${search} ${page}`,
      params,
    );
  }
  if (type === 'exit' && options.rollups !== false && scope.filter.sql === '') {
    const exits = await exitsFromRollup(db, scope, search, page, params);
    if (exits) return exits;
  }
  if (type === 'entry' || type === 'exit') {
    const pick = type === 'entry' ? 'argMin' : 'argMax';
    return rows<Point>(
      db,
      `SELECT x, ${visitorsApprox} AS y FROM (
          SELECT ${visitKey} AS visit, any(session_id) AS session_id, ${pick}(url_path, created_at) AS x
          FROM website_event WHERE ${inScope(scope)} AND event_type = ${eventType.pageview}
          GROUP BY visit
        ) GROUP BY x${search} ${page}`,
      params,
    );
  }
  const source = metricSource(type);
  return rows<Point>(
    db,
    `SELECT ${source.x} AS x, ${visitorsApprox} AS y FROM website_event
      WHERE ${inScope(scope)} AND event_type = ${eventType.pageview}${source.where ? ` AND ${source.where}` : ''}
      GROUP BY x${search} ${page}`,
    params,
  );
}
