import { UmamiClient } from '@umami/api-client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromeUA, pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';

/**
 * Pivots and series of event data and visitor data (`/event-data-pivot/*`, `/session-data/*-series`,
 * `/session-data/numeric-stats`, `/session-data-pivot`) against a plain reading of random
 * beacons: numbers, arrays, dates and hostile strings, filtered by country.
 */
let collector: TestCollector;
let token: string;

beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '60000', TRUST_PROXY: 'true', COUNTRY_HEADER: 'cf-ipcountry' });
  token = await collector.login();
});
afterAll(() => collector?.destroy());

const api = (path: string) => collector.read(path, token);

const text = fc.constantFrom('pro', 'a"b\\c', 'ü 🎉', "'; DROP TABLE x --", '12');
const isoDate = fc.constantFrom('2026-03-01T10:00:00.000Z', '2026-03-01T20:30:00.000Z', '2026-07-15T23:59:00Z');
const eventData = fc.record(
  {
    plan: text,
    price: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.constantFrom(9.5, 0.25)),
    tags: fc.array(fc.constantFrom('red', 'blue', 'ü'), { maxLength: 3 }),
    when: isoDate,
  },
  { requiredKeys: [] },
);
const visitorArb = fc.record({
  events: fc.array(fc.record({ name: fc.constantFrom('buy', 'play'), data: fc.option(eventData, { nil: undefined }) }), { minLength: 1, maxLength: 3 }),
  identify: fc.option(
    fc.record(
      { tier: text, age: fc.integer({ min: 1, max: 90 }), langs: fc.array(fc.constantFrom('de', 'fr'), { maxLength: 2 }), since: isoDate },
      {
        requiredKeys: ['tier'],
      },
    ),
    { nil: undefined },
  ),
  more: fc.option(fc.record({ plan: text }), { nil: undefined }),
  country: fc.constantFrom('DE', 'FR'),
});

/** A value as the API writes it: a string as itself, anything else as JSON. */
const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
const tally = (keys: string[]) => {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
};
const byX = (series: { x: string; y: number }[]) => {
  const counts: Record<string, number> = {};
  for (const { x, y } of series) counts[x] = (counts[x] ?? 0) + y;
  return counts;
};
const localDay = (iso: string, timeZone: string) => `${new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date(iso))} 00:00:00`;
const statsOf = (values: number[]): Record<string, number> => {
  if (values.length === 0) return { average: 0, max: 0, median: 0, min: 0, total: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (i: number) => sorted[i] as number;
  const middle = sorted.length / 2;
  const total = values.reduce((a, b) => a + b, 0);
  return {
    average: total / values.length,
    max: at(sorted.length - 1),
    median: sorted.length % 2 ? at(Math.floor(middle)) : (at(middle - 1) + at(middle)) / 2,
    min: at(0),
    total,
  };
};
const close = (actual: Record<string, number>, expected: Record<string, number>) => {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected)) expect(actual[key], key).toBeCloseTo(value, 6);
};

