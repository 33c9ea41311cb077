import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { siteSizes } from './seed-events';

describe('siteSizes (npm run seed -- --sites N)', () => {
  it('shares out every event, largest first, every site at least one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 10 ** 9 }), (sites, extra) => {
        const events = sites + extra;
        const sizes = siteSizes(events, sites);
        expect(sizes).toHaveLength(sites);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(events);
        for (let k = 1; k < sites; k++) expect(sizes[k]!).toBeLessThanOrEqual(sizes[k - 1]!);
        expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
      }),
    );
  });

  it('gives the largest of 200 sites about a fifth of a hundred million', () => {
    const sizes = siteSizes(100_000_000, 200);
    expect(sizes[0]).toBeGreaterThan(19_000_000);
    expect(sizes[0]).toBeLessThan(23_000_000);
    expect(sizes[199]).toBeGreaterThan(50_000);
  });
});
