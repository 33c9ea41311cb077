import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endOfMinute, rangeBounds, ranges, type RangeName } from './state';

/** The dashboard's ranges "up to now" end at the end of the current minute, the same for everybody in it. */
describe('rangeBounds', () => {
  const time = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
  const upToNow = (Object.keys(ranges) as RangeName[]).filter((range) => range !== 'custom' && range !== 'lastmonth');

  it('ends a range up to now at the last millisecond of the current minute, and includes now', () => {
    fc.assert(
      fc.property(time, fc.constantFrom(...upToNow), (now, range) => {
        const { startAt, endAt } = rangeBounds({ range }, new Date(now));
        expect(endAt).toBe(endOfMinute(now));
        expect(endAt % 60_000).toBe(59_999);
        expect(endAt).toBeGreaterThanOrEqual(now);
        expect(endAt - now).toBeLessThan(60_000);
        expect(startAt).toBeLessThanOrEqual(now);
      }),
    );
  });

  it('gives two people in the same minute the very same bounds (so their reads can share one query)', () => {
    fc.assert(
      fc.property(time, fc.integer({ min: 0, max: 59_999 }), fc.constantFrom(...upToNow), (now, later, range) => {
        const minute = Math.floor(now / 60_000) * 60_000;
        expect(rangeBounds({ range }, new Date(minute + later))).toEqual(rangeBounds({ range }, new Date(minute)));
      }),
    );
  });
});
