import { randomUUID } from 'node:crypto';
import { UmamiClient } from '@umami/api-client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';
import { hostileText } from '../../../test-support/hostile-strings';

/**
 * Saved segments and cohorts: a segment answers what its filters answer as query parameters, a
 * cohort keeps the visitors a plain reading of its definition keeps, and both are saved and read
 * through @umami/api-client 0.81.
 */
let collector: TestCollector;
let token: string;
let client: UmamiClient;

beforeAll(async () => {
  collector = await startTestCollector();
  token = await collector.login();
  client = new UmamiClient({ baseUrl: `${collector.url}/api` }).withToken(token);
});
afterAll(() => collector?.destroy());

const day = 86_400_000;
const now = Date.now();

interface Row {
  session_id: string;
  visit_id: string;
  created_at: number;
  event_type: number;
  event_name: string;
  url_path: string;
  country: string;
  browser: string;
}

const eventArb = fc.record({
  session: fc.nat({ max: 5 }),
  daysAgo: fc.integer({ min: 0, max: 9 }),
  path: fc.constantFrom('/', '/pricing', '/docs'),
  name: fc.constantFrom('', '', 'signup', 'play'),
});
const sessionArb = fc.record({
  country: fc.constantFrom('DE', 'FR', 'US'),
  browser: fc.constantFrom('chrome', 'firefox'),
  distinctId: fc.constantFrom('', 'ann', 'bob'),
});

/** Events of up to six visitors over ten days; each visitor has one session id per day, tied to its distinct id if it has one. */
async function seed(
  site: string,
  sessions: { country: string; browser: string; distinctId: string }[],
  events: { session: number; daysAgo: number; path: string; name: string }[],
) {
  const sessionIds = new Map<string, string>();
  const rows: Row[] = [];
  const ties: { session_id: string; distinct_id: string }[] = [];
  events.forEach((event, i) => {
    const who = event.session % sessions.length;
    const key = `${who}/${event.daysAgo}`;
    let sessionId = sessionIds.get(key);
    if (!sessionId) {
      sessionId = randomUUID();
      sessionIds.set(key, sessionId);
      if (sessions[who]!.distinctId) ties.push({ session_id: sessionId, distinct_id: sessions[who]!.distinctId });
    }
    rows.push({
      session_id: sessionId,
      visit_id: sessionId,
      created_at: now - event.daysAgo * day - 3600_000 + i * 1000,
      event_type: event.name ? 2 : 1,
      event_name: event.name,
      url_path: event.path,
      country: sessions[who]!.country,
      browser: sessions[who]!.browser,
    });
  });
  await collector.db.insert({
    table: 'website_event',
    values: rows.map((row) => ({ ...row, website_id: site, event_id: randomUUID() })),
    format: 'JSONEachRow',
  });
  if (ties.length > 0) {
    await collector.db.insert({
      table: 'session_data',
      values: ties.map((t) => ({ ...t, website_id: site, data: '', created_at: now })),
      format: 'JSONEachRow',
    });
  }
  return { rows, ties };
}

const api = (path: string, init: { method?: string; json?: unknown } = {}) => collector.call(path, { ...init, token });

const range = `startAt=${now - 12 * day}&endAt=${now + 60_000}`;

