import type { ClickHouseClient } from '@clickhouse/client';
import { rows } from './client';

export interface JourneyQuery {
  websiteId: string;
  startAt: number;
  endAt: number;
  filterConditions: string;
  params: Record<string, string>;
  /** How many events of each visit make its path (2 to 7). */
  steps: number;
  /** Only paths starting with this page or event. */
  startStep?: string;
  /** Only paths ending with this page or event (the visit's last within `steps`). */
  endStep?: string;
}

/**
 * Umami's journeys: each visit's first `steps` events (a custom event's name, else the page's
 * path) in time order, the most common such paths first (100 at most), each with its visits.
 * Consecutive repeats are combined in the answer (a reload reads as one step).
 */
export async function journeys(db: ClickHouseClient, query: JourneyQuery): Promise<{ items: string[]; count: number }[]> {
  const found = await rows<{ path: string[]; count: number }>(
    db,
    `SELECT path, count() AS count FROM (
       SELECT arraySlice(arrayMap(e -> e.2, arraySort(groupArray((created_at, if(event_name != '', event_name, url_path))))), 1, {steps:UInt8}) AS path
       FROM website_event
       WHERE website_id = {websiteId:UUID}
         AND created_at BETWEEN fromUnixTimestamp64Milli({startAt:Int64}) AND fromUnixTimestamp64Milli({endAt:Int64})${query.filterConditions}
       GROUP BY visit_id)
     WHERE ({startStep:String} = '' OR path[1] = {startStep:String}) AND ({endStep:String} = '' OR path[length(path)] = {endStep:String})
     GROUP BY path ORDER BY count DESC, path LIMIT 100`,
    {
      ...query.params,
      websiteId: query.websiteId,
      startAt: String(query.startAt),
      endAt: String(query.endAt),
      steps: String(query.steps),
      startStep: query.startStep ?? '',
      endStep: query.endStep ?? '',
    },
  );
  return found.map(({ path, count }) => ({ items: path.filter((step, i) => i === 0 || step !== path[i - 1]), count }));
}
