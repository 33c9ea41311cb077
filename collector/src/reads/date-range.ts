import { ApiError } from '../errors';

export const units = ['minute', 'hour', 'day', 'month', 'year'] as const;
export type Unit = (typeof units)[number];

/** The longest range a query may span. */
export const maxRangeMs = 10 * 366 * 24 * 3600_000;

/** A checked time range in Unix milliseconds, both ends included. */
export interface DateRange {
  startAt: number;
  endAt: number;
}

/** Refuses reversed ranges and ranges over 10 years, naming the parameter. */
export function checkRange(startAt: number, endAt: number): DateRange {
  if (endAt < startAt) throw new ApiError('badRequest', 'endAt must not be before startAt');
  if (endAt - startAt > maxRangeMs) throw new ApiError('badRequest', 'startAt to endAt spans more than 10 years');
  return { startAt, endAt };
}

/**
 * The range to compare with: the one just before, of the same length, or the same dates a year
 * earlier; cut at 1970-01-01, where stored time begins (ClickHouse's DateTime has nothing before).
 */
export function comparisonRange({ startAt, endAt }: DateRange, compare: 'prev' | 'yoy'): DateRange {
  const fromEpoch = (range: DateRange) => ({ startAt: Math.max(0, range.startAt), endAt: Math.max(0, range.endAt) });
  if (compare === 'prev') return fromEpoch({ startAt: startAt - (endAt - startAt) - 1, endAt: startAt - 1 });
  const yearEarlier = (ms: number) => {
    const date = new Date(ms);
    date.setUTCFullYear(date.getUTCFullYear() - 1);
    return date.getTime();
  };
  return fromEpoch({ startAt: yearEarlier(startAt), endAt: yearEarlier(endAt) });
}

/**
 * Refuses a time zone ClickHouse does not know (`known`: its system.time_zones). Node's list is
 * not the same: it takes `SystemV/AST4` and `US/Pacific-New`, on which a query failed (500).
 */
export function checkTimezone(timezone: string, known: ReadonlySet<string>): string {
  if (!known.has(timezone)) throw new ApiError('badRequest', `timezone is not an IANA time zone ClickHouse knows: "${timezone.slice(0, 64)}"`);
  return timezone;
}

/**
 * Umami's clamp: a unit finer than the range allows is raised (minutes up to an hour, hours up to
 * two days, days up to three months, months up to two years, then years), so a series never
 * has thousands of buckets.
 */
export function clampUnit(unit: Unit, { startAt, endAt }: DateRange): Unit {
  const span = endAt - startAt;
  const minimum: Unit =
    span <= 60 * 60_000 ? 'minute' : span <= 48 * 3600_000 ? 'hour' : span <= 92 * 24 * 3600_000 ? 'day' : span <= 25 * 31 * 24 * 3600_000 ? 'month' : 'year';
  return units.indexOf(unit) >= units.indexOf(minimum) ? unit : minimum;
}
