import { Type, type TOptional, type TString } from 'typebox';
import { ApiError } from '../errors';
import { filterNames, sessionFilters, umamiNames, type FilterName } from './umami-names';
import { eventType } from '../shared/event-types';
import { inRange } from './query-vocabulary';

export { filterNames, type FilterName } from './umami-names';

/** The longest filter value accepted; past it a request is refused with 400. */
export const maxFilterLength = 500;

// Umami's operator prefixes: eq. (the default), neq., c. (contains), dnc. (does not contain).
const operators = {
  eq: (column: string, param: string) => `${column} = ${param}`,
  neq: (column: string, param: string) => `${column} != ${param}`,
  c: (column: string, param: string, value: string) => `${containsFunction(value)}(${column}, ${param}) > 0`,
  dnc: (column: string, param: string, value: string) => `${containsFunction(value)}(${column}, ${param}) = 0`,
} as const;

/**
 * Case-insensitive search: the byte-wise function for an ASCII value (a third faster; ASCII bytes
 * never occur inside a UTF-8 sequence, so it matches the same rows), the UTF-8 one otherwise.
 */
const containsFunction = (value: string) => (/^[\x20-\x7e]*$/.test(value) ? 'positionCaseInsensitive' : 'positionCaseInsensitiveUTF8');

/** Filters on what a session keeps for its whole life: every event of a visit matches or none does. */
const sessionLevel = new Set<FilterName>(sessionFilters);

export type Operator = keyof typeof operators;

/** One filter of a request: `country=eq.DE` is { name: 'country', operator: 'eq', value: 'DE' }. */
export interface FilterTerm {
  name: FilterName;
  operator: Operator;
  value: string;
}

export interface SqlFilter {
  /** `AND …` conditions, or '' when there are none. */
  sql: string;
  /** True when every filter is on a session attribute, so whole visits match or do not. */
  wholeVisits: boolean;
  /** The bound values the conditions name, as ClickHouse query parameters. */
  params: Record<string, string>;
  /** The filters as the request gave them, in the order of `filterNames` (rollup-choice.ts reads them). */
  terms: readonly FilterTerm[];
  /**
   * True when the rollups cannot apply the conditions (a reset's old rows to hide, `match=any`,
   * `excludeBounce`): then only the events answer.
   */
  beyondRollups: boolean;
}

/** What a request's querystring may carry besides the filters themselves: how they combine, and whether bounces count. */
export type FilterOptions = {
  /** `any`: an event matches when one filter does (Umami's `match`); default `all`. */
  match?: 'all' | 'any';
  /** A non-empty value other than `false` or `0` leaves out visits with one pageview or none. */
  excludeBounce?: string;
};

/** This website's events in the scope's range (the parameters every scope binds). */
const inScopeRange = `website_id = {websiteId:UUID} AND ${inRange}`;

/** A filter's condition on one event row; distinct ids are kept per session in session_data (identify, or `id` on any beacon). */
function rowCondition(name: FilterName, operator: Operator, param: string, value: string): string {
  const condition = operators[operator](umamiNames[name].column, `{${param}:String}`, value);
  if (name === 'distinctId') return `session_id IN (SELECT session_id FROM session_data WHERE website_id = {websiteId:UUID} AND ${condition})`;
  return condition;
}

/** Each filter's condition: most compare a column; `event` keeps the visits that had such an event. */
function conditionOf(name: FilterName, operator: Operator, param: string, value: string): string {
  // An event filter keeps the visits in which such an event happened, so pageview counts still
  // make sense ("pageviews of visits that signed up").
  if (name === 'event') {
    const condition = operators[operator](umamiNames.event.column, `{${param}:String}`, value);
    return `visit_id IN (SELECT visit_id FROM website_event WHERE ${inScopeRange} AND event_type = ${eventType.custom} AND ${condition})`;
  }
  return rowCondition(name, operator, param, value);
}

/**
 * A saved cohort, resolved (saved-filters.ts): the visitors who did `action` in its own range on an
 * event matching its filters. A visitor is the distinct id the site gave (so a cohort reaches past
 * the day a session id lasts) or, without one, the session.
 */
export interface CohortFilter {
  startAt: number;
  endAt: number;
  action: { type: 'path' | 'event'; value: string };
  terms: readonly FilterTerm[];
  match: 'all' | 'any';
}

