import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { rows } from '../storage/client';
import { rankingVisitorsState } from '../storage/rollups';
import { exitsFromRollup } from './exit-query';
import { inScope, rankingHaving, rankingPage, scopeParams, visitKey, visitorsApprox, type Point, type Scope } from './query-vocabulary';
import { visitRollupsSplit, metricSplit } from './rollup-choice';
import { columnMetrics, metricSource, type ColumnMetric } from './umami-names';

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
}

/** What every ranking query of a metric shares: its parameters and its HAVING clause (a search). */
interface Ranking {
  params: Record<string, unknown>;
  having: string;
}

/**
 * `[{x, y}]` for one metric, largest `y` first, then `x`. Where it is read from, in this order:
 * custom events from the events; the rollup's whole days with the partial days from the events;
 * entry pages marked at ingest; exit pages from the visit rollups' built days; entry and exit
 * pages by grouping the visits; every other metric from the events.
 */
export async function queryMetric(db: ClickHouseClient, scope: Scope, type: MetricType, options: MetricOptions): Promise<Point[]> {
  const ranking: Ranking = {
    params: { ...scopeParams(scope), limit: options.limit, offset: options.offset, search: options.search ?? '' },
    having: rankingHaving(Boolean(options.search)),
  };
  if (type === 'event') return eventNames(db, scope, ranking);
  const rolledUp = metricSplit(scope, type);
  if (rolledUp) return fromDailyMetrics(db, rolledUp, ranking);
  if (type === 'entry' && scope.filter.wholeVisits) return markedEntries(db, scope, ranking);
  const exits = type === 'exit' ? await visitRollupsSplit(db, scope) : null;
  if (exits) return exitsFromRollup(db, exits, { search: Boolean(options.search) }, ranking.params);
  if (type === 'entry' || type === 'exit') return visitEnds(db, scope, type, ranking);
  return fromEvents(db, scope, type, ranking);
}

/** Custom events by name, counted (not visitors). */
function eventNames(db: ClickHouseClient, scope: Scope, { params, having }: Ranking): Promise<Point[]> {
  return rows<Point>(
    db,
    `SELECT event_name AS x, count() AS y FROM website_event
      WHERE ${inScope(scope)} AND event_type = ${eventType.custom} GROUP BY x${having} ${rankingPage}`,
    params,
  );
}

/** The whole days from daily_metrics, the partial days at the ends from the events. */
function fromDailyMetrics(db: ClickHouseClient, { metric, split }: NonNullable<ReturnType<typeof metricSplit>>, { params, having }: Ranking): Promise<Point[]> {
  const source = metric === 'entry' ? { x: 'url_path', where: '' } : metricSource(metric);
  const some = metric === 'entry' || source.where ? " AND value != ''" : '';
  const events = metric === 'entry' ? 'visit_pageview = 1' : `event_type = ${eventType.pageview}${source.where ? ` AND ${source.where}` : ''}`;
  return rows<Point>(
    db,
    `SELECT x, uniqCombinedMerge(12)(v) AS y FROM (
        SELECT value AS x, visitors AS v FROM daily_metrics WHERE ${split.inRollup} AND metric = {metric:String}${some}
        UNION ALL
        SELECT toString(${source.x}) AS x, ${rankingVisitorsState} AS v FROM website_event
        WHERE website_id = {websiteId:UUID} AND ${events} AND ${split.inEvents} GROUP BY x
      ) GROUP BY x${having} ${rankingPage}`,
    { ...params, ...split.params },
  );
}

/** Entry pages when the filters keep whole visits: ingest marks each visit's first pageview, so no grouping by visit is needed. */
function markedEntries(db: ClickHouseClient, scope: Scope, { params, having }: Ranking): Promise<Point[]> {
  return rows<Point>(
    db,
    `SELECT url_path AS x, ${visitorsApprox} AS y FROM website_event
      WHERE ${inScope(scope)} AND visit_pageview = 1 GROUP BY x${having} ${rankingPage}`,
    params,
  );
}

/** Entry or exit pages by grouping the scope's pageviews by visit (the first or the last). */
function visitEnds(db: ClickHouseClient, scope: Scope, type: 'entry' | 'exit', { params, having }: Ranking): Promise<Point[]> {
  const pick = type === 'entry' ? 'argMin' : 'argMax';
  return rows<Point>(
    db,
    `SELECT x, ${visitorsApprox} AS y FROM (
        SELECT ${visitKey} AS visit, any(session_id) AS session_id, ${pick}(url_path, created_at) AS x
        FROM website_event WHERE ${inScope(scope)} AND event_type = ${eventType.pageview}
        GROUP BY visit
      ) GROUP BY x${having} ${rankingPage}`,
    params,
  );
}

/** A column's values over the scope's pageviews. */
function fromEvents(db: ClickHouseClient, scope: Scope, type: ColumnMetric, { params, having }: Ranking): Promise<Point[]> {
  const source = metricSource(type);
  return rows<Point>(
    db,
    `SELECT ${source.x} AS x, ${visitorsApprox} AS y FROM website_event
      WHERE ${inScope(scope)} AND event_type = ${eventType.pageview}${source.where ? ` AND ${source.where}` : ''}
      GROUP BY x${having} ${rankingPage}`,
    params,
  );
}
