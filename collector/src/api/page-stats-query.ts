import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { rows } from '../storage/client';
import { scopeParams, visitKey, type Scope, type Stats } from './query-vocabulary';
import { builtDaysOf, type BuildsLookup } from './built-days';

/**
 * Stats with one `eq.` filter on a page attribute (path=eq./pricing): the pageviews with that
 * value grouped by visit. Visits wholly inside a built day come summed from daily_page_stats;
 * visits crossing midnight are put together from their per-day rows in daily_page_visits and
 * their matching pageviews in the rest of the range, which are read from the events. Null when no
 * whole day of the range has a valid build (the caller then reads the events alone).
 */
export async function pageStatsFromRollup(db: ClickHouseClient, scope: Scope, builds?: BuildsLookup): Promise<Stats | null> {
  const filter = scope.filter.pageStatsRollup;
  if (!filter) return null;
  const days = await builtDaysOf(db, scope, builds);
  if (!days) return null;
  const value = `dimension = {dimension:String} AND value = {dimensionValue:String}`;
  const [row] = await rows<Stats>(
    db,
    `SELECT toUInt64(sum(p)) AS pageviews, uniqCombinedMerge(17)(u) AS visitors, toUInt64(sum(v)) AS visits,
        toUInt64(sum(b)) AS bounces, toUInt64(sum(s)) AS totaltime
      FROM (
        SELECT pageviews AS p, visits AS v, bounces AS b, seconds AS s, visitors AS u FROM daily_page_stats WHERE ${days.built} AND ${value}
        UNION ALL
        SELECT sum(views), count(), countIf(views = 1), toUInt64(sum(last - first)), uniqCombinedState(17)(session) FROM (
          SELECT visit, any(session_id) AS session, sum(n) AS views, min(first_second) AS first, max(last_second) AS last FROM (
            SELECT ${visitKey} AS visit, session_id, pageviews AS n, first_second, last_second FROM daily_page_visits WHERE ${days.built} AND ${value}
            UNION ALL
            SELECT ${visitKey}, session_id, 1, toUInt32(created_at), toUInt32(created_at) FROM website_event
            WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.pageview} AND ${days.inRest}${scope.filter.sql}
          ) GROUP BY visit
        )
      )`,
    { ...scopeParams(scope), ...days.params, dimension: filter.dimension, dimensionValue: filter.value },
  );
  return row ?? null;
}