describe('pivots and series of event and visitor data', () => {
  it('answer what a plain reading of the beacons answers', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(visitorArb, { minLength: 1, maxLength: 5 }),
        fc.option(fc.constantFrom('DE', 'FR'), { nil: undefined }),
        async (visitors, country) => {
          const site = await collector.createWebsite(token, 'pivots');
          for (const [i, visitor] of visitors.entries()) {
            const headers = { 'x-forwarded-for': `203.0.113.${i + 1}`, 'user-agent': chromeUA, 'cf-ipcountry': visitor.country };
            const send = async (body: object) => expect((await collector.send(body, headers)).status).toBe(200);
            await send(pageview(site, '/'));
            for (const event of visitor.events)
              await send({ type: 'event', payload: { ...pageview(site, '/shop').payload, name: event.name, data: event.data } });
            if (visitor.identify) await send({ type: 'identify', payload: { website: site, data: visitor.identify } });
            if (visitor.more) await send({ type: 'identify', payload: { website: site, data: visitor.more } });
          }
          await collector.flush();
          const kept = visitors.filter((v) => country === undefined || v.country === country);
          const range = `startAt=${Date.now() - 3600_000}&endAt=${Date.now() + 60_000}${country ? `&country=${country}` : ''}`;
          const get = (route: string, extra = '') => api(`/api/websites/${site}/${route}?${range}${extra}`);
          // A year bucket holds the whole test (one bucket, so averages compare as one).
          const yearly = '&unit=year&timezone=UTC';

          const buys = kept.flatMap((v) => v.events.filter((e) => e.name === 'buy'));
          const buyData = buys.flatMap((e) => (e.data ? [e.data] : []));
          const ev = (route: string, property: string, extra = '') => get(`event-data-pivot/${route}`, `&eventName=buy&propertyName=${property}${extra}`);

          expect(byX(await ev('property-series', 'plan', yearly))).toEqual(tally(buyData.flatMap((d) => (d.plan === undefined ? [] : [d.plan]))));
          expect(byX(await ev('property-series', 'price', yearly))).toEqual(tally(buyData.flatMap((d) => (d.price === undefined ? [] : [asText(d.price)]))));
          expect(byX(await ev('array-series', 'tags', yearly))).toEqual(tally(buyData.flatMap((d) => [...new Set(d.tags ?? [])])));
          const prices = buyData.flatMap((d) => (d.price === undefined ? [] : [d.price]));
          close(await ev('numeric-stats', 'price'), statsOf(prices));
          const expected = statsOf(prices);
          for (const [metric, y] of [
            ['sum', expected.total ?? 0],
            ['avg', expected.average ?? 0],
            ['count', prices.length],
          ] as const) {
            const series = await ev('numeric-series', 'price', `${yearly}&metric=${metric}`);
            expect(series.map((p: any) => p.y)).toEqual(prices.length === 0 ? [] : [expect.closeTo(y, 6)]);
          }
          const dates = await ev('date-series', 'when', '&timezone=Asia/Tokyo');
          expect(Object.fromEntries(dates.map((p: any) => [p.t, p.y]))).toEqual(
            tally(buyData.flatMap((d) => (d.when === undefined ? [] : [localDay(d.when, 'Asia/Tokyo')]))),
          );

          const pivot = await get('event-data-pivot', '&eventName=buy&pageSize=100');
          expect(pivot).toMatchObject({ count: buys.length, page: 1, pageSize: 100, isCapped: false });
          const pivotRows = (rows: any[]) => rows.map((r) => JSON.stringify([r.propertyKeys, r.propertyValues])).sort();
          expect(pivotRows(pivot.data)).toEqual(
            pivotRows(buys.map((e) => ({ propertyKeys: Object.keys(e.data ?? {}), propertyValues: Object.values(e.data ?? {}).map(asText) }))),
          );
          if (buys.length > 1) {
            const capped = await get('event-data-pivot', '&eventName=buy&pageSize=1&page=2&maxResults=1');
            expect(capped).toMatchObject({ count: 1, isCapped: true, data: [] });
            const second = await get('event-data-pivot', '&eventName=buy&pageSize=1&page=2');
            expect(second.data).toEqual([pivot.data[1]]);
          }

          // Visitors: each active (kept) visitor's identify data, merged; each counts once.
          const identified = kept.filter((v) => v.identify);
          const sessions = identified.map((v) => ({ ...v.identify!, ...v.more }));
          const se = (route: string, property: string, extra = '') => get(`session-data/${route}`, `&propertyName=${property}${extra}`);
          expect(byX(await se('property-series', 'tier', yearly))).toEqual(tally(sessions.map((s) => s.tier)));
          expect(byX(await se('array-series', 'langs', yearly))).toEqual(tally(sessions.flatMap((s) => [...new Set(s.langs ?? [])])));
          const ages = sessions.flatMap((s) => (s.age === undefined ? [] : [s.age]));
          close(await se('numeric-stats', 'age'), statsOf(ages));
          expect((await se('numeric-series', 'age', `${yearly}&metric=count`)).map((p: any) => p.y)).toEqual(ages.length ? [ages.length] : []);
          const since = await se('date-series', 'since', '&timezone=UTC');
          expect(Object.fromEntries(since.map((p: any) => [p.t, p.y]))).toEqual(
            tally(sessions.flatMap((s) => (s.since === undefined ? [] : [localDay(s.since, 'UTC')]))),
          );
          const sessionPivot = await get('session-data-pivot', '&propertyName=tier&pageSize=100');
          expect(sessionPivot.count).toBe(sessions.length);
          const sorted = (s: Record<string, unknown>) => Object.entries(s).sort(([a], [b]) => (a < b ? -1 : 1));
          expect(pivotRows(sessionPivot.data)).toEqual(
            pivotRows(sessions.map((s) => ({ propertyKeys: sorted(s).map(([k]) => k), propertyValues: sorted(s).map(([, v]) => asText(v)) }))),
          );
        },
      ),
      { numRuns: 15 },
    );
  });

  it('answer the official client as they answer plain HTTP, and refuse what they cannot read', async () => {
    const client = new UmamiClient({ baseUrl: `${collector.url}/api` }).withToken(token);
    const site = await collector.createWebsite(token, 'pivots-client');
    await collector.send(pageview(site, '/'));
    await collector.send({
      type: 'event',
      payload: { ...pageview(site, '/').payload, name: 'buy', data: { price: 5, tags: ['a'], when: '2026-01-02T03:04:05Z' } },
    });
    await collector.send({ type: 'identify', payload: { website: site, data: { age: 30, langs: ['de'], since: '2026-01-02T03:04:05Z' } } });
    await collector.flush();
    const r = { startAt: Date.now() - 3600_000, endAt: Date.now() + 60_000, timezone: 'UTC' };
    const q = `startAt=${r.startAt}&endAt=${r.endAt}&timezone=UTC`;
    const w = `/api/websites/${site}`;
    const e = { websiteId: site, ...r, eventName: 'buy' };
    const s = { websiteId: site, ...r };
    const pairs: [() => Promise<unknown>, string][] = [
      [() => client.getEventDataPivot(e), `${w}/event-data-pivot?${q}&eventName=buy`],
      [() => client.getEventDataPropertySeries({ ...e, propertyName: 'price' }), `${w}/event-data-pivot/property-series?${q}&eventName=buy&propertyName=price`],
      [() => client.getEventDataArraySeries({ ...e, propertyName: 'tags' }), `${w}/event-data-pivot/array-series?${q}&eventName=buy&propertyName=tags`],
      [() => client.getEventDataNumericSeries({ ...e, propertyName: 'price' }), `${w}/event-data-pivot/numeric-series?${q}&eventName=buy&propertyName=price`],
      [() => client.getEventDataNumericStats({ ...e, propertyName: 'price' }), `${w}/event-data-pivot/numeric-stats?${q}&eventName=buy&propertyName=price`],
      [() => client.getEventDataDateSeries({ ...e, propertyName: 'when' }), `${w}/event-data-pivot/date-series?${q}&eventName=buy&propertyName=when`],
      [() => client.getSessionDataPivot({ ...s, propertyName: 'age' }), `${w}/session-data-pivot?${q}&propertyName=age`],
      [() => client.getSessionDataPropertySeries({ ...s, propertyName: 'age' }), `${w}/session-data/property-series?${q}&propertyName=age`],
      [() => client.getSessionDataArraySeries({ ...s, propertyName: 'langs' }), `${w}/session-data/array-series?${q}&propertyName=langs`],
      [() => client.getSessionDataNumericSeries({ ...s, propertyName: 'age' }), `${w}/session-data/numeric-series?${q}&propertyName=age`],
      [() => client.getSessionDataNumericStats({ ...s, propertyName: 'age' }), `${w}/session-data/numeric-stats?${q}&propertyName=age`],
      [() => client.getSessionDataDateSeries({ ...s, propertyName: 'since' }), `${w}/session-data/date-series?${q}&propertyName=since`],
    ];
    for (const [call, url] of pairs) {
      const answer = await call();
      expect(answer, url).toEqual(await api(url));
      expect(JSON.stringify(answer), url).not.toMatch(/^\[\]$|"total":0/);
    }
    // Twenty values at most: the most sent ones, ties by value.
    const many = await collector.createWebsite(token, 'pivots-many');
    for (const plan of [...Array.from({ length: 24 }, (_, i) => `p${String(i).padStart(2, '0')}`), 'p23', 'p23'])
      await collector.send({ type: 'event', payload: { ...pageview(many, '/').payload, name: 'buy', data: { plan } } });
    await collector.flush();
    const top = await api(`/api/websites/${many}/event-data-pivot/property-series?${q}&eventName=buy&propertyName=plan&unit=year`);
    expect(top.map((p: { x: string }) => p.x)).toEqual([
      'p00',
      'p01',
      'p02',
      'p03',
      'p04',
      'p05',
      'p06',
      'p07',
      'p08',
      'p09',
      'p10',
      'p11',
      'p12',
      'p13',
      'p14',
      'p15',
      'p16',
      'p17',
      'p18',
      'p23',
    ]);
    expect(top.find((p: { x: string }) => p.x === 'p23').y).toBe(3);
    for (const bad of [
      `${w}/event-data-pivot/numeric-stats?${q}&propertyName=price`,
      `${w}/event-data-pivot/numeric-series?${q}&eventName=buy&propertyName=price&metric=max`,
      `${w}/session-data/date-series?${q}&propertyName=since&timezone=Mars/Olympus`,
      `${w}/session-data-pivot?${q}&propertyName=age&maxResults=0`,
    ]) {
      const response = await collector.request(bad, { token });
      expect(response.status, bad).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message, bad).toBeTruthy();
    }
  });
});
