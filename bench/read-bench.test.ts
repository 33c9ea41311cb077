import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../test-support/collector';
import { benchBatch, benchRead, overviewPaths, readEndpoints, reportEndpoints, timingTable, visitorEndpoints } from './read-bench';
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
    const [recent] = (await (
      await collector.db.query({
        query: 'SELECT toString(session_id) AS id FROM website_event WHERE website_id = {site:UUID} ORDER BY created_at DESC LIMIT 1',
        query_params: { site },
        format: 'JSONEachRow',
      })
    ).json()) as { id: string }[];
    const segment = (await (
      await collector.request(`/api/websites/${site}/segments`, {
        method: 'POST',
        token,
        json: { name: 'Germany', type: 'segment', parameters: { filters: [{ name: 'country', operator: 'eq', value: 'DE' }] } },
      })
    ).json()) as { id: string };
    const endpoints = [...readEndpoints(site, now), ...reportEndpoints(site, now), ...visitorEndpoints(site, recent!.id, segment.id, now)];
    const timings = await benchRead(collector.url, token, endpoints, 2);
    console.log(timingTable(timings));
    expect(timings).toHaveLength(endpoints.length);
    // Every endpoint answered (a refusal would be listed, not thrown).
    expect(timings.filter((t) => t.refused)).toEqual([]);
    const batch = await benchBatch(collector.url, token, overviewPaths(site, now), 1);
    expect(batch.oneByOne).toBeGreaterThan(0);
    expect(batch.batched).toBeGreaterThan(0);
    // The seed fills the reports' tables too: vitals and orders to measure.
    const vitals = (await (
      await collector.request(`/api/websites/${site}/performance/stats?startAt=${now - 90 * 86400_000}&endAt=${now}`, { token })
    ).json()) as {
      count: number;
    };
    expect(vitals.count).toBeGreaterThan(1000);
  });
});
