import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../ingest/event-row';
import { validExitBuilds } from '../storage/exit-rollup';
import { rankingVisitorsState } from '../storage/rollups';
import { rows, scopeParams, visitKey, type Point, type Scope } from './analytics-queries';
import { wholeDaysOf } from './whole-days';

const dayMs = 86_400_000;

/**
 * Exit pages without filters: the visitors of each path that visits in the range last viewed.
 * Visits wholly inside a built day come from daily_exits; visits crossing midnight are put
 * together from their per-day rows in daily_exit_visits and their pageviews in the rest of the
 * range (partial ends, days without a valid build), which are read from the events. Null when no
 * whole day of the range has a valid build (the caller then reads the events alone).
 */
export async function exitsFromRollup(db: ClickHouseClient, scope: Scope, having: string, page: string, params: Record<string, unknown>): Promise<Point[] | null> {
  const days = wholeDaysOf(scope);
  if (!days) return null;
  const builds = await validExitBuilds(db, scope.websiteId, days.wholeStart, days.wholeEnd);
  if (builds.size === 0) return null;
  // The rest of the range, as intervals [from, to) of Unix ms.
  const rest: [number, number][] = [];
  let from = scope.startAt;
  for (const day of [...builds.keys()].sort((a, b) => a - b)) {
    if (day > from) rest.push([from, day]);
    from = day + dayMs;
  }
  if (scope.endAt + 1 > from) rest.push([from, scope.endAt + 1]);
  const restParams = Object.fromEntries(rest.flatMap(([a, b], i) => [[`rest${i}From`, a], [`rest${i}To`, b]]));
  const inRest = rest.length
    ? rest.map((_, i) => `(created_at >= fromUnixTimestamp64Milli({rest${i}From:Int64}) AND created_at < fromUnixTimestamp64Milli({rest${i}To:Int64}))`).join(' OR ')
    : '0';
  const built = `website_id = {websiteId:UUID} AND day BETWEEN {fromDay:Date} AND {toDay:Date} AND has(arrayZip({builtDays:Array(Date)}, {builds:Array(UInt64)}), (day, build))`;
  return rows<Point>(
    db,
    `SELECT x, uniqCombinedMerge(12)(v) AS y FROM (
        SELECT path AS x, visitors AS v FROM daily_exits WHERE ${built}
        UNION ALL
        SELECT x, ${rankingVisitorsState} AS v FROM (
          SELECT visit, any(session) AS session_id, argMax(page, at) AS x FROM (
            SELECT ${visitKey} AS visit, session_id AS session, path AS page, last_at AS at FROM daily_exit_visits WHERE ${built}
            UNION ALL
            SELECT ${visitKey}, session_id, url_path, created_at FROM website_event
            WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.pageview} AND (${inRest})
          ) GROUP BY visit
        ) GROUP BY x
      ) GROUP BY x${having} ${page}`,
    { ...scopeParams(scope), ...params, ...days, ...restParams, builtDays: [...builds.keys()].map((day) => new Date(day).toISOString().slice(0, 10)), builds: [...builds.values()] },
  );
}
