import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../test-support/collector';
import { benchRead, readEndpoints, reportEndpoints, timingTable } from './read-bench';
import { seedEvents } from './seed-events';

// The small version of `npm run seed` + `npm run bench:read` that CI runs: it proves the seeding
// SQL and every timed endpoint work; the timings it prints are not asserted.
let collector: TestCollector;
beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(() => collector?.destroy());

describe('read bench, small', () => {
  it('seeds 50,000 realistic events, builds their visit rollups and times every read endpoint', { timeout: 120_000 }, async () => {
    const token = await collector.login();
    const site = await collector.createWebsite(token, 'Seeded site');
    const now = Date.now();
    const stored = await seedEvents(collector.db, site, { events: 50_000, days: 90, now });
    expect(stored).toBeGreaterThan(45_000);
    expect(stored).toBeLessThan(55_000);
    // As `npm run seed` does: the past days' visit rollups are built at once.
    expect((await collector.visitRollups.runOnce({ settleMs: 0 })).built).toBeGreaterThanOrEqual(88);
    const stats = (await (await collector.request(`/api/websites/${site}/stats?startAt=${now - 90 * 86400_000}&endAt=${now}`, { token })).json()) as {
      pageviews: number;
      visits: number;
      bounces: number;
    };
    // Realistic shape: about 40% of visits bounce, and most events are pageviews.
    expect(stats.bounces / stats.visits).toBeGreaterThan(0.3);
    expect(stats.bounces / stats.visits).toBeLessThan(0.6);
    expect(stats.pageviews / stored).toBeGreaterThan(0.85);
    const endpoints = [...readEndpoints(site, now), ...reportEndpoints(site, now)];
    const timings = await benchRead(collector.url, token, endpoints, 2);
    console.log(timingTable(timings));
    expect(timings).toHaveLength(endpoints.length);
    // The seed fills the reports' tables too: vitals and orders to measure.
    const vitals = (await (
      await collector.request(`/api/websites/${site}/performance/stats?startAt=${now - 90 * 86400_000}&endAt=${now}`, { token })
    ).json()) as {
      count: number;
    };
    expect(vitals.count).toBeGreaterThan(1000);
  });
});
