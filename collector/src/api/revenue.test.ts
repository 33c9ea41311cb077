import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';
import { channelOf } from '../shared/channels';

/**
 * Revenue end to end: random order streams with repeats through /api/send, and /revenue/stats,
 * /revenue/chart, /revenue/metrics and /revenue/sessions against sums computed in plain code (an
 * order id counted once).
 */
let collector: TestCollector;
let token: string;

beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '60000', TRUST_PROXY: 'true', COUNTRY_HEADER: 'cf-ipcountry' });
  token = await collector.login();
});
afterAll(() => collector?.destroy());

const day = 86_400_000;
const range = () => `startAt=${Date.now() - day}&endAt=${Date.now() + day}`;

/** Where each visitor lands from, and their country: one channel each. */
const landings: Record<number, { referrer: string; url: string; country: string }> = {
  1: { referrer: 'https://www.google.com/', url: '/', country: 'DE' },
  2: { referrer: '', url: '/', country: 'DE' },
  3: { referrer: 'https://blog.example/post', url: '/?utm_medium=affiliate', country: 'FR' },
  4: { referrer: 'https://facebook.com/', url: '/?gclid=x1', country: 'US' },
};
const visitorHeaders = (visitor: number) => ({ 'x-forwarded-for': `192.0.2.${visitor}`, 'cf-ipcountry': landings[visitor]!.country });
const referrerOf = (visitor: number) => (landings[visitor]!.referrer ? new URL(landings[visitor]!.referrer).hostname.replace(/^www\./, '') : '');
const channelOfVisitor = (visitor: number) => {
  const url = new URL(landings[visitor]!.url, 'https://example.com');
  return channelOf({
    referrerDomain: referrerOf(visitor),
    hostname: 'example.com',
    urlQuery: url.search.slice(1),
    utmMedium: url.searchParams.get('utm_medium') ?? '',
    utmSource: url.searchParams.get('utm_source') ?? '',
  });
};
const sumsBy = <T>(items: T[], key: (item: T) => string, cents: (item: T) => number) => {
  const sums = new Map<string, number>();
  for (const item of items) sums.set(key(item), (sums.get(key(item)) ?? 0) + cents(item));
  return [...sums].map(([name, total]) => [name, total]).sort();
};

const order = fc.record({
  visitor: fc.integer({ min: 1, max: 4 }),
  name: fc.constantFrom('checkout', 'upgrade'),
  currency: fc.constantFrom('EUR', 'usd'),
  cents: fc.integer({ min: 0, max: 100_000 }),
  orderId: fc.option(fc.constantFrom('A-1', 'A-2', 'A-3', 'B-9'), { nil: undefined }),
  umamiStyle: fc.boolean(),
});

