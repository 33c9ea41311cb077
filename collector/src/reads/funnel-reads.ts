import type { ClickHouseClient } from '@clickhouse/client';
import { rows } from '../storage/client';
import { inFilteredRange, paramsOf, type FilteredRange } from './visitor-reads';

export interface FunnelQuery extends FilteredRange {
  /** Each step: the column it matches and an exact value or a LIKE pattern. */
  steps: { column: 'url_path' | 'event_name'; value: string; pattern: boolean }[];
  windowMinutes: number;
}

/**
 * Visitors (sessions) who reached each step, as Umami counts them: a session reaches step 1 with
 * any event matching it in the range, and step k with an event matching step k no earlier than,
 * and at most `windowMinutes` after, an event by which it reached step k − 1. Each session's
 * matching events are gathered once (arrays of times), and each step's reaching times are found
 * from the previous step's.
 */
export async function funnelReached(db: ClickHouseClient, query: FunnelQuery): Promise<number[]> {
  const params: Record<string, unknown> = {
    ...paramsOf(query),
    window: String(query.windowMinutes * 60_000),
  };
  const match = query.steps.map((step, i) => {
    params[`step${i}`] = step.value;
    return step.pattern ? `${step.column} LIKE {step${i}:String}` : `${step.column} = {step${i}:String}`;
  });
  // Per session: the times of its events matching each step (event i of the session matches step k when m[i][k]).
  const levels = query.steps.map((_, k) =>
    k === 0
      ? `arrayFilter((t, m) -> m[1], times, matches) AS l1`
      : `arrayFilter((t, m) -> m[${k + 1}] AND arrayExists(x -> t >= x AND t <= x + {window:Int64}, l${k}), times, matches) AS l${k + 1}`,
  );
  const [row] = await rows<{ reached: number[] }>(
    db,
    `SELECT [${query.steps.map((_, k) => `countIf(notEmpty(l${k + 1}))`).join(', ')}] AS reached FROM (
       SELECT ${levels.join(',\n       ')}
       FROM (
         SELECT session_id, groupArray(toUnixTimestamp64Milli(created_at)) AS times, groupArray([${match.join(', ')}]) AS matches
         FROM website_event
         WHERE ${inFilteredRange}
           AND (${match.join(' OR ')})${query.filter.sql}
         GROUP BY session_id))`,
    params,
  );
  return row?.reached ?? query.steps.map(() => 0);
}
