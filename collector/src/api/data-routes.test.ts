import { UmamiClient } from '@umami/api-client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromeUA, pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';

/**
 * Event data, visitor data, custom event figures, expanded metrics and filter values, against a
 * plain reading of the beacons sent (random visitors, events and data), and through the official
 * client.
 */
let collector: TestCollector;
let token: string;
let client: UmamiClient;

beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '60000', TRUST_PROXY: 'true', COUNTRY_HEADER: 'cf-ipcountry' });
  token = await collector.login();
  client = new UmamiClient({ baseUrl: `${collector.url}/api` }).withToken(token);
});
afterAll(() => collector?.destroy());

const api = (path: string) => collector.read(path, token);

const visitorArb = fc.record({
  pages: fc.array(fc.constantFrom('/', '/pricing', '/docs'), { minLength: 1, maxLength: 4 }),
  events: fc.array(
    fc.record({
      name: fc.constantFrom('signup', 'play'),
      data: fc.option(
        fc.record({ plan: fc.constantFrom('pro', 'team'), seats: fc.integer({ min: 1, max: 3 }), paid: fc.boolean() }, { requiredKeys: ['plan'] }),
        {
          nil: undefined,
        },
      ),
    }),
    { maxLength: 3 },
  ),
  identify: fc.option(fc.record({ tier: fc.constantFrom('free', 'pro'), company: fc.constantFrom('Acme', 'Initech') }, { requiredKeys: ['tier'] }), {
    nil: undefined,
  }),
  country: fc.constantFrom('DE', 'FR'),
});

const tally = <K>(keys: K[]) => {
  const counts = new Map<K, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
};
const asMap = (rows: Record<string, unknown>[], key: string, value: string) => new Map(rows.map((row) => [row[key], row[value]]));

