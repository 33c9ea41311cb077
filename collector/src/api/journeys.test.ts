import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';

/** Journeys and the UTM report: random visits stored in the real engine, answers against a plain reading. */
let collector: TestCollector;
let token: string;

beforeAll(async () => {
  collector = await startTestCollector();
  token = await collector.login();
});
afterAll(() => collector?.destroy());

const base = Date.now() - 3600_000;
const step = fc.oneof(
  fc.constantFrom('/', '/a', '/b').map((path) => ({ path, name: '' })),
  fc.constantFrom('buy', 'play').map((name) => ({ path: '/a', name })),
);
const visit = fc.record({ events: fc.array(step, { minLength: 1, maxLength: 6 }), source: fc.constantFrom('', 'news', 'mail') });

async function store(site: string, visits: { events: { path: string; name: string }[]; source: string }[]) {
  const rows = visits.flatMap((v) => {
    const id = randomUUID();
    return v.events.map((e, i) => ({
      website_id: site,
      session_id: id,
      visit_id: id,
      event_id: randomUUID(),
      created_at: base + i * 1000,
      event_type: e.name ? 2 : 1,
      event_name: e.name,
      url_path: e.path,
      utm_source: v.source,
    }));
  });
  await collector.db.insert({ table: 'website_event', values: rows, format: 'JSONEachRow' });
}

const compareArrays = (a: string[], b: string[]) => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length;
};

describe('journeys', () => {
  it('are the most common first paths of each visit, as a plain reading finds them', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(visit, { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 2, max: 4 }),
        fc.option(fc.constantFrom('/', '/a', 'buy'), { nil: undefined }),
        fc.option(fc.constantFrom('/b', 'buy', 'play'), { nil: undefined }),
        async (visits, steps, startStep, endStep) => {
          const site = await collector.createWebsite(token, 'journeys');
          await store(site, visits);
          const counts = new Map<string, { path: string[]; count: number }>();
          for (const v of visits) {
            const path = v.events.map((e) => e.name || e.path).slice(0, steps);
            if (startStep && path[0] !== startStep) continue;
            if (endStep && path.at(-1) !== endStep) continue;
            const key = JSON.stringify(path);
            counts.set(key, { path, count: (counts.get(key)?.count ?? 0) + 1 });
          }
          const expected = [...counts.values()]
            .sort((x, y) => y.count - x.count || compareArrays(x.path, y.path))
            .map(({ path, count }) => ({ items: path.filter((s, i) => i === 0 || s !== path[i - 1]), count }));
          const query = new URLSearchParams({ startAt: String(base - 1000), endAt: String(Date.now()), steps: String(steps) });
          if (startStep) query.set('startStep', startStep);
          if (endStep) query.set('endStep', endStep);
          const response = await collector.request(`/api/websites/${site}/journeys?${query}`, { token });
          expect(response.status).toBe(200);
          expect(await response.json()).toEqual(expected);
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe('the UTM report', () => {
  it('counts pageviews per value of a UTM parameter, none empty, the most first', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(visit, { minLength: 1, maxLength: 10 }), async (visits) => {
        const site = await collector.createWebsite(token, 'utm');
        await store(site, visits);
        const views = new Map<string, number>();
        for (const v of visits) if (v.source) views.set(v.source, (views.get(v.source) ?? 0) + v.events.filter((e) => !e.name).length);
        const expected = [...views]
          .filter(([, n]) => n > 0)
          .map(([utm, n]) => ({ utm, views: n }))
          .sort((a, b) => b.views - a.views || (a.utm < b.utm ? -1 : 1));
        const query = new URLSearchParams({ startAt: String(base - 1000), endAt: String(Date.now()), type: 'utm_source' });
        expect(await (await collector.request(`/api/websites/${site}/utm/metrics?${query}`, { token })).json()).toEqual(expected);
      }),
      { numRuns: 10 },
    );
  });
});
