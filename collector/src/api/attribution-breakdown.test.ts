import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';

/** Attribution: random sessions stored in the real engine, credits against a plain reading of first- and last-click. */
let collector: TestCollector;
let token: string;

beforeAll(async () => {
  collector = await startTestCollector();
  token = await collector.login();
});
afterAll(() => collector?.destroy());

const base = Date.now() - 3600_000;
const touch = fc.record({
  referrer: fc.constantFrom('', 'google.com', 'news.example', 'shop.example'),
  source: fc.constantFrom('', 'mail', 'ads'),
  query: fc.constantFrom('', 'gclid=1', 'x=1&fbclid=2', 'xgclid=3', 'msclkid=&ttclid=4'),
  goal: fc.boolean(),
});
type Touch = { referrer: string; source: string; query: string; goal: boolean };
const adNetworks: [string, string][] = [
  ['gclid', 'Google Ads'],
  ['fbclid', 'Facebook / Meta'],
  ['msclkid', 'Microsoft Ads'],
  ['ttclid', 'TikTok Ads'],
];
const networkOf = (query: string) => adNetworks.find(([param]) => new URLSearchParams(query).get(param))?.[1] ?? '';

function expected(sessions: Touch[][], model: 'first-click' | 'last-click') {
  const referrer = new Map<string, number>();
  const source = new Map<string, number>();
  const paidAds = new Map<string, number>();
  let pageviews = 0;
  let visitors = 0;
  for (const events of sessions) {
    const goals = events.map((e, i) => (e.goal ? i : -1)).filter((i) => i >= 0);
    if (goals.length === 0) continue;
    pageviews += goals.length;
    visitors += 1;
    const last = goals.at(-1)!;
    const credited = model === 'first-click' ? events[0] : last > 0 ? events[last - 1] : undefined;
    if (!credited) continue;
    // The page's own host (shop.example) is not a referrer.
    if (credited.referrer && credited.referrer !== 'shop.example') referrer.set(credited.referrer, (referrer.get(credited.referrer) ?? 0) + 1);
    if (credited.source) source.set(credited.source, (source.get(credited.source) ?? 0) + 1);
    const network = networkOf(credited.query);
    if (network) paidAds.set(network, (paidAds.get(network) ?? 0) + 1);
  }
  const ranked = (counts: Map<string, number>) =>
    [...counts].map(([name, value]) => ({ name, value })).sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : 1));
  return { referrer: ranked(referrer), utm_source: ranked(source), paidAds: ranked(paidAds), total: { pageviews, visitors, visits: visitors } };
}

describe('attribution', () => {
  it('credits converted visitors to the first or last touch as a plain reading does', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(touch, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('first-click', 'last-click'),
        async (sessions, model) => {
          const site = await collector.createWebsite(token, 'attribution');
          const rows = sessions.flatMap((events) => {
            const id = randomUUID();
            return events.map((e, i) => ({
              website_id: site,
              session_id: id,
              visit_id: id,
              event_id: randomUUID(),
              created_at: base + i * 1000,
              event_type: 1,
              url_path: e.goal ? '/thanks' : '/',
              hostname: 'shop.example',
              referrer_domain: e.referrer,
              utm_source: e.source,
              url_query: e.query,
            }));
          });
          await collector.db.insert({ table: 'website_event', values: rows, format: 'JSONEachRow' });
          const query = new URLSearchParams({ startAt: String(base - 1000), endAt: String(Date.now()), model, type: 'path', step: '/thanks' });
          const answer = (await (await collector.request(`/api/websites/${site}/attribution?${query}`, { token })).json()) as any;
          const want = expected(sessions, model as 'first-click' | 'last-click');
          expect({ referrer: answer.referrer, utm_source: answer.utm_source, paidAds: answer.paidAds, total: answer.total }).toEqual(want);
        },
      ),
      { numRuns: 25 },
    );
  });
});

/** A session's event for revenue attribution: its touch, and the orders placed on it (a goal event when it has any). */
const paying = fc.record({
  referrer: fc.constantFrom('', 'google.com', 'news.example'),
  source: fc.constantFrom('', 'mail', 'ads'),
  orders: fc.array(fc.record({ currency: fc.constantFrom('EUR', 'USD'), cents: fc.integer({ min: 1, max: 99_999 }), repeated: fc.boolean() }), {
    maxLength: 2,
  }),
});
type Paying = { referrer: string; source: string; orders: { currency: string; cents: number; repeated: boolean }[] };

