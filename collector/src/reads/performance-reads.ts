import type { ClickHouseClient } from '@clickhouse/client';
import { rows } from '../storage/client';
import { bucketOf, type BucketUnit } from './time-buckets';
import { inRangeOfVisits } from './scoped-rows';

export const vitals = ['lcp', 'inp', 'cls', 'fcp', 'ttfb'] as const;
export type Vital = (typeof vitals)[number];
/** What the performance breakdown groups by: Umami's `type`. */
export const performanceDimensions = { path: 'url_path', device: 'device', browser: 'browser', os: 'os', country: 'country', hostname: 'hostname' } as const;
export type PerformanceDimension = keyof typeof performanceDimensions;

/** The website, range and filters of a performance read, as SQL over `website_performance` plus their parameters. */
export interface PerformanceScope {
  websiteId: string;
  startAt: number;
  endAt: number;
  /** ` AND …` conditions on website_performance's own columns (path, hostname, browser, os, device, country). */
  pageConditions: string;
  /** ` AND …` conditions on website_event's columns: only visits with such an event count. */
  visitConditions: string;
  params: Record<string, string>;
}

/** p50, p75 and p95 as PostgreSQL's percentile_cont (linear interpolation between ranks), nulls left out. */
const percentiles = (column: string) => `quantilesExactInclusive(0.5, 0.75, 0.95)(${column})`;

const where = (scope: PerformanceScope) => `${inRangeOfVisits(scope.visitConditions)}${scope.pageConditions}`;

const paramsOf = (scope: PerformanceScope) => ({ ...scope.params, websiteId: scope.websiteId, startAt: String(scope.startAt), endAt: String(scope.endAt) });

export interface Percentiles {
  p50: number;
  p75: number;
  p95: number;
}

/** ClickHouse's empty quantiles are NaN (no values): 0, as Umami answers. */
const percentilesOf = (values: number[] | undefined): Percentiles => {
  const [p50 = 0, p75 = 0, p95 = 0] = (values ?? []).map((value) => (Number.isFinite(value) ? Number(value.toFixed(4)) : 0));
  return { p50, p75, p95 };
};

/** Every vital's percentiles over the scope, and how many performance beacons it holds. */
export async function performanceStats(db: ClickHouseClient, scope: PerformanceScope): Promise<Record<Vital, Percentiles> & { count: number }> {
  const [row] = await rows<Record<Vital, number[]> & { count: number }>(
    db,
    `SELECT ${vitals.map((vital) => `${percentiles(vital)} AS ${vital}`).join(', ')}, count() AS count FROM website_performance WHERE ${where(scope)}`,
    paramsOf(scope),
  );
  return {
    lcp: percentilesOf(row?.lcp),
    inp: percentilesOf(row?.inp),
    cls: percentilesOf(row?.cls),
    fcp: percentilesOf(row?.fcp),
    ttfb: percentilesOf(row?.ttfb),
    count: row?.count ?? 0,
  };
}

/** One vital's percentiles per value of a dimension, the most measured first. */
export async function performanceBreakdown(
  db: ClickHouseClient,
  scope: PerformanceScope,
  { vital, dimension, limit }: { vital: Vital; dimension: PerformanceDimension; limit: number },
): Promise<({ name: string; count: number } & Percentiles)[]> {
  const found = await rows<{ name: string; count: number; values: number[] }>(
    db,
    `SELECT ${performanceDimensions[dimension]} AS name, count(${vital}) AS count, ${percentiles(vital)} AS values
     FROM website_performance WHERE ${where(scope)} AND ${vital} IS NOT NULL
     GROUP BY name ORDER BY count DESC, name LIMIT {limit:UInt32}`,
    { ...paramsOf(scope), limit: String(limit) },
  );
  return found.map(({ name, count, values }) => ({ name, count, ...percentilesOf(values) }));
}

/** One vital's percentiles per bucket of `unit` in `timezone`, buckets with measurements only. */
export async function performanceChart(
  db: ClickHouseClient,
  scope: PerformanceScope,
  { vital, unit, timezone }: { vital: Vital; unit: BucketUnit; timezone: string },
): Promise<({ t: string } & Percentiles)[]> {
  const found = await rows<{ t: string; values: number[] }>(
    db,
    `SELECT formatDateTime(b, '%Y-%m-%d %H:%i:%S', {timezone:String}) AS t, values FROM (
       SELECT ${bucketOf[unit]('created_at')} AS b, ${percentiles(vital)} AS values FROM website_performance
       WHERE ${where(scope)} AND ${vital} IS NOT NULL GROUP BY b ORDER BY b)`,
    { ...paramsOf(scope), timezone },
  );
  return found.map(({ t, values }) => ({ t, ...percentilesOf(values) }));
}
