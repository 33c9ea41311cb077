import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { savedDateRange } from './saved-date-range';

const now = Date.UTC(2026, 11, 9, 15, 42, 7); // a Wednesday

describe("a saved cohort's dateRange", () => {
  it("reads Umami's relative spellings from the start of the unit, in UTC, weeks from Monday", () => {
    expect(savedDateRange('0day', now)).toEqual({ startAt: Date.UTC(2026, 11, 9), endAt: now });
    expect(savedDateRange('30day', now)).toEqual({ startAt: Date.UTC(2026, 10, 9), endAt: now });
    expect(savedDateRange('24hour', now)).toEqual({ startAt: Date.UTC(2026, 11, 8, 15), endAt: now });
    expect(savedDateRange('0week', now)).toEqual({ startAt: Date.UTC(2026, 11, 7), endAt: now });
    expect(savedDateRange('2week', now)).toEqual({ startAt: Date.UTC(2026, 10, 23), endAt: now });
    expect(savedDateRange('12month', now)).toEqual({ startAt: Date.UTC(2025, 11, 1), endAt: now });
    expect(savedDateRange('1year', now)).toEqual({ startAt: Date.UTC(2025, 0, 1), endAt: now });
    expect(savedDateRange('range:1000:2000', now)).toEqual({ startAt: 1000, endAt: 2000 });
  });

  it('starts no later than now and at a unit boundary, for any count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), fc.constantFrom('hour', 'day', 'week', 'month', 'year'), (n, unit) => {
        const { startAt, endAt } = savedDateRange(`${n}${unit}`, now);
        expect(endAt).toBe(now);
        expect(startAt).toBeLessThanOrEqual(now);
        const start = new Date(startAt);
        expect(start.getUTCMinutes() + start.getUTCSeconds() + start.getUTCMilliseconds()).toBe(0);
        if (unit !== 'hour') expect(start.getUTCHours()).toBe(0);
        if (unit === 'week') expect(start.getUTCDay()).toBe(1);
      }),
    );
  });

  it('refuses anything else with a 400', () => {
    for (const bad of ['', 'day', '-3day', '3days', 'range:2:1', 'range:a:b', '30day; DROP']) {
      expect(() => savedDateRange(bad, now), bad).toThrow(/dateRange/);
    }
  });
});
