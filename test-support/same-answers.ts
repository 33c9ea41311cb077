import { expect } from 'vitest';
import type { Point, Stats } from '../collector/src/reads/query-vocabulary';

/**
 * Visitor counts from merged daily states equal those computed from the events while they are
 * exact (up to 256 in a row for uniqCombined(12)); above that both are HyperLogLog estimates, and
 * merging states in another order may move the estimate a little (a test saw 256 against 255 for
 * a true count just past 256, so exactness is asked only well below it).
 */
export function expectSameVisitors(label: string, fromRollup: number, fromEvents: number): void {
  const largest = Math.max(fromRollup, fromEvents);
  if (largest <= 200) expect({ label, visitors: fromRollup }).toEqual({ label, visitors: fromEvents });
  else expect({ label, difference: Math.abs(fromRollup - fromEvents) <= 0.02 * largest }).toEqual({ label, difference: true });
}

/** Stats: every sum exactly, visitors as above. */
export function expectSameStats(label: string, fromRollup: Stats, fromEvents: Stats): void {
  const { visitors: a, ...sumsA } = fromRollup;
  const { visitors: b, ...sumsB } = fromEvents;
  expect({ label, sums: sumsA }).toEqual({ label, sums: sumsB });
  expectSameVisitors(label, a, b);
}

/** A metric: the same values, each with the same visitors as above. */
export function expectSamePoints(label: string, fromRollup: Point[], fromEvents: Point[]): void {
  expect({ label, values: fromRollup.map((p) => p.x).sort() }).toEqual({ label, values: fromEvents.map((p) => p.x).sort() });
  const expected = new Map(fromEvents.map((p) => [p.x, p.y]));
  for (const { x, y } of fromRollup) expectSameVisitors(`${label} ${x}`, y, expected.get(x)!);
}
