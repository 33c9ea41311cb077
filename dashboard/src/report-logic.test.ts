import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDays, parseStepLines, ratingOf, retentionGrid, revenueByDay, stepLines, vitalThresholds, type RetentionRow, type Vital } from './report-logic';

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

describe('the retention grid', () => {
  it('puts every answer row in its cell, and nothing else', () => {
    const row = fc.record({ date: fc.constantFrom('2026-11-01', '2026-11-02', '2026-11-03'), day: fc.integer({ min: 0, max: 31 }) });
    fc.assert(
      fc.property(fc.uniqueArray(row, { selector: (r) => `${r.date}|${r.day}` }), (cells) => {
        const sizes: Record<string, number> = { '2026-11-01': 10, '2026-11-02': 4, '2026-11-03': 8 };
        const rows: RetentionRow[] = cells.map((c) => ({
          ...c,
          visitors: sizes[c.date]!,
          returnVisitors: c.day + 1,
          percentage: ((c.day + 1) * 100) / sizes[c.date]!,
        }));
        const grid = retentionGrid(rows);
        expect(grid.periods).toEqual(Array.from({ length: Math.max(0, ...cells.map((c) => c.day)) + 1 }, (_, i) => i));
        expect(grid.cohorts.map((c) => c.date)).toEqual([...new Set(cells.map((c) => c.date))].sort());
        for (const cohort of grid.cohorts) {
          expect(cohort.visitors).toBe(sizes[cohort.date]);
          cohort.shares.forEach((share, day) => {
            const source = rows.find((r) => r.date === cohort.date && r.day === day);
            expect(share).toBe(source ? source.percentage / 100 : null);
          });
        }
      }),
    );
  });
});

describe('revenue per day', () => {
  it('has every day of the range once, in order, each the sum of its rows', () => {
    const start = new Date(2026, 10, 28, 15, 30).getTime();
    const days = localDays(start, new Date(2026, 11, 2, 9).getTime());
    expect(days).toEqual(['2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02']);
    fc.assert(
      fc.property(fc.array(fc.record({ day: fc.constantFrom(...days), y: fc.integer({ min: 0, max: 1000 }) })), (orders) => {
        const rows = orders.map((o) => ({ t: `${o.day} 00:00:00`, y: o.y }));
        const bars = revenueByDay(rows, days);
        expect(bars.map((b) => b.day)).toEqual(days);
        for (const bar of bars) expect(bar.revenue).toBe(orders.filter((o) => o.day === bar.day).reduce((sum, o) => sum + o.y, 0));
      }),
    );
  });
});
