import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEvents } from '../../../bench/seed-events';
import { removalDone, startTestCollector, type TestCollector } from '../../../test-support/collector';
import { expectRollupsMatchEvents } from '../../../test-support/rollup-answers';
import { customEventStats } from '../reads/data-reads';
import { queryMetric } from '../reads/metric-query';
import type { Scope } from '../reads/query-vocabulary';
import { customEventsSplit } from '../reads/rollup-choice';
import { queryStats } from '../reads/stats-query';
import { buildFilters } from '../reads/filters';

/**
 * The rollups must give the answers computed from the events (stats, every metric, event data,
 * the pageviews series in several timezones; visitor estimates as `expectSameVisitors` says):
 * for ranges with
 * partial days at either end, ranges of whole days only, ranges starting just before midnight
 * (visits that cross it), and ranges with no whole day at all.
 */
let collector: TestCollector;
let site: string;
const day = 86_400_000;
const today = Math.floor(Date.now() / day) * day;

beforeAll(async () => {
  collector = await startTestCollector();
  site = await collector.createWebsite(await collector.login());
  await seedEvents(collector.db, site, { events: 30_000, days: 20, now: today - 3600_000 });
});
afterAll(() => collector?.destroy());

const scope = (startAt: number, endAt: number): Scope => ({ websiteId: site, startAt, endAt, filter: buildFilters({}) });

const ranges: Record<string, () => Scope> = {
  'partial days at both ends, as the bench asks': () => scope(Date.now() - 10 * day - 12_345, Date.now()),
  'whole days only': () => scope(today - 12 * day, today - 3 * day - 1),
  'from ten minutes before midnight': () => scope(today - 8 * day - 600_000, today - 2 * day + 300_000),
  'from local midnight in Berlin': () => scope(today - 15 * day - 3600_000, today - 1),
  'within one day': () => scope(today - 5 * day + 3600_000, today - 5 * day + 7200_000),
};

describe('daily rollups', () => {
  it('the seeded visits cross midnight, so the first-day correction is exercised', async () => {
    const result = await collector.db.query({
      query: `SELECT count() AS n FROM website_event WHERE website_id = {site:UUID} AND visit_pageview >= 2
        AND toDate(visit_start) != toDate(created_at)`,
      query_params: { site },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ n: number }>();
    expect(row?.n).toBeGreaterThan(10);
  });

  for (const [name, rangeOf] of Object.entries(ranges)) {
    it(`stats and every metric equal the events' answers: ${name}`, async () => {
      await expectRollupsMatchEvents(collector.db, rangeOf());
    });
  }

  it('reset empties the rollups with the events', async () => {
    const token = await collector.login();
    const other = await collector.createWebsite(token, 'Reset me');
    await seedEvents(collector.db, other, { events: 2_000, days: 5, now: today - 3600_000 });
    const range = { ...scope(today - 6 * day, today - 1), websiteId: other };
    expect((await queryStats(collector.db, range)).pageviews).toBeGreaterThan(0);
    expect((await collector.request(`/api/websites/${other}/reset`, { method: 'POST', token })).status).toBe(200);
    await removalDone(collector.db, other);
    expect(await queryStats(collector.db, range)).toEqual({ pageviews: 0, visitors: 0, visits: 0, bounces: 0, totaltime: 0 });
    expect(await queryMetric(collector.db, range, 'path', { limit: 10, offset: 0 })).toEqual([]);
    const asRange = { websiteId: other, startAt: range.startAt, endAt: range.endAt, filter: buildFilters({}) };
    expect(await customEventStats(collector.db, asRange, customEventsSplit(range))).toEqual({ events: 0, visitors: 0, visits: 0, uniqueEvents: 0 });
  });
});