describe('segments', () => {
  const filterArb = fc.record(
    {
      country: fc.record({ operator: fc.constantFrom('eq', 'neq'), value: fc.constantFrom('DE', 'FR') }),
      path: fc.record({ operator: fc.constantFrom('eq', 'c', 'dnc'), value: fc.constantFrom('/', 'pric', '/docs') }),
      browser: fc.record({ operator: fc.constantFrom('eq', 'neq'), value: fc.constantFrom('chrome', 'firefox') }),
      event: fc.record({ operator: fc.constant('eq'), value: fc.constant('signup') }),
    },
    { requiredKeys: [] },
  );

  it('answer what their filters answer as query parameters, on stats, a metric, the series and a report', { timeout: 180_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(sessionArb, { minLength: 1, maxLength: 4 }),
        fc.array(eventArb, { minLength: 1, maxLength: 30 }),
        filterArb,
        fc.constantFrom('all' as const, 'any' as const),
        async (sessions, events, chosen, match) => {
          const site = await collector.createWebsite(token, 'segment');
          await seed(site, sessions, events);
          const filters = Object.entries(chosen).map(([name, { operator, value }]) => ({ name, operator, value }));
          const saved = await api(`/api/websites/${site}/segments`, { method: 'POST', json: { name: 'seg', type: 'segment', parameters: { filters, match } } });
          expect(saved.status).toBe(200);
          const asQuery = new URLSearchParams(Object.entries(chosen).map(([name, { operator, value }]) => [name, `${operator}.${value}`]));
          asQuery.set('match', match);
          for (const route of ['stats', 'metrics?type=path', 'pageviews?unit=day&timezone=UTC', 'sessions?page=1&pageSize=50', 'breakdown?fields=country']) {
            const [path, extra = ''] = route.split('?');
            const bySegment = await api(`/api/websites/${site}/${path}?${range}&${extra}&segment=${saved.body.id}`);
            const byFilters = await api(`/api/websites/${site}/${path}?${range}&${extra}&${asQuery}`);
            expect(bySegment.status, route).toBe(200);
            expect(bySegment.body, route).toEqual(byFilters.body);
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it("win over the request's own filter of the same name, as in Umami", async () => {
    const site = await collector.createWebsite(token, 'segment-wins');
    await seed(
      site,
      [
        { country: 'DE', browser: 'chrome', distinctId: '' },
        { country: 'FR', browser: 'chrome', distinctId: '' },
      ],
      [
        { session: 0, daysAgo: 0, path: '/', name: '' },
        { session: 1, daysAgo: 0, path: '/', name: '' },
        { session: 1, daysAgo: 0, path: '/docs', name: '' },
      ],
    );
    const saved = await api(`/api/websites/${site}/segments`, {
      method: 'POST',
      json: { name: 'French', type: 'segment', parameters: { filters: [{ name: 'country', operator: 'eq', value: 'FR' }] } },
    });
    const stats = await api(`/api/websites/${site}/stats?${range}&country=DE&segment=${saved.body.id}`);
    expect(stats.body.pageviews).toBe(2);
  });
});

describe('cohorts', () => {
  it('keep the visitors a plain reading keeps: those who did the action in its range on a matching event, with their other days through their distinct id', {
    timeout: 180_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(sessionArb, { minLength: 1, maxLength: 5 }),
        fc.array(eventArb, { minLength: 1, maxLength: 40 }),
        fc.record({
          action: fc.constantFrom({ type: 'event' as const, value: 'signup' }, { type: 'path' as const, value: '/pricing' }),
          days: fc.integer({ min: 0, max: 9 }),
          country: fc.option(fc.constantFrom('DE', 'FR'), { nil: undefined }),
        }),
        async (sessions, events, cohort) => {
          const site = await collector.createWebsite(token, 'cohort');
          const { rows, ties } = await seed(site, sessions, events);
          const parameters = {
            action: cohort.action,
            dateRange: `${cohort.days}day`,
            filters: cohort.country ? [{ name: 'country', operator: 'eq', value: cohort.country }] : [],
          };
          const saved = await api(`/api/websites/${site}/segments`, { method: 'POST', json: { name: 'c', type: 'cohort', parameters } });
          expect(saved.status).toBe(200);

          const since = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() - cohort.days);
          const did = (r: Row) =>
            r.created_at >= since &&
            (cohort.action.type === 'event'
              ? r.event_type === 2 && r.event_name === cohort.action.value
              : r.event_type === 1 && r.url_path === cohort.action.value) &&
            (cohort.country === undefined || r.country === cohort.country);
          const members = new Set(rows.filter(did).map((r) => r.session_id));
          const tieOf = new Map(ties.map((t) => [t.session_id, t.distinct_id]));
          const memberIds = new Set([...members].map((s) => tieOf.get(s)).filter((id): id is string => id !== undefined));
          const inCohort = (r: Row) => members.has(r.session_id) || memberIds.has(tieOf.get(r.session_id) ?? '');
          const pageviews = rows.filter((r) => r.event_type === 1 && inCohort(r));

          const stats = await api(`/api/websites/${site}/stats?${range}&cohort=${saved.body.id}`);
          expect(stats.status).toBe(200);
          expect(stats.body).toMatchObject({ pageviews: pageviews.length, visitors: new Set(pageviews.map((r) => r.session_id)).size });
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('saved segments and cohorts', () => {
  it('are created, listed by type, read, changed and deleted through @umami/api-client 0.81', async () => {
    const site = await collector.createWebsite(token, 'segment-client');
    const created = (await client.createWebsiteSegment({
      websiteId: site,
      name: 'Germans on docs',
      type: 'segment',
      parameters: {
        filters: [
          { name: 'country', operator: 'eq', value: 'DE' },
          { name: 'path', operator: 'c', value: '/docs' },
        ],
        match: 'all',
      },
    })) as any;
    expect(created).toMatchObject({ websiteId: site, type: 'segment', name: 'Germans on docs' });
    await client.createWebsiteSegment({
      websiteId: site,
      name: 'Signed up',
      type: 'cohort',
      parameters: { action: { type: 'event', value: 'signup' }, dateRange: '30day' },
    });

    const segments = (await client.getWebsiteSegments({ websiteId: site, type: 'segment' })) as any;
    expect(segments).toMatchObject({ count: 1, page: 1, data: [{ id: created.id }] });
    expect(((await client.getWebsiteSegments({ websiteId: site, type: 'cohort' })) as any).data.map((s: any) => s.name)).toEqual(['Signed up']);
    expect(await client.getWebsiteSegment({ websiteId: site, segmentId: created.id })).toEqual(created);

    const updated = (await client.updateWebsiteSegment({
      websiteId: site,
      segmentId: created.id,
      name: 'Germans',
      type: 'segment',
      parameters: { filters: [] },
    })) as any;
    expect(updated).toMatchObject({ id: created.id, name: 'Germans', parameters: { filters: [] } });
    expect(((await client.getWebsiteSegment({ websiteId: site, segmentId: created.id })) as any).name).toBe('Germans');

    await client.deleteWebsiteSegment({ websiteId: site, segmentId: created.id });
    expect((await api(`/api/websites/${site}/segments/${created.id}`)).status).toBe(404);
    expect((await api(`/api/websites/${site}/stats?${range}&segment=${created.id}`)).status).toBe(400);
  });

  it('refuse what cannot be applied with a 400 naming it, and never fail on hostile text', async () => {
    const site = await collector.createWebsite(token, 'segment-refusals');
    const post = (json: unknown) => api(`/api/websites/${site}/segments`, { method: 'POST', json });
    const cases: [unknown, RegExp][] = [
      [{ name: 'x', type: 'cohort', parameters: { dateRange: '30day' } }, /action/],
      [{ name: 'x', type: 'cohort', parameters: { action: { type: 'event', value: 'a' }, dateRange: 'last week' } }, /dateRange/],
      [{ name: 'x', type: 'segment', parameters: { filters: [{ name: 'country', operator: 're', value: 'D.' }] } }, /operator/],
      [{ name: 'x', type: 'segment', parameters: { filters: [{ name: 'color', operator: 'eq', value: 'red' }] } }, /name/],
      [
        {
          name: 'x',
          type: 'segment',
          parameters: {
            filters: [
              { name: 'url', operator: 'eq', value: '/' },
              { name: 'path', operator: 'eq', value: '/a' },
            ],
          },
        },
        /path.*twice/,
      ],
      [{ name: 'x', type: 'report', parameters: {} }, /type/],
    ];
    for (const [body, message] of cases) {
      const answer = await post(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.message).toMatch(message);
    }
    // An id of another website's segment, or of nothing, is refused, not read unfiltered.
    const other = await collector.createWebsite(token, 'segment-other');
    const foreign = await api(`/api/websites/${other}/segments`, { method: 'POST', json: { name: 'x', type: 'segment', parameters: {} } });
    for (const id of [foreign.body.id, randomUUID()]) {
      for (const param of ['segment', 'cohort']) {
        const answer = await api(`/api/websites/${site}/stats?${range}&${param}=${id}`);
        expect(answer.status).toBe(400);
        expect(answer.body.error.message).toContain(param);
      }
    }
    await fc.assert(
      fc.asyncProperty(hostileText(), hostileText(), async (name, value) => {
        const answer = await post({ name: name || 'n', type: 'segment', parameters: { filters: [{ name: 'path', operator: 'c', value }] } });
        expect([200, 400]).toContain(answer.status);
        if (answer.status === 200) expect((await api(`/api/websites/${site}/stats?${range}&segment=${answer.body.id}`)).status).toBe(200);
      }),
      { numRuns: 30 },
    );
  });
});
