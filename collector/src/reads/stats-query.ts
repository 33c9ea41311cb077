import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { rows } from '../storage/client';
import { headlineVisitorsState } from '../storage/rollups';
import { buildsLookupFor, type BuildsLookup } from './built-days';
import { inScope, scopeParams, visitKey, type Scope, type Split, type Stats } from './query-vocabulary';
import { statsSource } from './rollup-choice';

/**
 * Umami's summary: pageviews; visitors = distinct sessions; visits = distinct visits;
 * bounces = visits with one pageview; totaltime = the sum over visits of last minus first
 * pageview, in seconds.
 *
 * Without filters, or with filters on session attributes only (country, browser, …: a visit
 * matches whole or not at all), it is one pass over the range, using what ingest recorded on
 * each pageview (its place in the visit, the gap since the previous one, when the visit's first
 * pageview was): a visit counts in the range where its first pageview is. With other filters, the
 * events that match are grouped by visit. Where a rollup can answer for part of the range,
 * rollup-choice.ts says so. `builds` shares one look-up of the visit rollups' builds between the
 * periods of one request.
 */
export async function queryStats(db: ClickHouseClient, scope: Scope, builds?: BuildsLookup): Promise<Stats> {
  const source = await statsSource(db, scope, builds);
  const [row] =
    source.rollup === 'daily_page_stats'
      ? await rows<Stats>(db, pageStatsFromRollup(scope, source.split), source.split.params)
      : source.rollup === 'daily_stats'
        ? await rows<Stats>(db, statsFromRollup(scope, source.split), source.split.params)
        : await rows<Stats>(db, scope.filter.wholeVisits ? statsInOnePass(scope) : statsByVisit(scope), scopeParams(scope));
  return row ?? { pageviews: 0, visitors: 0, visits: 0, bounces: 0, totaltime: 0 };
}

/** Stats of a range and of the range it is compared with, the visit rollups' builds looked up once for both. */
export async function queryStatsCompared(db: ClickHouseClient, scope: Scope, previous: Scope): Promise<[Stats, Stats]> {
  const builds = buildsLookupFor(db, scope.websiteId, [scope, previous]);
  return Promise.all([queryStats(db, scope, builds), queryStats(db, previous, builds)]);
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
const statsFromRollup = (scope: Scope, split: Split) => `SELECT toUInt64(sum(pageview_count)) AS pageviews, uniqCombinedMerge(17)(visitor_state) AS visitors,
    toUInt64(sum(visit_count)) AS visits, visits - toUInt64(sum(second_view_count)) AS bounces, intDiv(toUInt64(sum(gap_ms_sum)), 1000) AS totaltime
  FROM (
    SELECT toUInt64(pageviews) AS pageview_count, toUInt64(visits) AS visit_count,
      if(start_day >= {fromDay:Date}, toUInt64(second_views), 0) AS second_view_count,
      if(start_day >= {fromDay:Date}, toUInt64(gap_ms), 0) AS gap_ms_sum, visitors AS visitor_state
    FROM daily_stats WHERE ${split.inRollup} AND dimension = {dimension:String} AND value = {dimensionValue:String}
    UNION ALL
    SELECT count() AS pageview_count, countIf(visit_pageview = 1) AS visit_count,
      countIf(visit_pageview = 2 AND visit_start >= ${rangeStart}) AS second_view_count,
      sumIf(toUInt64(visit_gap_ms), visit_pageview >= 2 AND visit_start >= ${rangeStart}) AS gap_ms_sum, ${headlineVisitorsState} AS visitor_state
    FROM website_event WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.pageview} AND ${split.inEvents}${scope.filter.sql}
    UNION ALL
    SELECT 0 AS pageview_count, 0 AS visit_count, countIf(visit_pageview = 2) AS second_view_count, sum(toUInt64(visit_gap_ms)) AS gap_ms_sum,
      ${headlineVisitorsState} AS visitor_state
    FROM website_event WHERE website_id = {websiteId:UUID}
      AND created_at >= fromUnixTimestamp64Milli({wholeStart:Int64}) AND created_at < fromUnixTimestamp64Milli({wholeEnd:Int64})
      AND visit_pageview >= 2 AND visit_start >= ${rangeStart} AND visit_start < fromUnixTimestamp64Milli({wholeStart:Int64})${scope.filter.sql}
  )`;

/**
 * Stats with one `eq.` filter on a page attribute (path=eq./pricing): the pageviews with that
 * value grouped by visit. Visits wholly inside a built day come summed from daily_page_stats;
 * visits crossing midnight are put together from their per-day rows in daily_page_visits and
 * their matching pageviews in the rest of the range, which are read from the events.
 */
const pageStatsFromRollup = (scope: Scope, split: Split) => {
  const value = `dimension = {dimension:String} AND value = {dimensionValue:String}`;
  return `SELECT toUInt64(sum(pageview_count)) AS pageviews, uniqCombinedMerge(17)(visitor_state) AS visitors, toUInt64(sum(visit_count)) AS visits,
      toUInt64(sum(bounce_count)) AS bounces, toUInt64(sum(seconds_sum)) AS totaltime
    FROM (
      SELECT pageviews AS pageview_count, visits AS visit_count, bounces AS bounce_count, seconds AS seconds_sum, visitors AS visitor_state
      FROM daily_page_stats WHERE ${split.inRollup} AND ${value}
      UNION ALL
      SELECT sum(views) AS pageview_count, count() AS visit_count, countIf(views = 1) AS bounce_count, toUInt64(sum(last - first)) AS seconds_sum,
        uniqCombinedState(17)(session) AS visitor_state
      FROM (
        SELECT visit, any(session_id) AS session, sum(views_in_visit) AS views, min(first_second) AS first, max(last_second) AS last FROM (
          SELECT ${visitKey} AS visit, session_id AS session_id, pageviews AS views_in_visit, first_second AS first_second, last_second AS last_second
          FROM daily_page_visits WHERE ${split.inRollup} AND ${value}
          UNION ALL
          SELECT ${visitKey} AS visit, session_id AS session_id, 1 AS views_in_visit, toUInt32(created_at) AS first_second, toUInt32(created_at) AS last_second
          FROM website_event
          WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.pageview} AND ${split.inEvents}${scope.filter.sql}
        ) GROUP BY visit
      )
    )`;
};
