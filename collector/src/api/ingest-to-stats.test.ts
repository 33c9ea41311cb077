import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTime, firefoxUA, iphoneUA, pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';

let collector: TestCollector;
let token: string;
let site: string;

beforeAll(async () => {
  collector = await startTestCollector();
  token = await collector.login();
  site = await collector.createWebsite(token, 'stats');
  // Three visitors: chrome sees /, /docs, /pricing and signs up; firefox bounces on /;
  // the iPhone sees /docs twice.
  const sends: [string, string, Record<string, unknown>?][] = [
    ['chrome', '/'],
    ['chrome', '/docs'],
    ['chrome', '/pricing'],
    ['chrome', '/pricing', { name: 'signup', data: { plan: 'pro' } }],
    ['firefox', '/'],
    ['iphone', '/docs'],
    ['iphone', '/docs'],
    ['iphone', '/docs', { name: 'download' }],
    ['iphone', '/docs', { name: 'download' }],
  ];
  const agents: Record<string, Record<string, string>> = { chrome: {}, firefox: { 'user-agent': firefoxUA }, iphone: { 'user-agent': iphoneUA } };
  for (const [who, url, extra] of sends) {
    const response = await collector.send(pageview(site, url, extra), agents[who]);
    if (response.status !== 200) throw new Error(await response.text());
  }
  await collector.flush();
});
afterAll(() => collector?.destroy());

const get = (path: string) => collector.call(path, { token });

describe('GET /api/websites/:id/stats', () => {
  it('counts pageviews, visitors, visits and bounces as Umami defines them', async () => {
    const { status, body } = await get(`/api/websites/${site}/stats?${allTime}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ pageviews: 6, visitors: 3, visits: 3, bounces: 1, totaltime: expect.any(Number) });
    expect(body.totaltime).toBeGreaterThanOrEqual(0);
  });

  it('gives zeros for a range with no events', async () => {
    const { status, body } = await get(`/api/websites/${site}/stats?startAt=0&endAt=1000`);
    expect(status).toBe(200);
    const zeros = { pageviews: 0, visitors: 0, visits: 0, bounces: 0, totaltime: 0 };
    expect(body).toEqual({ ...zeros, comparison: zeros });
  });

  it('refuses a reversed or missing range with 400', async () => {
    expect((await get(`/api/websites/${site}/stats?startAt=2000&endAt=1000`)).status).toBe(400);
    const missing = await get(`/api/websites/${site}/stats?startAt=0`);
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain('endAt');
    expect((await get(`/api/websites/${site}/stats?startAt=yesterday&endAt=1000`)).status).toBe(400);
  });
});

describe('GET /api/websites/:id/metrics', () => {
  it('ranks paths by unique visitors', async () => {
    const { body } = await get(`/api/websites/${site}/metrics?${allTime}&type=path`);
    expect(body).toEqual([
      { x: '/', y: 2 },
      { x: '/docs', y: 2 },
      { x: '/pricing', y: 1 },
    ]);
  });

  it('ranks events by how often they happened', async () => {
    const { body } = await get(`/api/websites/${site}/metrics?${allTime}&type=event`);
    expect(body).toEqual([
      { x: 'download', y: 2 },
      { x: 'signup', y: 1 },
    ]);
  });

  it('refuses an unknown type with 400', async () => {
    const { status, body } = await get(`/api/websites/${site}/metrics?${allTime}&type=nonsense`);
    expect(status).toBe(400);
    expect(body.error.message).toContain('type');
  });

  it('answers 404 for a website that does not exist', async () => {
    expect((await get(`/api/websites/00000000-0000-4000-8000-000000000000/metrics?${allTime}&type=path`)).status).toBe(404);
    expect((await get(`/api/websites/not-a-uuid/stats?${allTime}`)).status).toBe(400);
  });
});
