import type { ImportedScope, ImportedTotals } from './imported-reads';
import type { Point, Scope } from './query-vocabulary';

/**
 * How the imported daily figures (Plausible's export, imported-reads.ts) join a read's
 * own, when the read asks for them (`imported=true`). Pure, so it is tested beside it.
 */

/** The imported part of a read: none when the read filters (imported days have no visits to filter). */
export function importedScope(scope: Scope, asked: boolean | undefined, timezone = 'UTC'): ImportedScope | null {
  if (!asked || scope.filter.sql !== '') return null;
  return { websiteId: scope.websiteId, startAt: scope.startAt, endAt: scope.endAt, timezone };
}

/** Totals with the imported ones added. */
export function addTotals<T extends ImportedTotals>(own: T, imported: ImportedTotals): T {
  return {
    ...own,
    visitors: own.visitors + Number(imported.visitors),
    visits: own.visits + Number(imported.visits),
    pageviews: own.pageviews + Number(imported.pageviews),
    bounces: own.bounces + Number(imported.bounces),
    totaltime: own.totaltime + Number(imported.totaltime),
  };
}

/** A series with the imported buckets' figures added to its own buckets of the same `x`. */
export function addSeries(
  own: { pageviews: Point[]; sessions: Point[] },
  imported: { x: string; pageviews: number; sessions: number }[],
): { pageviews: Point[]; sessions: Point[] } {
  const byX = new Map(imported.map((bucket) => [bucket.x, bucket]));
  const add = (points: Point[], key: 'pageviews' | 'sessions') => points.map((p) => ({ x: p.x, y: p.y + Number(byX.get(p.x)?.[key] ?? 0) }));
  return { pageviews: add(own.pageviews, 'pageviews'), sessions: add(own.sessions, 'sessions') };
}

/**
 * A ranked list with the imported values added in: each value's `y` is its own plus its imported
 * one, largest first, then by `x`. The page of `offset`, `limit` is taken from both lists' first
 * `offset + limit` (a value's imported figure is exact whatever its imported rank; a value ranked
 * only among the imported ones adds its own `y` when it is among the own list's first).
 */
export function mergeRanked(own: Point[], imported: Point[], offset: number, limit: number): Point[] {
  const sums = new Map<string, number>();
  for (const point of [...own, ...imported]) sums.set(point.x, (sums.get(point.x) ?? 0) + Number(point.y));
  return [...sums]
    .map(([x, y]) => ({ x, y }))
    .sort((a, b) => b.y - a.y || (a.x < b.x ? -1 : a.x > b.x ? 1 : 0))
    .slice(offset, offset + limit);
}
