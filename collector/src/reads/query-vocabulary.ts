import type { DateRange } from './date-range';
import type { SqlFilter } from './filters';

// The read queries' shared vocabulary: what a query is about, its bound parameters, and the SQL
// fragments every query family uses. A leaf: it imports no query.

/** What every analytics query is about: one website, a time range, and the request's filters. */
export interface Scope extends DateRange {
  websiteId: string;
  filter: SqlFilter;
  /** Read the events alone, never a rollup (tests compare the two answers). */
  eventsOnly?: boolean;
}

/**
 * A range split between a rollup and the events (see rollup-choice.ts): conditions on the
 * rollup's rows, conditions on website_event's rows for the rest of the range, and every
 * parameter either names (the scope's included).
 */
export interface Split {
  inRollup: string;
  inEvents: string;
  params: Record<string, unknown>;
}

/**
 * Unique visitors in rankings and series: exact up to 256 sessions in a group, then HyperLogLog
 * with 2^12 cells (about 1.6% error); twice as fast as uniq() at 10 million events, and 3× faster
 * than uniqCombined(17) to merge from daily_metrics. Headline visitor counts (stats) use
 * uniqCombined(17): exact up to about ten thousand, then 2^17 cells (about 0.3% error; 0.14% on
 * the bench data, where uniq() was off by 0.16%); as fast as uniq() on events, and its daily
 * states in daily_stats merge in a third of uniq()'s time.
 */
export const visitorsApprox = 'uniqCombined(12)(session_id)';

/**
 * Visits are grouped by a 64-bit hash of their id: grouping 8-byte keys instead of 16-byte UUIDs
 * makes the per-visit step a third faster, and a collision among a few million visits is
 * vanishingly unlikely (about n²/2^65).
 */
export const visitKey = 'cityHash64(visit_id)';

/** Bound parameters of a scope. */
export const scopeParams = (scope: Scope) => ({ websiteId: scope.websiteId, startAt: scope.startAt, endAt: scope.endAt, ...scope.filter.params });

/** Events in the range, both ends included. */
export const inRange = 'created_at BETWEEN fromUnixTimestamp64Milli({startAt:Int64}) AND fromUnixTimestamp64Milli({endAt:Int64})';

/** `website_id = … AND created_at in range`, plus the filters. */
export const inScope = (scope: Scope) => `website_id = {websiteId:UUID} AND ${inRange}${scope.filter.sql}`;

export interface Stats {
  pageviews: number;
  visitors: number;
  visits: number;
  bounces: number;
  totaltime: number;
}

/** A ranking's filter on its values (`search`: only those containing {search:String}, any case), after its GROUP BY x. */
export const rankingHaving = (search: boolean) => (search ? ' HAVING positionCaseInsensitiveUTF8(x, {search:String}) > 0' : '');

/** A ranking's order and page: largest y first, then x; {limit:UInt32} rows from {offset:UInt32}. */
export const rankingPage = 'ORDER BY y DESC, x ASC LIMIT {limit:UInt32} OFFSET {offset:UInt32}';

export interface Point {
  x: string;
  y: number;
}
