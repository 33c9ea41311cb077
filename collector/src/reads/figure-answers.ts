import type { ClickHouseClient } from '@clickhouse/client';
import { importedMetric, importedSeries, importedTotals } from './imported-reads';
import { comparisonRange, type Unit } from './date-range';
import { addSeries, addTotals, importedScope, mergeRanked } from './imported-figures';
import { queryMetric, type MetricOptions, type MetricType } from './metric-query';
import { queryPageviews } from './pageviews-query';
import type { Scope } from './query-vocabulary';
import { queryStatsCompared } from './stats-query';

// The answers of the three figure routes (stats, pageviews, metrics): our own figures, the
// comparison period's, and the imported days' (Plausible's export) added when asked. `tz` is a
// checked time zone; `imported` whether the request asked for the imported days.

/** Stats over the scope and over the period it is compared with, each with the imported days' totals when asked. */
export async function statsAnswer(
  reads: ClickHouseClient,
  scope: Scope,
  { compare, imported, tz }: { compare: 'prev' | 'yoy'; imported?: boolean; tz: string },
) {
  const previous = { ...scope, ...comparisonRange(scope, compare) };
  const [current, comparison] = await queryStatsCompared(reads, scope, previous);
  const [now, before] = [importedScope(scope, imported, tz), importedScope(previous, imported, tz)];
  if (!now || !before) return { ...current, comparison };
  return { ...addTotals(current, await importedTotals(reads, now)), comparison: addTotals(comparison, await importedTotals(reads, before)) };
}

/** Pageviews and sessions by `unit`, the imported buckets added (and listed apart) when asked, and the comparison's series when asked. */
export async function pageviewsAnswer(
  reads: ClickHouseClient,
  scope: Scope,
  { unit, tz, compare, imported }: { unit: Unit; tz: string; compare?: 'prev' | 'yoy'; imported?: boolean },
) {
  const withImported = async (range: Scope) => {
    const own = await queryPageviews(reads, range, unit, tz);
    const part = importedScope(range, imported, tz);
    if (!part) return { own, imported: null };
    const buckets = await importedSeries(reads, part, unit);
    return { own: addSeries(own, buckets), imported: buckets };
  };
  const { own: series, imported: buckets } = await withImported(scope);
  const marked = buckets
    ? {
        imported: {
          pageviews: buckets.map((b) => ({ x: b.x, y: Number(b.pageviews) })),
          sessions: buckets.map((b) => ({ x: b.x, y: Number(b.sessions) })),
        },
      }
    : {};
  if (!compare) return { ...series, ...marked };
  const other = comparisonRange(scope, compare);
  const { own: compared } = await withImported({ ...scope, ...other });
  return {
    ...series,
    ...marked,
    compare: { ...compared, startDate: new Date(other.startAt).toISOString(), endDate: new Date(other.endAt).toISOString() },
  };
}

/** One metric's ranking; with the imported days, both rankings to the page's end, merged and paged again. */
export async function metricAnswer(
  reads: ClickHouseClient,
  scope: Scope,
  metric: MetricType,
  { limit, offset, search, imported, tz }: MetricOptions & { imported?: boolean; tz: string },
) {
  const part = importedScope(scope, imported, tz);
  if (!part) return queryMetric(reads, scope, metric, { limit, offset, search });
  const own = await queryMetric(reads, scope, metric, { limit: offset + limit, offset: 0, search });
  const theirs = await importedMetric(reads, part, metric, { limit: offset + limit, search, alsoValues: own.map((p) => p.x) });
  return mergeRanked(own, theirs, offset, limit);
}
