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

/** The range to compare with: the one just before, of the same length, or the same dates a year earlier. */
export function comparisonRange({ startAt, endAt }: DateRange, compare: 'prev' | 'yoy'): DateRange {
  if (compare === 'prev') return { startAt: startAt - (endAt - startAt) - 1, endAt: startAt - 1 };
  const yearEarlier = (ms: number) => {
    const date = new Date(ms);
    date.setUTCFullYear(date.getUTCFullYear() - 1);
    return date.getTime();
  };
  return { startAt: yearEarlier(startAt), endAt: yearEarlier(endAt) };
}

/** Refuses a timezone the runtime does not know (and so ClickHouse would not either). */
export function checkTimezone(timezone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new ApiError('badRequest', `timezone is not an IANA time zone: "${timezone.slice(0, 64)}"`);
  }
  if (!/^[A-Za-z0-9_+\-/]+$/.test(timezone)) throw new ApiError('badRequest', 'timezone is not an IANA time zone');
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
