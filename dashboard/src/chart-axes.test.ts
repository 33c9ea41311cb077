import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTicks, isIncomplete, labelledBuckets } from './chart-axes';

describe('chart axes', () => {
  it('count ticks start at 0, step by whole 1/2/5 × 10^k, reach the maximum, and are few', () => {
    expect(countTicks(0)).toEqual([0, 1]);
    expect(countTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(countTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(countTicks(12_345)).toEqual([0, 5000, 10000, 15000]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 10 }), (max, maxTicks) => {
        const ticks = countTicks(max, maxTicks);
        const step = ticks[1]! - ticks[0]!;
        expect(ticks[0]).toBe(0);
        expect(Number.isInteger(step) && step >= 1).toBe(true);
        expect(/^[125]0*$/.test(String(step))).toBe(true);
        expect(ticks.every((t, i) => t === i * step)).toBe(true);
        expect(ticks.at(-1)!).toBeGreaterThanOrEqual(max);
        expect(ticks.length - 1).toBeLessThanOrEqual(maxTicks);
      }),
    );
  });

  it('x labels fit side by side, name the latest bucket, and never repeat one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 800 }), fc.integer({ min: 100, max: 2000 }), fc.integer({ min: 10, max: 120 }), (count, width, labelWidth) => {
        const chosen = labelledBuckets(count, width, labelWidth);
        expect(chosen.length).toBe(count === 0 ? 0 : chosen.length);
        if (count > 0) {
          expect(chosen.at(-1)).toBe(count - 1);
          expect(new Set(chosen).size).toBe(chosen.length);
        }
        // Bucket i sits at i × width / (count − 1): neighbouring labels are a label and a gap apart.
        for (let i = 1; i < chosen.length; i++) expect(((chosen[i]! - chosen[i - 1]!) * width) / (count - 1)).toBeGreaterThanOrEqual(labelWidth + 12);
      }),
    );
  });

  it('knows the bucket that is still running', () => {
    const now = new Date(2026, 11, 6, 19, 30).getTime();
    expect(isIncomplete(new Date(2026, 11, 6, 19).getTime(), 'hour', now)).toBe(true);
    expect(isIncomplete(new Date(2026, 11, 6, 18).getTime(), 'hour', now)).toBe(false);
    expect(isIncomplete(new Date(2026, 11, 6).getTime(), 'day', now)).toBe(true);
    expect(isIncomplete(new Date(2026, 11, 5).getTime(), 'day', now)).toBe(false);
    expect(isIncomplete(new Date(2026, 11, 1).getTime(), 'month', now)).toBe(true);
    expect(isIncomplete(new Date(2026, 10, 1).getTime(), 'month', now)).toBe(false);
  });
});
