import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { checkRange, checkTimezone, clampUnit, comparisonRange, maxRangeMs, units } from './date-range';

// Ranges, comparison periods, time zones and units of a read, without the engine.

const day = 86_400_000;
const time = fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) });

describe('date ranges', () => {
  it('refuses reversed ranges and ranges over ten years with 400', () => {
    expect(() => checkRange(2, 1)).toThrow(ApiError);
    expect(() => checkRange(0, maxRangeMs + 1)).toThrow(/10 years/);
    expect(checkRange(0, maxRangeMs)).toEqual({ startAt: 0, endAt: maxRangeMs });
  });

  it('compares with the period just before, of the same length, never before 1970', () => {
    fc.assert(
      fc.property(time, fc.integer({ min: 0, max: 400 * day }), (startAt, length) => {
        const range = { startAt, endAt: startAt + length };
        const before = comparisonRange(range, 'prev');
        expect(before.startAt).toBeGreaterThanOrEqual(0);
        if (startAt - length - 1 >= 0) {
          expect(before.endAt).toBe(startAt - 1);
          expect(before.endAt - before.startAt).toBe(length);
        }
      }),
    );
    expect(comparisonRange({ startAt: Date.UTC(2024, 2, 1), endAt: Date.UTC(2024, 2, 31) }, 'yoy')).toEqual({
      startAt: Date.UTC(2023, 2, 1),
      endAt: Date.UTC(2023, 2, 31),
    });
  });

  it('raises a unit too fine for the range, as Umami does, and never lowers one', () => {
    expect(clampUnit('minute', { startAt: 0, endAt: 30 * 60_000 })).toBe('minute');
    expect(clampUnit('minute', { startAt: 0, endAt: 2 * 3_600_000 })).toBe('hour');
    expect(clampUnit('hour', { startAt: 0, endAt: 30 * day })).toBe('day');
    expect(clampUnit('day', { startAt: 0, endAt: 400 * day })).toBe('month');
    expect(clampUnit('day', { startAt: 0, endAt: 3 * 365 * day })).toBe('year');
    fc.assert(
      fc.property(fc.constantFrom(...units), time, fc.integer({ min: 0, max: maxRangeMs }), (unit, startAt, length) => {
        const clamped = clampUnit(unit, { startAt, endAt: startAt + length });
        expect(units.indexOf(clamped)).toBeGreaterThanOrEqual(units.indexOf(unit));
      }),
    );
  });

  it('takes only time zones ClickHouse knows', () => {
    const known = new Set(['UTC', 'Europe/Berlin']);
    expect(checkTimezone('Europe/Berlin', known)).toBe('Europe/Berlin');
    expect(() => checkTimezone('US/Pacific-New', known)).toThrow(/time zone/);
  });
});
