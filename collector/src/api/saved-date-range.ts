import { ApiError } from '../errors';
import type { DateRange } from '../reads/date-range';

const unitPattern = /^(\d{1,4})(hour|day|week|month|year)$/;

/** The start of the UTC hour, day, week (from Monday), month or year holding `at`, `back` of them earlier. */
function startOf(unit: string, at: number, back: number): number {
  const date = new Date(at);
  const [y, m, d, h] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours()];
  switch (unit) {
    case 'hour':
      return Date.UTC(y, m, d, h - back);
    case 'day':
      return Date.UTC(y, m, d - back);
    case 'week':
      return Date.UTC(y, m, d - ((date.getUTCDay() + 6) % 7) - 7 * back);
    case 'month':
      return Date.UTC(y, m - back, 1);
    default:
      return Date.UTC(y - back, 0, 1);
  }
}

/**
 * The range a saved cohort's `dateRange` names, in Umami's spelling: `range:<startMs>:<endMs>`, or
 * `<n><unit>` (`30day`: from the start of the day 30 days ago to now; `0week`: this week so far),
 * in UTC, weeks from Monday. Anything else is refused with 400.
 */
export function savedDateRange(value: string, now: number): DateRange {
  const fixed = /^range:(\d{1,15}):(\d{1,15})$/.exec(value);
  if (fixed) {
    const [startAt, endAt] = [Number(fixed[1]), Number(fixed[2])];
    if (endAt < startAt) throw new ApiError('badRequest', `dateRange ${value}: the end is before the start`);
    return { startAt, endAt };
  }
  const relative = unitPattern.exec(value);
  if (!relative)
    throw new ApiError('badRequest', `dateRange must be like 30day, 12month or range:<startMs>:<endMs>, not ${JSON.stringify(value.slice(0, 40))}`);
  return { startAt: startOf(relative[2]!, now, Number(relative[1])), endAt: now };
}