/** Revenue attribution read plainly: each session with EUR orders credits their sum to its first event, or to the one before its last EUR order. */
function expectedRevenue(sessions: Paying[][], model: 'first-click' | 'last-click') {
  const referrer = new Map<string, number>();
  const source = new Map<string, number>();
  let [orders, visitors, revenue] = [0, 0, 0];
  for (const events of sessions) {
    const paid = events.map((e, i) => (e.orders.some((o) => o.currency === 'EUR') ? i : -1)).filter((i) => i >= 0);
    if (paid.length === 0) continue;
    const cents = events.flatMap((e) => e.orders.filter((o) => o.currency === 'EUR').map((o) => o.cents)).reduce((a, b) => a + b, 0);
    orders += events.flatMap((e) => e.orders.filter((o) => o.currency === 'EUR')).length;
    visitors += 1;
    revenue += cents;
    const last = paid.at(-1)!;
    const credited = model === 'first-click' ? events[0] : last > 0 ? events[last - 1] : undefined;
    if (credited?.referrer) referrer.set(credited.referrer, (referrer.get(credited.referrer) ?? 0) + cents);
    if (credited?.source) source.set(credited.source, (source.get(credited.source) ?? 0) + cents);
  }
  const ranked = (sums: Map<string, number>) =>
    [...sums].map(([name, value]) => ({ name, value: value / 100 })).sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : 1));
  return { referrer: ranked(referrer), utm_source: ranked(source), total: { pageviews: orders, visitors, visits: visitors, revenue: revenue / 100 } };
}

describe('revenue attribution (ours: currency)', () => {
  it('credits the revenue of each paying visitor’s orders in the currency, each order once, as a plain reading does', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(paying, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('first-click', 'last-click'),
        async (sessions, model) => {
          const site = await collector.createWebsite(token, 'revenue attribution');
          const events: Record<string, unknown>[] = [];
          const orders: Record<string, unknown>[] = [];
          const repeats: Record<string, unknown>[] = [];
          for (const session of sessions) {
            const id = randomUUID();
            session.forEach((e, i) => {
              const eventId = randomUUID();
              const goal = e.orders.length > 0;
              const at = base + i * 1000;
              events.push({
                website_id: site,
                session_id: id,
                visit_id: id,
                event_id: eventId,
                created_at: at,
                event_type: goal ? 2 : 1,
                event_name: goal ? 'purchase' : '',
                url_path: '/',
                hostname: 'shop.example',
                referrer_domain: e.referrer,
                utm_source: e.source,
              });
              for (const order of e.orders) {
                const row = {
                  website_id: site,
                  session_id: id,
                  visit_id: id,
                  event_id: eventId,
                  created_at: at,
                  event_name: 'purchase',
                  currency: order.currency,
                  revenue: order.cents / 100,
                  order_key: randomUUID(),
                };
                orders.push(row);
                // The same order sent again (in a later batch) counts once.
                if (order.repeated) repeats.push({ ...row });
              }
            });
          }
          await collector.db.insert({ table: 'website_event', values: events, format: 'JSONEachRow' });
          if (orders.length) await collector.db.insert({ table: 'website_revenue', values: orders, format: 'JSONEachRow' });
          if (repeats.length) await collector.db.insert({ table: 'website_revenue', values: repeats, format: 'JSONEachRow' });
          const query = new URLSearchParams({
            startAt: String(base - 1000),
            endAt: String(Date.now()),
            model,
            type: 'event',
            step: 'purchase',
            currency: 'eur',
          });
          const response = await collector.request(`/api/websites/${site}/attribution?${query}`, { token });
          expect(response.status).toBe(200);
          const answer = (await response.json()) as any;
          expect({ referrer: answer.referrer, utm_source: answer.utm_source, total: answer.total }).toEqual(
            expectedRevenue(sessions, model as 'first-click' | 'last-click'),
          );
        },
      ),
      { numRuns: 20 },
    );
    const site = await collector.createWebsite(token, 'bad currency');
    const bad = await collector.request(`/api/websites/${site}/attribution?startAt=0&endAt=1&model=first-click&type=event&step=x&currency=EURO`, { token });
    expect(bad.status).toBe(400);
  });
});

