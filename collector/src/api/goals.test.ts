import { randomUUID } from 'node:crypto';
import { UmamiClient } from '@umami/api-client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';

/**
 * Goals and saved reports: goal figures against counts computed in plain code from random visits,
 * and the saved goal and funnel routes driven by the official @umami/api-client.
 */
let collector: TestCollector;
let token: string;

beforeAll(async () => {
  collector = await startTestCollector({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
  token = await collector.login();
});
afterAll(() => collector?.destroy());

const base = Date.now() - 3600_000;
const visitEvents = fc.array(
  fc.oneof(
    fc.constantFrom('/', '/pricing', '/blog/a', '/blog/b').map((path) => ({ path, name: '' })),
    fc.constant({ path: '/signup', name: 'signed-up' }),
  ),
  { minLength: 1, maxLength: 6 },
);

async function store(site: string, visits: { path: string; name: string }[][]) {
  const rows = visits.flatMap((visit) => {
    const session = randomUUID();
    return visit.map((e, i) => ({
      website_id: site,
      session_id: session,
      visit_id: session,
      event_id: randomUUID(),
      created_at: base + i * 60_000,
      event_type: e.name ? 2 : 1,
      event_name: e.name,
      url_path: e.path,
    }));
  });
  await collector.db.insert({ table: 'website_event', values: rows, format: 'JSONEachRow' });
}

const range = () => ({ startAt: base - 60_000, endAt: Date.now() });
const rangeParams = () => ({ startAt: String(range().startAt), endAt: String(range().endAt) });

describe('goals', () => {
  it('count the visitors who reached a page or an event among all visitors, as a plain count does', { timeout: 120_000 }, async () => {
    const goals = fc.constantFrom(
      { type: 'path' as const, value: '/pricing', reached: (e: { path: string; name: string }) => !e.name && e.path === '/pricing' },
      { type: 'path' as const, value: '/blog*', reached: (e: { path: string; name: string }) => !e.name && e.path.startsWith('/blog') },
      { type: 'event' as const, value: 'signed-up', reached: (e: { path: string; name: string }) => e.name === 'signed-up' },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(visitEvents, { minLength: 1, maxLength: 8 }), goals, async (visits, goal) => {
        const site = await collector.createWebsite(token, 'goals');
        await store(site, visits);
        const query = new URLSearchParams({ startAt: String(range().startAt), endAt: String(range().endAt), type: goal.type, value: goal.value });
        const answer = await (await collector.request(`/api/websites/${site}/goals/stats?${query}`, { token })).json();
        expect(answer).toEqual({ num: visits.filter((visit) => visit.some(goal.reached)).length, total: visits.length });
      }),
      { numRuns: 20 },
    );
  });
});

describe('property goals', () => {
  it('count the visitors whose custom event carried the property with the value, strings and numbers alike', { timeout: 120_000 }, async () => {
    const signup = fc.record({ plan: fc.constantFrom('pro', 'free', undefined), seats: fc.constantFrom(1, 3, undefined) });
    const visitArb = fc.array(fc.option(signup, { nil: null }), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(visitArb, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(['plan', 'pro'] as const, ['seats', '3'] as const, ['plan', 'free'] as const),
        async (visits, [property, propertyValue]) => {
          const site = await collector.createWebsite(token, 'property-goals');
          const rows = visits.flatMap((visit) => {
            const session = randomUUID();
            return visit.map((data, i) => ({
              website_id: site,
              session_id: session,
              visit_id: session,
              event_id: randomUUID(),
              created_at: base + i * 60_000,
              event_type: data ? 2 : 1,
              event_name: data ? 'signed-up' : '',
              url_path: '/signup',
              event_data: data ? JSON.stringify(data) : '',
            }));
          });
          await collector.db.insert({ table: 'website_event', values: rows, format: 'JSONEachRow' });
          const query = new URLSearchParams({ ...rangeParams(), type: 'property', value: 'signed-up', property, propertyValue });
          const answer = await (await collector.request(`/api/websites/${site}/goals/stats?${query}`, { token })).json();
          const reached = (data: Record<string, unknown> | null) => data !== null && data[property] !== undefined && String(data[property]) === propertyValue;
          expect(answer).toEqual({ num: visits.filter((visit) => visit.some(reached)).length, total: visits.length });
        },
      ),
      { numRuns: 15 },
    );
  });

  it('refuse a property goal without its property', async () => {
    const site = await collector.createWebsite(token, 'property-goal-refusal');
    const query = new URLSearchParams({ ...rangeParams(), type: 'property', value: 'signed-up' });
    expect((await collector.request(`/api/websites/${site}/goals/stats?${query}`, { token })).status).toBe(400);
    const saved = await collector.request(`/api/websites/${site}/goals`, {
      method: 'POST',
      token,
      json: { name: 'x', parameters: { type: 'property', value: 'signed-up' } },
    });
    expect(saved.status).toBe(400);
  });
});

describe('saved goals and funnels through @umami/api-client 0.81', () => {
  it('are created, listed, read, changed, measured and deleted', async () => {
    const site = await collector.createWebsite(token, 'saved reports');
    await store(site, [
      [
        { path: '/', name: '' },
        { path: '/pricing', name: '' },
        { path: '/signup', name: 'signed-up' },
      ],
      [{ path: '/', name: '' }],
    ]);
    const client = new UmamiClient({ baseUrl: `${collector.url}/api` }).withToken(token);

    const goal = (await client.createWebsiteGoal({ websiteId: site, name: 'Pricing seen', parameters: { type: 'path', value: '/pricing' } })) as any;
    expect(goal).toMatchObject({ ok: true, id: expect.any(String), type: 'goal', name: 'Pricing seen', parameters: { type: 'path', value: '/pricing' } });
    expect(await client.getWebsiteSavedGoalStats({ websiteId: site, goalId: goal.id, ...range() })).toEqual({ num: 1, total: 2 });
    expect(((await client.getWebsiteGoals({ websiteId: site })) as any).data.map((g: any) => g.id)).toEqual([goal.id]);
    await client.updateWebsiteGoal({ websiteId: site, goalId: goal.id, name: 'Signed up', parameters: { type: 'event', value: 'signed-up' } });
    expect(await client.getWebsiteGoal({ websiteId: site, goalId: goal.id })).toMatchObject({ name: 'Signed up' });
    expect(await client.getWebsiteGoalStats({ websiteId: site, type: 'path', value: '/', ...range() })).toEqual({ num: 2, total: 2 });

    const funnel = (await client.createWebsiteFunnel({
      websiteId: site,
      name: 'Sign-up',
      parameters: {
        steps: [
          { type: 'path', value: '/' },
          { type: 'path', value: '/pricing' },
          { type: 'event', value: 'signed-up' },
        ],
        window: 60,
      },
    })) as any;
    const figures = (await client.getWebsiteSavedFunnelStats({ websiteId: site, funnelId: funnel.id, ...range() })) as any[];
    expect(figures.map((step) => step.visitors)).toEqual([2, 1, 1]);
    const adHoc = (await client.getWebsiteFunnelStats({
      websiteId: site,
      steps: JSON.stringify([
        { type: 'path', value: '/' },
        { type: 'event', value: 'signed-up' },
      ]),
      window: 60,
      ...range(),
    })) as any[];
    expect(adHoc.map((step) => [step.visitors, step.dropped])).toEqual([
      [2, 0],
      [1, 1],
    ]);
    expect(await client.deleteWebsiteFunnel({ websiteId: site, funnelId: funnel.id })).toEqual({ ok: true });
    expect(((await client.getWebsiteFunnels({ websiteId: site })) as any).count).toBe(0);
    expect(await client.deleteWebsiteGoal({ websiteId: site, goalId: goal.id })).toEqual({ ok: true });
  });

  it('are changed only by those who may change the website', async () => {
    const site = await collector.createWebsite(token, 'saved-access');
    await collector.users.create('report-reader', 'report reader pw', 'view-only');
    const reader = await collector.login('report-reader', 'report reader pw');
    const denied = await collector.request(`/api/websites/${site}/goals`, {
      method: 'POST',
      token: reader,
      json: { name: 'x', parameters: { type: 'path', value: '/' } },
    });
    expect(denied.status).toBe(403);
    const bad = await collector.request(`/api/websites/${site}/funnels`, {
      method: 'POST',
      token,
      json: { name: 'x', parameters: { steps: [{ type: 'path', value: '/' }], window: 60 } },
    });
    expect(bad.status).toBe(400);
  });
});
