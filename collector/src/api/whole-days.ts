import type { DateRange } from './date-range';

const dayMs = 86_400_000;

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
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { fromDay: day(wholeStart), toDay: day(wholeEnd - dayMs), wholeStart, wholeEnd };
}

/** The rows of a range outside its whole days: the partial days at either end. */
export const inPartialDays = `((created_at >= fromUnixTimestamp64Milli({startAt:Int64}) AND created_at < fromUnixTimestamp64Milli({wholeStart:Int64}))
    OR (created_at >= fromUnixTimestamp64Milli({wholeEnd:Int64}) AND created_at <= fromUnixTimestamp64Milli({endAt:Int64})))`;

/** Rollup rows of the whole days. */
export const inWholeDays = `website_id = {websiteId:UUID} AND day BETWEEN {fromDay:Date} AND {toDay:Date}`;