describe('revenue', () => {
  it('stats and chart equal plain sums per currency, each order id counted once', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(order, { minLength: 1, maxLength: 25 }), async (sent) => {
        const site = await collector.createWebsite(token, 'revenue');
        // An order id always carries the same amount and currency (a thank-you page shown twice).
        const firstOf = new Map<string, (typeof sent)[number]>();
        const orders = sent.map((o) => {
          if (o.orderId === undefined) return o;
          const first = firstOf.get(o.orderId) ?? o;
          firstOf.set(o.orderId, first);
          return { ...o, currency: first.currency, cents: first.cents, name: first.name };
        });
        for (const visitor of new Set(orders.map((o) => o.visitor))) {
          const { referrer, url } = landings[visitor]!;
          expect((await collector.send(pageview(site, url, { referrer }), visitorHeaders(visitor))).status).toBe(200);
        }
        for (const o of orders) {
          const amount = o.cents / 100;
          const data = o.umamiStyle
            ? { revenue: amount, currency: o.currency, ...(o.orderId ? { orderId: o.orderId } : {}) }
            : { commerce: { currency: o.currency, items: [{ price: amount, quantity: 1 }], ...(o.orderId ? { orderId: o.orderId } : {}) } };
          const response = await collector.send(
            { type: 'event', payload: { ...pageview(site, '/thanks').payload, name: o.name, data } },
            visitorHeaders(o.visitor),
          );
          expect(response.status).toBe(200);
        }
        await collector.flush();

        for (const currency of ['EUR', 'USD']) {
          const counted = new Map<string, (typeof orders)[number]>();
          orders.forEach((o, i) => {
            if (o.currency.toUpperCase() === currency) counted.set(o.orderId ? `order:${o.orderId}` : `event:${i}`, o);
          });
          const kept = [...counted.values()];
          const cents = kept.reduce((sum, o) => sum + o.cents, 0);
          const stats = (await (
            await collector.request(`/api/websites/${site}/revenue/stats?${range()}&currency=${currency.toLowerCase()}`, { token })
          ).json()) as any;
          expect(stats.sum).toBeCloseTo(cents / 100, 4);
          expect(stats.count).toBe(kept.length);
          expect(stats.unique_count).toBe(new Set(kept.map((o) => o.visitor)).size);
          expect(stats.total_sessions).toBe(new Set(orders.map((o) => o.visitor)).size);
          expect(stats.average).toBeCloseTo(kept.length ? cents / 100 / kept.length : 0, 3);
          expect(stats.comparison).toMatchObject({ sum: 0, count: 0 });

          const chart = (await (
            await collector.request(`/api/websites/${site}/revenue/chart?${range()}&currency=${currency}&unit=day&timezone=UTC`, { token })
          ).json()) as any;
          const byName = new Map<string, { y: number; count: number }>();
          for (const o of kept) {
            const entry = byName.get(o.name) ?? { y: 0, count: 0 };
            byName.set(o.name, { y: entry.y + o.cents, count: entry.count + 1 });
          }
          expect(chart.chart.map((p: any) => [p.x, Math.round(p.y * 100), p.count]).sort()).toEqual([...byName].map(([x, v]) => [x, v.y, v.count]).sort());

          const dimensions = {
            country: (o: (typeof kept)[number]) => landings[o.visitor]!.country,
            referrer: (o: (typeof kept)[number]) => referrerOf(o.visitor),
            channel: (o: (typeof kept)[number]) => channelOfVisitor(o.visitor),
          };
          for (const [type, key] of Object.entries(dimensions)) {
            const metrics = (await (
              await collector.request(`/api/websites/${site}/revenue/metrics?${range()}&currency=${currency}&type=${type}`, { token })
            ).json()) as { name: string; value: number }[];
            expect([type, metrics.map((m) => [m.name, Math.round(m.value * 100)]).sort()]).toEqual([type, sumsBy(kept, key, (o) => o.cents)]);
            expect(metrics.map((m) => m.value)).toEqual([...metrics.map((m) => m.value)].sort((a, b) => b - a));
          }

          const sessions = (await (
            await collector.request(`/api/websites/${site}/revenue/sessions?${range()}&currency=${currency}&page=1&pageSize=10`, { token })
          ).json()) as { data: { country: string; views: number }[] };
          expect(sessions.data.map((session) => session.country).sort()).toEqual(
            [...new Set(kept.map((o) => o.visitor))].map((visitor) => landings[visitor]!.country).sort(),
          );
          expect(sessions.data.every((session) => session.views === 1)).toBe(true);
        }
      }),
      { numRuns: 8 },
    );
  });

  it('refuses commerce data it cannot read with 400, and stores nothing of it', async () => {
    const site = await collector.createWebsite(token, 'revenue-bad');
    for (const data of [{ commerce: { currency: 'euros', items: [] } }, { commerce: { currency: 'EUR', items: [{ price: 'a lot' }] } }, { revenue: 10 }]) {
      const response = await collector.send({ type: 'event', payload: { ...pageview(site, '/').payload, name: 'checkout', data } });
      expect([response.status, ((await response.json()) as any).error.code]).toEqual([400, 'invalid-data']);
    }
    await collector.flush();
    const stats = (await (await collector.request(`/api/websites/${site}/revenue/stats?${range()}&currency=EUR`, { token })).json()) as any;
    expect(stats.count).toBe(0);
  });
});
