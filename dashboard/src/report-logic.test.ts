import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStepLines, ratingOf, stepLines, vitalThresholds, type Vital } from './report-logic';

describe('web vitals ratings', () => {
  it('are good up to the first threshold, poor past the second, and never go back down as a value grows', () => {
    const vitals = Object.keys(vitalThresholds) as Vital[];
    const order = { good: 0, 'needs-improvement': 1, poor: 2 };
    fc.assert(
      fc.property(
        fc.constantFrom(...vitals),
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        (vital, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(order[ratingOf(vital, low)]).toBeLessThanOrEqual(order[ratingOf(vital, high)]);
        },
      ),
    );
    expect([ratingOf('lcp', 2500), ratingOf('lcp', 2501), ratingOf('lcp', 4001)]).toEqual(['good', 'needs-improvement', 'poor']);
    expect(ratingOf('cls', 0.1)).toBe('good');
  });
});

describe('funnel steps as lines', () => {
  it('read pages and events, and round-trip', () => {
    const steps = parseStepLines(' /\n\n/pricing*\nsigned-up\n');
    expect(steps).toEqual([
      { type: 'path', value: '/' },
      { type: 'path', value: '/pricing*' },
      { type: 'event', value: 'signed-up' },
    ]);
    expect(parseStepLines(stepLines(steps as never))).toEqual(steps);
    expect(parseStepLines('/only')).toMatch(/2 to 8/);
  });
});