describe('event data, visitor data and custom events', () => {
  it('answer what a plain reading of the beacons answers', { timeout: 180_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(visitorArb, { minLength: 1, maxLength: 5 }),
        fc.option(fc.constantFrom('DE', 'FR'), { nil: undefined }),
        async (visitors, country) => {
          const site = await collector.createWebsite(token, 'data');
          for (const [i, visitor] of visitors.entries()) {
            const headers = { 'x-forwarded-for': `203.0.113.${i + 1}`, 'user-agent': chromeUA, 'cf-ipcountry': visitor.country };
            const send = async (body: object) => expect((await collector.send(body, headers)).status).toBe(200);
            for (const page of visitor.pages) await send(pageview(site, page));
            for (const event of visitor.events)
              await send({ type: 'event', payload: { ...pageview(site, '/docs').payload, name: event.name, data: event.data } });
            if (visitor.identify) await send({ type: 'identify', payload: { website: site, data: visitor.identify } });
          }
          await collector.flush();
          const kept = visitors.filter((v) => country === undefined || v.country === country);
          const range = `startAt=${Date.now() - 3600_000}&endAt=${Date.now() + 60_000}${country ? `&country=${country}` : ''}`;
          const path = (route: string, extra = '') => `/api/websites/${site}/${route}?${range}${extra}`;

          const events = kept.flatMap((v, visitor) => v.events.map((e) => ({ ...e, visitor })));
          const withData = events.filter((e) => e.data !== undefined);
          const properties = withData.flatMap((e) => Object.entries(e.data!).map(([key, value]) => ({ key, value, name: e.name })));

          expect(asMap(await api(path('event-data/fields')), 'propertyName', 'total')).toEqual(tally(properties.map((p) => p.key)));
          const types = await api(path('event-data/fields'));
          for (const t of types) expect(t.dataType).toBe({ plan: 1, seats: 2, paid: 3 }[t.propertyName as 'plan']);
          expect(asMap(await api(path('event-data/values', '&propertyName=plan&eventName=signup')), 'value', 'total')).toEqual(
            tally(properties.filter((p) => p.key === 'plan' && p.name === 'signup').map((p) => String(p.value))),
          );
          expect(await api(path('event-data/stats'))).toEqual({
            events: withData.length,
            properties: new Set(properties.map((p) => p.key)).size,
            records: properties.length,
          });
          const list = await api(path('event-data', '&page=1&pageSize=100'));
          expect(list.count).toBe(withData.length);
          expect(list.data.map((e: any) => e.eventProperties.length).reduce((a: number, b: number) => a + b, 0)).toBe(properties.length);
          if (list.data.length > 0) {
            const one = await api(`/api/websites/${site}/event-data/${list.data[0].eventId}`);
            expect(one.map((p: any) => p.dataKey)).toEqual(list.data[0].eventProperties.map((p: any) => p.dataKey).sort());
          }

          const stats = await api(path('events/stats'));
          const senders = new Set(events.map((e) => e.visitor));
          expect(stats.data).toMatchObject({
            events: events.length,
            visitors: senders.size,
            visits: senders.size,
            uniqueEvents: new Set(events.map((e) => e.name)).size,
          });
          const series = await api(path('events/series', '&unit=day&timezone=UTC'));
          expect(asMap(series, 'x', 'y')).toEqual(tally(events.map((e) => e.name)));

          const identified = kept.filter((v) => v.identify);
          const identifyProps = identified.flatMap((v) => Object.entries(v.identify!).map(([key, value]) => ({ key, value })));
          expect(asMap(await api(path('session-data/properties')), 'propertyName', 'total')).toEqual(tally(identifyProps.map((p) => p.key)));
          expect(asMap(await api(path('session-data/values', '&propertyName=tier')), 'value', 'total')).toEqual(
            tally(identifyProps.filter((p) => p.key === 'tier').map((p) => p.value)),
          );
          const tierStats = await api(path('session-data/stats', '&propertyName=tier'));
          for (const row of tierStats) {
            const who = identified.filter((v) => v.identify!.tier === row.label);
            expect(row).toMatchObject({
              sessions: who.length,
              views: who.reduce((n, v) => n + v.pages.length, 0),
              events: who.reduce((n, v) => n + v.events.length, 0),
            });
          }

          // Expanded metrics: per page, its pageviews, visitors, visits and the visits that saw only it once.
          const expanded = await api(path('metrics/expanded', '&type=path'));
          for (const page of ['/', '/pricing', '/docs'] as const) {
            const seen = kept.filter((v) => v.pages.includes(page));
            const row = expanded.find((r: any) => r.name === page);
            if (seen.length === 0) {
              expect(row).toBeUndefined();
              continue;
            }
            expect(row).toMatchObject({
              pageviews: seen.reduce((n, v) => n + v.pages.filter((p) => p === page).length, 0),
              visitors: seen.length,
              visits: seen.length,
              bounces: seen.filter((v) => v.pages.filter((p) => p === page).length === 1).length,
            });
          }
          const values = await api(`/api/websites/${site}/values?type=path&search=pr`);
          expect(values.map((v: any) => v.value)).toEqual(visitors.some((v) => v.pages.includes('/pricing')) ? ['/pricing'] : []);
          // Event names are offered from custom events only (pageviews have none), the most frequent first.
          const names = tally(visitors.flatMap((v) => v.events.map((e) => e.name)));
          const expectedNames = [...names].sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1)).map(([value, count]) => ({ value, count }));
          expect(await api(`/api/websites/${site}/values?type=event`)).toEqual(expectedNames);
        },
      ),
      { numRuns: 10 },
    );
  });

  it('answer the official client as they answer plain HTTP, and list saved segments as values', async () => {
    const site = await collector.createWebsite(token, 'data-client');
    await collector.send(pageview(site, '/'));
    await collector.send({ type: 'event', payload: { ...pageview(site, '/').payload, name: 'signup', data: { plan: 'pro' } } });
    await collector.send({ type: 'identify', payload: { website: site, data: { tier: 'pro' } } });
    await collector.flush();
    await client.createWebsiteSegment({ websiteId: site, name: 'Pros', type: 'segment', parameters: { filters: [] } });
    const r = { startAt: Date.now() - 3600_000, endAt: Date.now() + 60_000 };
    const q = `startAt=${r.startAt}&endAt=${r.endAt}`;
    const w = `/api/websites/${site}`;
    const pairs: [() => Promise<unknown>, string][] = [
      [() => client.getEventDataFields({ websiteId: site, ...r }), `${w}/event-data/fields?${q}`],
      [() => client.getEventDataValues({ websiteId: site, ...r, propertyName: 'plan' }), `${w}/event-data/values?${q}&propertyName=plan`],
      [() => client.getEventDataStats({ websiteId: site, ...r }), `${w}/event-data/stats?${q}`],
      [() => client.getEventData({ websiteId: site, ...r }), `${w}/event-data?${q}`],
      [() => client.getWebsiteEventStats({ websiteId: site, ...r }), `${w}/events/stats?${q}`],
      [() => client.getWebsiteEventSeries({ websiteId: site, ...r, timezone: 'UTC' }), `${w}/events/series?${q}&timezone=UTC`],
      [() => client.getWebsiteExpandedMetrics({ websiteId: site, ...r, type: 'path' }), `${w}/metrics/expanded?${q}&type=path`],
      [() => client.getSessionDataProperties({ websiteId: site, ...r }), `${w}/session-data/properties?${q}`],
      [() => client.getSessionDataValues({ websiteId: site, ...r, propertyName: 'tier' }), `${w}/session-data/values?${q}&propertyName=tier`],
      [() => client.getSessionDataStats({ websiteId: site, ...r, propertyName: 'tier' }), `${w}/session-data/stats?${q}&propertyName=tier`],
      [() => client.getWebsiteValues({ websiteId: site, type: 'path' }), `${w}/values?type=path`],
      [() => client.getWebsiteValues({ websiteId: site, type: 'segment' }), `${w}/values?type=segment`],
    ];
    for (const [call, url] of pairs) {
      const answer = await call();
      expect(answer, url).toEqual(await api(url));
      expect(JSON.stringify(answer).length, url).toBeGreaterThan(2);
    }
    expect(await api(`${w}/values?type=segment`)).toEqual([{ value: 'Pros' }]);
  });
});

describe('filter values', () => {
  it('offer referrers from other sites only, as the referrer metric shows them', async () => {
    const site = await collector.createWebsite(token, 'values-referrers');
    const from = (referrer: string, ip: string) => collector.send(pageview(site, '/', { referrer }), { 'x-forwarded-for': ip, 'user-agent': chromeUA });
    await from('https://news.example.org/item', '203.0.113.50');
    await from('https://news.example.org/other', '203.0.113.51');
    await from('https://search.example.net/', '203.0.113.52');
    // A link within the site itself (the pageview's hostname is example.com).
    await from('https://example.com/pricing', '203.0.113.53');
    await collector.flush();
    expect(await api(`/api/websites/${site}/values?type=referrer`)).toEqual([
      { value: 'news.example.org', count: 2 },
      { value: 'search.example.net', count: 1 },
    ]);
  });
});
