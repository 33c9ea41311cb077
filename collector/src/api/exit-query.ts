import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { rankingVisitorsState } from '../storage/rollups';
import { rows } from '../storage/client';
import { visitKey, type Point, type Split } from './query-vocabulary';

/**
 * Exit pages without filters, from the visit rollups' built days (`split`, from visitRollupsSplit): the
 * visitors of each path that visits in the range last viewed. Visits wholly inside a built day
 * come from daily_exits; visits crossing midnight are put together from their per-day rows in
 * daily_exit_visits and their pageviews in the rest of the range, read from the events.
 */
export function exitsFromRollup(db: ClickHouseClient, split: Split, having: string, page: string, params: Record<string, unknown>): Promise<Point[]> {
  return rows<Point>(
    db,
    `SELECT x, uniqCombinedMerge(12)(v) AS y FROM (
        SELECT path AS x, visitors AS v FROM daily_exits WHERE ${split.inRollup}
        UNION ALL
        SELECT x, ${rankingVisitorsState} AS v FROM (
          SELECT visit, any(session) AS session_id, argMax(page, at) AS x FROM (
            SELECT ${visitKey} AS visit, session_id AS session, path AS page, last_at AS at FROM daily_exit_visits WHERE ${split.inRollup}
            UNION ALL
            SELECT ${visitKey}, session_id, url_path, created_at FROM website_event
            WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.pageview} AND ${split.inEvents}
          ) GROUP BY visit
        ) GROUP BY x
      ) GROUP BY x${having} ${page}`,
    { ...params, ...split.params },
  );
}
