import type { ClickHouseClient } from '@clickhouse/client';
import { validBuilds } from '../storage/visit-rollups';
import { scopeParams, type Scope, type Split } from './query-vocabulary';
import type { DateRange } from './date-range';
import { wholeDaysOf } from './whole-days';
import { dayMs, isoDay } from '../shared/time';

/** The valid builds of a website's whole days in [wholeStart, wholeEnd) (and maybe others): day start → build id. */
export type BuildsLookup = (wholeStart: number, wholeEnd: number) => Promise<Map<number, number>>;

/**
 * One lookup of the valid builds for several ranges of one request (stats and its comparison
 * period): one query instead of one per range.
 */
export function buildsLookupFor(db: ClickHouseClient, websiteId: string, ranges: DateRange[]): BuildsLookup {
  let all: Promise<Map<number, number>> | null = null;
  return () => {
    all ??= (() => {
      const days = ranges.map(wholeDaysOf).filter((d) => d !== null);
      if (days.length === 0) return Promise.resolve(new Map());
      return validBuilds(db, websiteId, Math.min(...days.map((d) => d.wholeStart)), Math.max(...days.map((d) => d.wholeEnd)));
    })();
    return all;
  };
}

/**
 * The range split between the visit rollups and the events: `inRollup` names this website, the
 * whole days with a valid build and each day's build; `inEvents` the rest of the range (partial
 * ends, days without a valid build). Null when no whole day has a valid build.
 */
export async function builtDaysOf(
  db: ClickHouseClient,
  scope: Scope,
  lookup: BuildsLookup = (wholeStart, wholeEnd) => validBuilds(db, scope.websiteId, wholeStart, wholeEnd),
): Promise<Split | null> {
  const days = wholeDaysOf(scope);
  if (!days) return null;
  const builds = new Map([...(await lookup(days.wholeStart, days.wholeEnd))].filter(([day]) => day >= days.wholeStart && day < days.wholeEnd));
  if (builds.size === 0) return null;
  // The rest of the range, as intervals [from, to) of Unix ms.
  const rest: [number, number][] = [];
  let from = scope.startAt;
  for (const day of [...builds.keys()].sort((a, b) => a - b)) {
    if (day > from) rest.push([from, day]);
    from = day + dayMs;
  }
  if (scope.endAt + 1 > from) rest.push([from, scope.endAt + 1]);
  const inRest = rest.length
    ? `(${rest.map((_, i) => `(created_at >= fromUnixTimestamp64Milli({rest${i}From:Int64}) AND created_at < fromUnixTimestamp64Milli({rest${i}To:Int64}))`).join(' OR ')})`
    : '0';
  return {
    inRollup: `website_id = {websiteId:UUID} AND day BETWEEN {fromDay:Date} AND {toDay:Date}
      AND (day, build) IN arrayZip({builtDays:Array(Date)}, {builds:Array(UInt64)})`,
    inEvents: inRest,
    params: {
      ...scopeParams(scope),
      ...days,
      ...Object.fromEntries(
        rest.flatMap(([a, b], i) => [
          [`rest${i}From`, a],
          [`rest${i}To`, b],
        ]),
      ),
      builtDays: [...builds.keys()].map(isoDay),
      builds: [...builds.values()],
    },
  };
}