describe('breakdown', () => {
  // Country and browser are a session's (one per visit, as ingest records them); the path changes within a visit.
  const visitArb = fc.record({
    country: fc.constantFrom('DE', 'FR'),
    browser: fc.constantFrom('chrome', 'firefox'),
    views: fc.array(fc.record({ path: fc.constantFrom('/', '/a'), second: fc.integer({ min: 0, max: 600 }) }), { minLength: 1, maxLength: 5 }),
  });
  type Visit = typeof visitArb extends fc.Arbitrary<infer T> ? T : never;

  /** The rows ingest would store: each pageview with its place in the visit, the gap since the one before, and the visit's start. */
  const rowsOf = (site: string, visits: Visit[]) =>
    visits.flatMap((v) => {
      const id = randomUUID();
      const views = [...v.views].sort((a, b) => a.second - b.second);
      return views.map((e, i) => ({
        website_id: site,
        session_id: id,
        visit_id: id,
        event_id: randomUUID(),
        created_at: base + e.second * 1000,
        event_type: 1,
        url_path: e.path,
        country: v.country,
        browser: v.browser,
        visit_pageview: i + 1,
        visit_gap_ms: i === 0 ? 0 : (e.second - views[i - 1]!.second) * 1000,
        visit_start: base + views[0]!.second * 1000,
      }));
    });

  /** The figures per combination, read plainly: per visit, its pageviews in the combination. */
  function expected(visits: Visit[], fields: ('country' | 'browser' | 'path')[]) {
    const groups = new Map<string, Record<string, string | number>>();
    for (const v of visits) {
      const byKey = new Map<string, number[]>();
      const keyOf = (path: string) => fields.map((f) => (f === 'path' ? path : v[f])).join('\u0000');
      for (const e of v.views) byKey.set(keyOf(e.path), [...(byKey.get(keyOf(e.path)) ?? []), e.second]);
      for (const [key, seconds] of byKey) {
        const values = key.split('\u0000');
        const g = groups.get(key) ?? {
          views: 0,
          visitors: 0,
          visits: 0,
          bounces: 0,
          totaltime: 0,
          ...Object.fromEntries(fields.map((f, i) => [f, values[i]!])),
        };
        groups.set(key, {
          ...g,
          views: (g.views as number) + seconds.length,
          visitors: (g.visitors as number) + 1,
          visits: (g.visits as number) + 1,
          bounces: (g.bounces as number) + (seconds.length === 1 ? 1 : 0),
          totaltime: (g.totaltime as number) + Math.max(...seconds) - Math.min(...seconds),
        });
      }
    }
    const label = (g: Record<string, string | number>) => fields.map((f) => g[f]).join(' ');
    return [...groups.values()].sort(
      (a, b) => (b.visitors as number) - (a.visitors as number) || (b.views as number) - (a.views as number) || (label(a) < label(b) ? -1 : 1),
    );
  }

  it("groups pageviews by a session's dimensions or a page's with the figures a plain reading gives", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(visitArb, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(['country', 'browser'] as ('country' | 'browser' | 'path')[], ['path', 'country'] as ('country' | 'browser' | 'path')[]),
        async (visits, fields) => {
          const site = await collector.createWebsite(token, 'breakdown');
          await collector.db.insert({ table: 'website_event', values: rowsOf(site, visits), format: 'JSONEachRow' });
          const query = new URLSearchParams({ startAt: String(base - 1000), endAt: String(Date.now()), fields: fields.join(',') });
          const answer = await (await collector.request(`/api/websites/${site}/breakdown?${query}`, { token })).json();
          expect(answer).toEqual(expected(visits, fields));
        },
      ),
      { numRuns: 25 },
    );
    const bad = await collector.request(`/api/websites/${await collector.createWebsite(token, 'b')}/breakdown?startAt=0&endAt=1&fields=colour`, { token });
    expect(bad.status).toBe(400);
  });
});
