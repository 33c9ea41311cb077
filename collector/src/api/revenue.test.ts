import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';

/**
 * Revenue end to end: random order streams with repeats through /api/send, and /revenue/stats and
 * /revenue/chart against sums computed in plain code (an order id counted once).
 */
let collector: TestCollector;
let token: string;

beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '60000', TRUST_PROXY: 'true' });
  token = await collector.login();
});
afterAll(() => collector?.destroy());

const day = 86_400_000;
const range = () => `startAt=${Date.now() - day}&endAt=${Date.now() + day}`;

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
        for (const o of orders) {
          const amount = o.cents / 100;
          const data = o.umamiStyle
            ? { revenue: amount, currency: o.currency, ...(o.orderId ? { orderId: o.orderId } : {}) }
            : { commerce: { currency: o.currency, items: [{ price: amount, quantity: 1 }], ...(o.orderId ? { orderId: o.orderId } : {}) } };
          const response = await collector.send(
            { type: 'event', payload: { ...pageview(site, '/thanks').payload, name: o.name, data } },
            { 'x-forwarded-for': `192.0.2.${o.visitor}` },
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
