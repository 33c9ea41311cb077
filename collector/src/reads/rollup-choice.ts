import type { ClickHouseClient } from '@clickhouse/client';
import { rolledUpMetrics, statsDimensions, type RolledUpMetric } from '../storage/rollups';
import { pageStatsDimensions, type PageStatsDimension } from '../storage/visit-rollup-tables';
import { builtDaysOf, type BuildsLookup } from './built-days';
import type { Unit } from './date-range';
import type { FilterTerm } from './filters';
import { scopeParams, type Scope, type Split } from './query-vocabulary';
import { wholeDaysOf, wholeHourOffsets, wholeHoursOf } from './whole-days';

// The one place that decides where an answer comes from: a rollup for the part of the range it
// holds, the rest read from the events, or the events alone. Each query family asks here and
// builds its SQL from the Split it gets (conditions with the parameters they name); the routes
// call the queries and never learn that rollups exist. What each rollup holds is explained in
// collector/src/storage/README.md.
//
// The events alone answer when the scope asks for it (`eventsOnly`: tests compare both ways),
// when the filter hides rows the rollups still hold (a reset website's old rows, while ClickHouse
// deletes them), and when no rollup is kept by the filters the request carries.

/** Rows of the events table outside [wholeStart, wholeEnd): the partial days (or hours) at either end. */
const inPartialEnds = `((created_at >= fromUnixTimestamp64Milli({startAt:Int64}) AND created_at < fromUnixTimestamp64Milli({wholeStart:Int64}))
    OR (created_at >= fromUnixTimestamp64Milli({wholeEnd:Int64}) AND created_at <= fromUnixTimestamp64Milli({endAt:Int64})))`;

const rollupsMayAnswer = (scope: Scope) => !scope.eventsOnly && !scope.filter.beyondRollups;
const unfiltered = (scope: Scope) => rollupsMayAnswer(scope) && scope.filter.terms.length === 0;

/** The one `eq.` filter of a request, when it carries exactly one. */
const onlyEquality = (scope: Scope): FilterTerm | null => {
  const [term, ...others] = scope.filter.terms;
  return term && others.length === 0 && term.operator === 'eq' ? term : null;
};

/** The whole UTC days of the scope from a daily rollup (`website_id` and `day` conditions), the ends from the events. */
function dailySplit(scope: Scope, extraParams: Record<string, unknown> = {}): Split | null {
  const days = wholeDaysOf(scope);
  if (!days) return null;
  return {
    inRollup: 'website_id = {websiteId:UUID} AND day BETWEEN {fromDay:Date} AND {toDay:Date}',
    inEvents: inPartialEnds,
    params: { ...scopeParams(scope), ...days, ...extraParams },
  };
}

/** Where stats come from. `builds` shares one look-up of the visit rollups' builds between the periods of a request. */
export type StatsSource = { rollup: 'daily_page_stats' | 'daily_stats'; split: Split } | { rollup: null };

/**
 * Stats: with one `eq.` filter on path, title or referrer, the days the visit rollups built come
 * from daily_page_stats; with no filter, or one `eq.` filter on a session attribute (country, …),
 * the whole days come from daily_stats (dimension '' is the whole site). `split.params` names the
 * rollup's `dimension` and `dimensionValue`.
 */
export async function statsSource(db: ClickHouseClient, scope: Scope, builds?: BuildsLookup): Promise<StatsSource> {
  if (!rollupsMayAnswer(scope)) return { rollup: null };
  const term = onlyEquality(scope);
  if (term && term.name in pageStatsDimensions) {
    const split = await builtDaysOf(db, scope, builds);
    const key = { dimension: term.name as PageStatsDimension, dimensionValue: term.value };
    if (split) return { rollup: 'daily_page_stats', split: { ...split, params: { ...split.params, ...key } } };
    return { rollup: null };
  }
  const key =
    scope.filter.terms.length === 0
      ? { dimension: '', dimensionValue: '' }
      : term && isStatsDimension(term.name)
        ? { dimension: term.name, dimensionValue: term.value }
        : null;
  const split = key ? dailySplit(scope, key) : null;
  return split ? { rollup: 'daily_stats', split } : { rollup: null };
}

const isStatsDimension = (name: string) => (statsDimensions as readonly string[]).includes(name);

/**
 * Pageview series without filters: the whole UTC hours from hourly_pageviews, when every UTC hour
 * lies inside one local bucket (not for minutes, nor for zones such as +5:30). `inRollup` is on
 * `website_id` and `hour`.
 */
export function pageviewsSplit(scope: Scope, unit: Unit, timezone: string): Split | null {
  if (!unfiltered(scope) || unit === 'minute' || !wholeHourOffsets(timezone, scope)) return null;
  const hours = wholeHoursOf(scope);
  if (!hours) return null;
  return {
    inRollup: `website_id = {websiteId:UUID}
      AND hour >= toDateTime(intDiv({wholeStart:Int64}, 1000), 'UTC') AND hour < toDateTime(intDiv({wholeEnd:Int64}, 1000), 'UTC')`,
    inEvents: inPartialEnds,
    params: { ...scopeParams(scope), ...hours },
  };
}

/**
 * A metric without filters, of a type daily_metrics keeps (`domain` is read from its referrers):
 * the whole days from daily_metrics, with `metric` named in `split.params`.
 */
export function metricSplit(scope: Scope, type: string): { metric: RolledUpMetric; split: Split } | null {
  const metric = type === 'domain' ? 'referrer' : (rolledUpMetrics as readonly string[]).includes(type) ? (type as RolledUpMetric) : null;
  if (!metric || !unfiltered(scope)) return null;
  const split = dailySplit(scope, { metric });
  return split ? { metric, split } : null;
}

/**
 * Exit pages and journeys without filters: the days the visit rollups built (daily_exits and
 * daily_exit_visits; daily_journeys and daily_journey_visits).
 */
export async function visitRollupsSplit(db: ClickHouseClient, scope: Scope): Promise<Split | null> {
  return unfiltered(scope) ? builtDaysOf(db, scope) : null;
}

/** Custom event figures (events stats) without filters: the whole days from daily_custom_events. */
export function customEventsSplit(scope: Scope): Split | null {
  return unfiltered(scope) ? dailySplit(scope) : null;
}

/** Custom event properties without filters: the whole days from daily_event_data. */
export function eventDataSplit(scope: Scope): Split | null {
  return unfiltered(scope) ? dailySplit(scope) : null;
}
