import { UmamiClient } from '@umami/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromeUA, pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';

/**
 * Every report route of issue 26 called through the official @umami/api-client 0.81, unchanged:
 * each answer is the one the same request gets over plain HTTP, and none is empty (the numbers
 * themselves are checked against plain readings in each report's own test).
 */
let collector: TestCollector;
let token: string;
let site: string;
let client: UmamiClient;

beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '60000', TRUST_PROXY: 'true' });
  token = await collector.login();
  site = await collector.createWebsite(token, 'client reports');
  client = new UmamiClient({ baseUrl: `${collector.url}/api` }).withToken(token);
  for (const visitor of [1, 2, 3]) {
    const headers = { 'x-forwarded-for': `192.0.2.${visitor}`, 'user-agent': chromeUA };
    const send = async (body: object) => expect((await collector.send(body, headers)).status).toBe(200);
    await send(pageview(site, '/?utm_source=news&gclid=x', { referrer: 'https://www.google.com/' }));
    await send(pageview(site, '/pricing'));
    await send({ type: 'identify', payload: { website: site, id: `user-${visitor}` } });
    await send({ type: 'event', payload: { ...pageview(site, '/pricing').payload, name: 'signup', data: { revenue: 10 * visitor, currency: 'EUR' } } });
    await send({ type: 'performance', payload: { ...pageview(site, '/').payload, lcp: 1000 * visitor, inp: 90, cls: 0.05, fcp: 700, ttfb: 200 } });
  }
  await collector.flush();
});
afterAll(() => collector?.destroy());

const range = () => ({ startAt: Date.now() - 3600_000, endAt: Date.now() + 60_000 });

/** The same request over plain HTTP. */
const plain = async (path: string, query: Record<string, string | number>) => {
  const params = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  const response = await collector.request(`/api/websites/${site}${path}?${params}`, { token });
  expect(response.status).toBe(200);
  return response.json();
};

describe('report routes through @umami/api-client 0.81', () => {
  it('answer the client as they answer plain HTTP, with data', async () => {
    const r = range();
    const calls: [string, () => Promise<unknown>, string, Record<string, string | number>][] = [
      ['journeys', () => client.getWebsiteJourneys({ websiteId: site, ...r, steps: 3 }), '/journeys', { ...r, steps: 3 }],
      ['retention', () => client.getWebsiteRetention({ websiteId: site, ...r, timezone: 'UTC' }), '/retention', { ...r, timezone: 'UTC' }],
      [
        'attribution',
        () => client.getWebsiteAttribution({ websiteId: site, ...r, model: 'first-click', type: 'event', step: 'signup' }),
        '/attribution',
        { ...r, model: 'first-click', type: 'event', step: 'signup' },
      ],
      ['breakdown', () => client.getWebsiteBreakdown({ websiteId: site, ...r, fields: 'country,browser' }), '/breakdown', { ...r, fields: 'country,browser' }],
      ['utm', () => client.getWebsiteUtmMetrics({ websiteId: site, ...r, type: 'utm_source' }), '/utm/metrics', { ...r, type: 'utm_source' }],
      ['revenue stats', () => client.getWebsiteRevenueStats({ websiteId: site, ...r, currency: 'EUR' }), '/revenue/stats', { ...r, currency: 'EUR' }],
      [
        'revenue chart',
        () => client.getWebsiteRevenueChart({ websiteId: site, ...r, currency: 'EUR', unit: 'hour', timezone: 'UTC' }),
        '/revenue/chart',
        { ...r, currency: 'EUR', unit: 'hour', timezone: 'UTC' },
      ],
      [
        'revenue metrics',
        () => client.getWebsiteRevenueMetrics({ websiteId: site, ...r, currency: 'EUR', type: 'channel' }),
        '/revenue/metrics',
        { ...r, currency: 'EUR', type: 'channel' },
      ],
      ['revenue sessions', () => client.getWebsiteRevenueSessions({ websiteId: site, ...r, currency: 'EUR' }), '/revenue/sessions', { ...r, currency: 'EUR' }],
      ['performance stats', () => client.getWebsitePerformanceStats({ websiteId: site, ...r }), '/performance/stats', { ...r }],
      [
        'performance metrics',
        () => client.getWebsitePerformanceMetrics({ websiteId: site, ...r, type: 'path', metric: 'lcp' }),
        '/performance/metrics',
        { ...r, type: 'path', metric: 'lcp' },
      ],
      [
        'performance chart',
        () => client.getWebsitePerformanceChart({ websiteId: site, ...r, unit: 'hour', timezone: 'UTC' }),
        '/performance/chart',
        { ...r, unit: 'hour', timezone: 'UTC' },
      ],
    ];
    for (const [name, viaClient, path, query] of calls) {
      const answer = await viaClient();
      expect({ name, answer }).toEqual({ name, answer: await plain(path, query) });
      const size = Array.isArray(answer) ? answer.length : Object.values(answer as object).filter((v) => !(Array.isArray(v) && v.length === 0)).length;
      expect(size, name).toBeGreaterThan(0);
    }
  });

  it('follow identified visitors: retention with distinctId, revenue with match=any', async () => {
    const r = range();
    const retention = (await client.getWebsiteRetention({ websiteId: site, ...r, distinctId: 'user-2' })) as { visitors: number }[];
    expect(retention.map((row) => row.visitors)).toEqual([1]);
    const stats = (await client.getWebsiteRevenueStats({
      websiteId: site,
      ...r,
      currency: 'EUR',
      distinctId: 'user-3',
      match: 'any',
      country: 'ZZ',
    })) as unknown as {
      sum: number;
    };
    expect(stats.sum).toBe(30);
  });
});
