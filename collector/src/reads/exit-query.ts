import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { rankingVisitorsState } from '../storage/rollups';
import { rows } from '../storage/client';
import { rankingHaving, rankingPage, visitKey, type Point, type Split } from './query-vocabulary';

/**
 * Exit pages without filters, from the visit rollups' built days (`split`, from visitRollupsSplit): the
 * visitors of each path that visits in the range last viewed. Visits wholly inside a built day
 * come from daily_exits; visits crossing midnight are put together from their per-day rows in
 * daily_exit_visits and their pageviews in the rest of the range, read from the events. `search`:
 * only paths containing {search:String}; the page is {limit:UInt32} and {offset:UInt32} of `params`.
 */
export function exitsFromRollup(db: ClickHouseClient, split: Split, options: { search: boolean }, params: Record<string, unknown>): Promise<Point[]> {
  return rows<Point>(
    db,
    `SELECT x, uniqCombinedMerge(12)(visitor_state) AS y FROM (
        SELECT path AS x, visitors AS visitor_state FROM daily_exits WHERE ${split.inRollup}
        UNION ALL
        SELECT x, ${rankingVisitorsState} AS visitor_state FROM (
          SELECT visit, any(session) AS session_id, argMax(page, at) AS x FROM (
            SELECT ${visitKey} AS visit, session_id AS session, path AS page, last_at AS at FROM daily_exit_visits WHERE ${split.inRollup}
            UNION ALL
            SELECT ${visitKey} AS visit, session_id AS session, url_path AS page, created_at AS at FROM website_event
            WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.pageview} AND ${split.inEvents}
          ) GROUP BY visit
        ) GROUP BY x
      ) GROUP BY x${rankingHaving(options.search)} ${rankingPage}`,
    { ...params, ...split.params },
  );
}
