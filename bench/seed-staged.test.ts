import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../collector/src/storage/client';
import { buildFilters } from '../collector/src/reads/filters';
import { startTestCollector, type TestCollector } from '../test-support/collector';
import { expectRollupsMatchEvents } from '../test-support/rollup-answers';
import { eventViews, StagedSeed } from './seed-staged';

// The seed command's staged path fills the views' tables with the views' own queries instead of
// running the views per insert: the rollups must still give the events' answers.
let collector: TestCollector;
const day = 86_400_000;
const today = Math.floor(Date.now() / day) * day;

beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(() => collector?.destroy());

describe('the staged seed (npm run seed)', () => {
  it('finds every view of website_event with its table', async () => {
    const views = await eventViews(collector.db);
    expect(views.map((view) => view.target.replace(/^.*\./, '')).sort()).toEqual(
      ['daily_custom_events', 'daily_event_data', 'daily_metrics', 'daily_stats', 'event_hours', 'hourly_pageviews'].sort(),
    );
  });

  it('stores the events in website_event and fills the views tables so that the rollups answer as the events do', { timeout: 120_000 }, async () => {
    // The first two sites flushed together, the third at close.
    const staged = await StagedSeed.open(collector.db, { flushAt: 20_000 });
    const token = await collector.login();
    const sites = [];
    for (const name of ['Staged', 'Staged too', 'Staged three']) sites.push(await collector.createWebsite(token, name));
    const stored: number[] = [];
    for (const site of sites) stored.push(await staged.seed(site, { events: 12_000, days: 12, now: today - 3600_000 }));
    await staged.close();
    const counts = await rows<{ site: string; n: string }>(
      collector.db,
      'SELECT toString(website_id) AS site, count() AS n FROM website_event WHERE website_id IN {sites:Array(UUID)} GROUP BY site',
      { sites },
    );
    expect(new Map(counts.map((row) => [row.site, Number(row.n)]))).toEqual(new Map(sites.map((site, k) => [site, stored[k]])));
    expect(stored[0]).toBeGreaterThan(10_000);
    // The reports' tables, filled once per flush for every staged site: each site's vitals are its
    // own pageviews picked by the seed's rule, its orders its own checkouts, none twice.
    for (const site of sites) {
      const [expected] = await rows<{ vitals: string; orders: string }>(
        collector.db,
        `SELECT countIf(event_type = 1 AND cityHash64(event_id, 'perf') % 5 = 0) AS vitals, countIf(event_type = 2 AND event_name = 'checkout') AS orders
         FROM website_event WHERE website_id = {site:UUID}`,
        { site },
      );
      const [got] = await rows<{ vitals: string; orders: string }>(
        collector.db,
        `SELECT (SELECT count() FROM website_performance WHERE website_id = {site:UUID}) AS vitals,
           (SELECT uniqExact(event_id) FROM website_revenue WHERE website_id = {site:UUID}) AS orders`,
        { site },
      );
      expect(Number(expected!.vitals)).toBeGreaterThan(100);
      expect(Number(expected!.orders)).toBeGreaterThan(10);
      expect(got).toEqual(expected);
    }
    // As the seed command does: the visit rollups of the past days, their inserts side by side.
    expect((await collector.visitRollups.runOnce({ settleMs: 0, sideBySide: true })).built).toBeGreaterThanOrEqual(12);
    for (const websiteId of sites) {
      await expectRollupsMatchEvents(collector.db, { websiteId, startAt: today - 10 * day, endAt: today - 2 * day - 1, filter: buildFilters({}) });
      await expectRollupsMatchEvents(collector.db, { websiteId, startAt: today - 9 * day - 600_000, endAt: Date.now(), filter: buildFilters({}) });
    }
  });
});
