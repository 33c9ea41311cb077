import type { DateRange } from './date-range';
import { dayMs, hourMs, isoDay } from '../shared/time';

/** The whole UTC days inside a range, which the daily rollups answer for. */
export interface WholeDays {
  /** The first and the last whole day, YYYY-MM-DD. */
  fromDay: string;
  toDay: string;
  /** The first whole day's start and the end of the last one (exclusive), Unix ms. */
  wholeStart: number;
  wholeEnd: number;
}

/** The whole days of a range, or null when it holds none. */
export function wholeDaysOf({ startAt, endAt }: DateRange): WholeDays | null {
  const wholeStart = Math.ceil(startAt / dayMs) * dayMs;
  const wholeEnd = Math.floor((endAt + 1) / dayMs) * dayMs;
  if (wholeEnd <= wholeStart) return null;
  return { fromDay: isoDay(wholeStart), toDay: isoDay(wholeEnd - dayMs), wholeStart, wholeEnd };
}

/** The whole UTC hours inside a range (start and exclusive end, Unix ms), or null when it holds none. */
export function wholeHoursOf({ startAt, endAt }: DateRange): { wholeStart: number; wholeEnd: number } | null {
  const wholeStart = Math.ceil(startAt / hourMs) * hourMs;
  const wholeEnd = Math.floor((endAt + 1) / hourMs) * hourMs;
  return wholeEnd > wholeStart ? { wholeStart, wholeEnd } : null;
}

/**
 * True when `timezone` is a whole number of hours from UTC throughout the range (sampled daily,
 * and at both ends): then every UTC hour falls inside one local hour, day, month and year, and
 * hourly rollups can be bucketed locally. Not for zones such as Asia/Kolkata (+5:30).
 */
export function wholeHourOffsets(timezone: string, { startAt, endAt }: DateRange): boolean {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' });
  const offsetIsWholeHours = (ms: number) => {
    const name = format.formatToParts(ms).find((part) => part.type === 'timeZoneName')?.value ?? '';
    const minutes = /GMT[+-]\d{2}:(\d{2})/.exec(name)?.[1] ?? '00';
    return minutes === '00';
  };
  for (let at = startAt; at < endAt; at += dayMs) if (!offsetIsWholeHours(at)) return false;
  return offsetIsWholeHours(endAt);
}
