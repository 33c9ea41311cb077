import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SqlFilter } from './filters';
import { addSeries, addTotals, importedScope, mergeRanked } from './imported-figures';

const scope = (sql: string) => ({ websiteId: 'w', startAt: 1, endAt: 2, filter: { sql, params: {} } as unknown as SqlFilter });
const point = fc.record({ x: fc.string({ maxLength: 3 }), y: fc.nat(1000) });
/** A ranked list as a read gives it: one point per value, largest first. */
const list = fc
  .uniqueArray(point, { selector: (p) => p.x, maxLength: 12 })
  .map((points) => points.sort((a, b) => b.y - a.y || (a.x < b.x ? -1 : a.x > b.x ? 1 : 0)));

describe('imported figures joined to a read', () => {
  it('only unfiltered reads that ask for them get imported figures', () => {
    expect(importedScope(scope(''), true, 'Europe/Berlin')).toEqual({ websiteId: 'w', startAt: 1, endAt: 2, timezone: 'Europe/Berlin' });
    expect(importedScope(scope(''), undefined)).toBeNull();
    expect(importedScope(scope(''), false)).toBeNull();
    expect(importedScope(scope(' AND browser = {b:String}'), true)).toBeNull();
  });

  it('adds totals field by field, keeping the rest of the answer', () => {
    const own = { visitors: 1, visits: 2, pageviews: 3, bounces: 4, totaltime: 5, comparison: 'kept' };
    // ClickHouse's sums of UInt64 arrive as strings.
    const imported = { visitors: '10', visits: 20, pageviews: 30, bounces: 40, totaltime: 50 } as unknown as Parameters<typeof addTotals>[1];
    expect(addTotals(own, imported)).toEqual({ visitors: 11, visits: 22, pageviews: 33, bounces: 44, totaltime: 55, comparison: 'kept' });
  });

  it('adds imported buckets to the series buckets of the same x, and leaves the others', () => {
    const own = {
      pageviews: [
        { x: 'a', y: 1 },
        { x: 'b', y: 2 },
      ],
      sessions: [
        { x: 'a', y: 1 },
        { x: 'b', y: 1 },
      ],
    };
    expect(addSeries(own, [{ x: 'b', pageviews: 5, sessions: 3 }])).toEqual({
      pageviews: [
        { x: 'a', y: 1 },
        { x: 'b', y: 7 },
      ],
      sessions: [
        { x: 'a', y: 1 },
        { x: 'b', y: 4 },
      ],
    });
  });

  it('merges ranked lists: the page of the summed list, as a reference in plain code computes it', () => {
    fc.assert(
      fc.property(list, list, fc.nat(5), fc.integer({ min: 1, max: 8 }), (own, imported, offset, limit) => {
        const sums: Record<string, number> = {};
        for (const p of [...own, ...imported]) sums[p.x] = (sums[p.x] ?? 0) + p.y;
        const expected = Object.entries(sums)
          .map(([x, y]) => ({ x, y }))
          .sort((a, b) => b.y - a.y || (a.x < b.x ? -1 : a.x > b.x ? 1 : 0))
          .slice(offset, offset + limit);
        expect(mergeRanked(own, imported, offset, limit)).toEqual(expected);
      }),
    );
  });
});