function cohortCondition(cohort: CohortFilter, params: Record<string, string>): string {
  params.cohort_startAt = String(cohort.startAt);
  params.cohort_endAt = String(cohort.endAt);
  params.cohort_action = cohort.action.value;
  const action =
    cohort.action.type === 'path'
      ? `event_type = ${eventType.pageview} AND url_path = {cohort_action:String}`
      : `event_type = ${eventType.custom} AND event_name = {cohort_action:String}`;
  const conditions = cohort.terms.map(({ name, operator, value }, i) => {
    params[`cohort_${i}`] = value;
    return rowCondition(name, operator, `cohort_${i}`, value);
  });
  const filters = conditions.length === 0 ? '' : ` AND (${conditions.join(cohort.match === 'any' ? ' OR ' : ' AND ')})`;
  const members = `SELECT DISTINCT session_id FROM website_event WHERE website_id = {websiteId:UUID}
    AND created_at BETWEEN fromUnixTimestamp64Milli({cohort_startAt:Int64}) AND fromUnixTimestamp64Milli({cohort_endAt:Int64}) AND ${action}${filters}`;
  return `(session_id IN (${members}) OR session_id IN (SELECT session_id FROM session_data WHERE website_id = {websiteId:UUID} AND distinct_id != ''
    AND distinct_id IN (SELECT distinct_id FROM session_data WHERE website_id = {websiteId:UUID} AND distinct_id != '' AND session_id IN (${members}))))`;
}

const bounceOff = new Set(['', 'false', '0']);

/** Builds the WHERE conditions for the filters a query string carries; every value is a bound parameter. */
export function buildFilters(query: Partial<Record<FilterName, string>> & FilterOptions, cohort: CohortFilter | null = null): SqlFilter {
  const conditions: string[] = [];
  const params: Record<string, string> = {};
  const terms: FilterTerm[] = [];
  let wholeVisits = true;
  for (const name of filterNames) {
    const raw = query[name];
    if (raw === undefined) continue;
    if (raw.length > maxFilterLength) throw new ApiError('badRequest', `${name} is longer than ${maxFilterLength} characters`);
    const match = /^(eq|neq|c|dnc)\.(.*)$/s.exec(raw);
    const [operator, value] = match ? [match[1] as Operator, match[2]!] : (['eq', raw] as const);
    terms.push({ name, operator, value });
    const param = `filter_${name}`;
    params[param] = value;
    if (!sessionLevel.has(name)) wholeVisits = false;
    conditions.push(conditionOf(name, operator, param, value));
  }
  const anyOf = query.match === 'any' && conditions.length > 1;
  const parts = anyOf ? [`(${conditions.join(' OR ')})`] : conditions;
  const excludeBounce = query.excludeBounce !== undefined && !bounceOff.has(query.excludeBounce);
  if (excludeBounce) {
    parts.push(
      `visit_id IN (SELECT visit_id FROM website_event WHERE ${inScopeRange} AND event_type = ${eventType.pageview} GROUP BY visit_id HAVING count() > 1)`,
    );
  }
  if (cohort) parts.push(cohortCondition(cohort, params));
  return { sql: parts.map((c) => ` AND ${c}`).join(''), params, wholeVisits, terms, beyondRollups: anyOf || excludeBounce || cohort !== null };
}

/** Schema properties for the filters, for a route's querystring (each optional, up to 500 characters). */
export const filterProperties = Object.fromEntries(filterNames.map((name) => [name, Type.Optional(Type.String({ maxLength: maxFilterLength }))])) as Record<
  FilterName,
  TOptional<TString>
>;

/**
 * The filter with every event up to `resetAt` left out: a reset website's old rows, while
 * ClickHouse is still deleting them. The answer comes from the events, not the rollups (which
 * still hold the old rows too).
 */
export function afterReset(filter: SqlFilter, resetAt: number): SqlFilter {
  return {
    sql: `${filter.sql} AND created_at > fromUnixTimestamp64Milli({resetAt:Int64})`,
    params: { ...filter.params, resetAt: String(resetAt) },
    wholeVisits: false,
    terms: filter.terms,
    beyondRollups: true,
  };
}
