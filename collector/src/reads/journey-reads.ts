import type { ClickHouseClient } from '@clickhouse/client';
import { rows } from '../storage/client';
import { journeyStep } from '../storage/visit-rollup-tables';
import { inFilteredRange, paramsOf, type FilteredRange } from './visitor-reads';

/** Where a journeys answer comes from: the visit rollups' built days (see api/built-days.ts), the rest from the events. */
export interface JourneySplit {
  inRollup: string;
  inEvents: string;
  params: Record<string, unknown>;
}

export interface JourneyQuery extends FilteredRange {
  /** How many events of each visit make its path (2 to 7). */
  steps: number;
  /** Only paths starting with this page or event. */
  startStep?: string;
  /** Only paths ending with this page or event (the visit's last within `steps`). */
  endStep?: string;
  /** Without filters, the days the visit rollups built (null: the events alone). */
  split?: JourneySplit | null;
}

const stepsOfVisit = `arraySlice(arrayMap(e -> e.2, arraySort(groupArray(step))), 1, {steps:UInt8})`;

/** Each visit's path from the events alone: every event of the range, grouped by visit. */
const fromEvents = (query: JourneyQuery) => `SELECT ${stepsOfVisit} AS path, toUInt64(1) AS visits FROM (
    SELECT visit_id AS visit, (created_at, ${journeyStep}) AS step FROM website_event
    WHERE ${inFilteredRange}${query.filter.sql}
  ) GROUP BY visit`;

/**
 * With the rollups: the paths of visits wholly inside a built day, counted per day and number of
 * steps (daily_journeys); visits crossing midnight put together from their per-day steps
 * (daily_journey_visits) and their events in the rest of the range.
 */
const fromRollup = (split: JourneySplit) => `SELECT path AS path, visits AS visits FROM daily_journeys WHERE ${split.inRollup} AND steps = {steps:UInt8}
  UNION ALL
  SELECT ${stepsOfVisit} AS path, toUInt64(1) AS visits FROM (
    SELECT visit_id AS visit, arrayJoin(steps) AS step FROM daily_journey_visits WHERE ${split.inRollup}
    UNION ALL
    SELECT visit_id AS visit, (created_at, ${journeyStep}) AS step FROM website_event WHERE website_id = {websiteId:UUID} AND ${split.inEvents}
  ) GROUP BY visit`;

/**
 * Umami's journeys: each visit's first `steps` events (a custom event's name, else the page's
 * path) in time order, the most common such paths first (100 at most), each with its visits.
 * Consecutive repeats are combined in the answer (a reload reads as one step).
 */
export async function journeys(db: ClickHouseClient, query: JourneyQuery): Promise<{ items: string[]; count: number }[]> {
  const found = await rows<{ path: string[]; count: number }>(
    db,
    `SELECT path, sum(visits) AS count FROM (${query.split ? fromRollup(query.split) : fromEvents(query)})
     WHERE ({startStep:String} = '' OR path[1] = {startStep:String}) AND ({endStep:String} = '' OR path[length(path)] = {endStep:String})
     GROUP BY path ORDER BY count DESC, path LIMIT 100`,
    {
      ...paramsOf(query),
      ...query.split?.params,
      steps: String(query.steps),
      startStep: query.startStep ?? '',
      endStep: query.endStep ?? '',
    },
  );
  return found.map(({ path, count }) => ({ items: path.filter((step, i) => i === 0 || step !== path[i - 1]), count }));
}
