import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';

/**
 * The filters of Umami's current contract beyond the columns: `match=any`, `excludeBounce`,
 * `eventType` and `distinctId`, with the column filters, on stats and a metric: random visits in
 * the real engine, answers against a plain reading of the same rows.
 */
let collector: TestCollector;
let token: string;

beforeAll(async () => {
  collector = await startTestCollector();
  token = await collector.login();
});
afterAll(() => collector?.destroy());

const base = Date.now() - 12 * 3600_000;

const sessionsArb = fc.array(fc.record({ country: fc.constantFrom('DE', 'FR'), distinctId: fc.constantFrom('', 'ann', 'bob') }), {
  minLength: 1,
  maxLength: 4,
});
const visitArb = fc.record({
  session: fc.nat(),
  /** Every visit opens with a pageview, as the tracker's do. */
  events: fc.array(fc.record({ path: fc.constantFrom('/', '/a'), name: fc.constantFrom('', '', 'buy', 'play') }), { minLength: 0, maxLength: 4 }),
  firstPath: fc.constantFrom('/', '/a'),
});
const filtersArb = fc.record(
  {
    country: fc.constantFrom('DE', 'neq.DE'),
    path: fc.constantFrom('/a', 'eq./'),
    event: fc.constant('buy'),
    distinctId: fc.constantFrom('ann', 'neq.ann'),
    eventType: fc.constantFrom('1', '2'),
  },
  { requiredKeys: [] },
);

interface Row {
  session_id: string;
  visit_id: string;
  created_at: number;
  event_type: number;
  event_name: string;
  url_path: string;
  country: string;
  visit_pageview: number;
  visit_gap_ms: number;
  visit_start: number;
}

function rowsOf(sessions: { country: string; distinctId: string }[], visits: (typeof visitArb extends fc.Arbitrary<infer T> ? T : never)[]) {
  const sessionIds: string[] = sessions.map(() => randomUUID());
  const rows: Row[] = [];
  visits.forEach((visit, v) => {
    const s = visit.session % sessions.length;
    const visitId = randomUUID();
    const start = base + v * 3600_000;
    let pageviews = 0;
    let last = start;
    [{ path: visit.firstPath, name: '' }, ...visit.events].forEach((event, i) => {
      const at = start + i * 10_000;
      const isPageview = event.name === '';
      if (isPageview) pageviews += 1;
      rows.push({
        session_id: sessionIds[s]!,
        visit_id: visitId,
        created_at: at,
        event_type: isPageview ? 1 : 2,
        event_name: event.name,
        url_path: event.path,
        country: sessions[s]!.country,
        visit_pageview: isPageview ? pageviews : 0,
        visit_gap_ms: isPageview && pageviews > 1 ? at - last : 0,
        visit_start: start,
      });
      if (isPageview) last = at;
    });
  });
  const ties = sessions.flatMap((session, s) => (session.distinctId ? [{ session_id: sessionIds[s]!, distinct_id: session.distinctId }] : []));
  return { rows, ties };
}

type Filters = Partial<Record<'country' | 'path' | 'event' | 'distinctId' | 'eventType', string>>;

/** The rows a request keeps, read plainly: each filter's meaning as docs/api.md gives it. */
function kept({ rows, ties }: ReturnType<typeof rowsOf>, filters: Filters, match: 'all' | 'any', excludeBounce: boolean): Row[] {
  const tie = new Map(ties.map((t) => [t.session_id, t.distinct_id]));
  const visitsWithBuy = new Set(rows.filter((r) => r.event_name === 'buy').map((r) => r.visit_id));
  const pageviewsOf = new Map<string, number>();
  for (const r of rows) if (r.event_type === 1) pageviewsOf.set(r.visit_id, (pageviewsOf.get(r.visit_id) ?? 0) + 1);
  const test = (value: string, actual: string | undefined) =>
    value.startsWith('neq.') ? actual !== undefined && actual !== value.slice(4) : actual === value.replace(/^eq\./, '');
  const checks: ((r: Row) => boolean)[] = [];
  if (filters.country) checks.push((r) => test(filters.country!, r.country));
  if (filters.path) checks.push((r) => test(filters.path!, r.url_path));
  if (filters.event) checks.push((r) => visitsWithBuy.has(r.visit_id));
  if (filters.distinctId) checks.push((r) => test(filters.distinctId!, tie.get(r.session_id)));
  if (filters.eventType) checks.push((r) => String(r.event_type) === filters.eventType);
  return rows.filter(
    (r) =>
      (checks.length === 0 || (match === 'any' ? checks.some((check) => check(r)) : checks.every((check) => check(r)))) &&
      (!excludeBounce || (pageviewsOf.get(r.visit_id) ?? 0) > 1),
  );
}

describe('match=any, excludeBounce, eventType and distinctId', () => {
  it('keep the events a plain reading keeps, in stats and the path metric', { timeout: 180_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        sessionsArb,
        fc.array(visitArb, { minLength: 1, maxLength: 8 }),
        filtersArb,
        fc.constantFrom('all' as const, 'any' as const),
        fc.boolean(),
        async (sessions, visits, filters, match, excludeBounce) => {
          const site = await collector.createWebsite(token, 'filters');
          const data = rowsOf(sessions, visits);
          await collector.db.insert({
            table: 'website_event',
            values: data.rows.map((row) => ({ ...row, website_id: site, event_id: randomUUID() })),
            format: 'JSONEachRow',
          });
          const ties = data.ties.map((t) => ({ ...t, website_id: site, data: '', created_at: base }));
          if (ties.length > 0) await collector.db.insert({ table: 'session_data', values: ties, format: 'JSONEachRow' });

          const query = new URLSearchParams({ startAt: String(base - 1000), endAt: String(Date.now()), match, ...filters });
          if (excludeBounce) query.set('excludeBounce', 'true');
          const rows = kept(data, filters, match, excludeBounce);
          const pageviews = rows.filter((r) => r.event_type === 1);

          const stats = await collector.request(`/api/websites/${site}/stats?${query}`, { token });
          expect(stats.status).toBe(200);
          expect(await stats.json()).toMatchObject({
            pageviews: pageviews.length,
            // Umami's stats count the visits and visitors of the pageviews kept.
            visitors: new Set(pageviews.map((r) => r.session_id)).size,
            visits: new Set(pageviews.map((r) => r.visit_id)).size,
          });

          query.set('type', 'path');
          const metric = await collector.request(`/api/websites/${site}/metrics?${query}`, { token });
          expect(metric.status).toBe(200);
          const visitorsByPath = new Map<string, Set<string>>();
          for (const r of pageviews) visitorsByPath.set(r.url_path, (visitorsByPath.get(r.url_path) ?? new Set()).add(r.session_id));
          const expected = [...visitorsByPath].map(([x, who]) => ({ x, y: who.size })).sort((a, b) => b.y - a.y || (a.x < b.x ? -1 : 1));
          expect(await metric.json()).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses an unknown match and a segment id that names no saved segment', async () => {
    const site = await collector.createWebsite(token, 'filter-refusals');
    for (const extra of ['match=some', `segment=${randomUUID()}`]) {
      const response = await collector.request(`/api/websites/${site}/stats?startAt=0&endAt=${Date.now()}&${extra}`, { token });
      expect(response.status).toBe(400);
      expect((await response.json()) as object).toHaveProperty('error');
    }
  });
});
