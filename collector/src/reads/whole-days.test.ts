import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wholeDaysOf, wholeHoursOf } from './whole-days';

// The whole days and hours of a range (what the rollups may answer), without the engine.

const day = 86_400_000;
const time = fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) });

describe('whole days and hours of a range', () => {
  it('are the UTC days wholly inside it, and none when it holds none', () => {
    fc.assert(
      fc.property(time, fc.integer({ min: 0, max: 100 * day }), (startAt, length) => {
        const endAt = startAt + length;
        const whole = wholeDaysOf({ startAt, endAt });
        if (whole === null) {
          // No midnight-to-midnight span fits.
          expect(Math.floor((endAt + 1) / day) * day - Math.ceil(startAt / day) * day).toBeLessThan(day);
          return;
        }
        expect(whole.wholeStart).toBeGreaterThanOrEqual(startAt);
        expect(whole.wholeEnd).toBeLessThanOrEqual(endAt + 1);
        expect(whole.wholeStart % day).toBe(0);
        expect(whole.wholeEnd % day).toBe(0);
        expect(whole.wholeStart - startAt).toBeLessThan(day);
        expect(endAt + 1 - whole.wholeEnd).toBeLessThan(day);
        expect(whole.fromDay).toBe(new Date(whole.wholeStart).toISOString().slice(0, 10));
        expect(whole.toDay).toBe(new Date(whole.wholeEnd - day).toISOString().slice(0, 10));
      }),
    );
  });

  it('whole hours lie inside the range, on hour boundaries', () => {
    fc.assert(
      fc.property(time, fc.integer({ min: 0, max: 10 * day }), (startAt, length) => {
        const hours = wholeHoursOf({ startAt, endAt: startAt + length });
        if (!hours) return;
        expect(hours.wholeStart % 3_600_000).toBe(0);
        expect(hours.wholeEnd % 3_600_000).toBe(0);
        expect(hours.wholeStart).toBeGreaterThanOrEqual(startAt);
        expect(hours.wholeEnd).toBeLessThanOrEqual(startAt + length + 1);
      }),
    );
  });
});
