import { randomUUID } from 'node:crypto';
import { UmamiClient } from '@umami/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPassword, startTestCollector, type TestCollector } from '../../../test-support/collector';

/**
 * A small fixture with hand-computed answers, written straight into the events table with known
 * times (ingest is tested elsewhere; here the queries are). Around the 2024 US DST change
 * (2024-03-10 02:00 America/New_York, i.e. 07:00 UTC):
 *
 *  S1 chrome/US  V1 2024-03-09 14:00Z /, 14:05 /pricing, 14:10 /signup, 14:10:30 event signup {plan:pro, seats:3}
 *                V2 2024-03-10 15:00Z /                                     (bounce)
 *  S2 firefox/DE V3 2024-03-10 06:30Z /blog (01:30 EST, from google, utm newsletter), 07:30Z /blog/post (03:30 EDT)
 *  S3 ios/GB     V4 2024-03-11 03:59Z / (23:59 EDT on the 10th)              (bounce)
 *                   2024-03-11 04:00:30Z event download {file:a.pdf} (00:00:30 EDT on the 11th)
 *  S4 chrome/US  V5 2024-03-08 12:00Z /  (before the range: the comparison period)
 */
const at = (iso: string) => Date.parse(iso);
const range = { startAt: at('2024-03-09T05:00:00Z'), endAt: at('2024-03-12T03:59:59.999Z') };
const inRange = `startAt=${range.startAt}&endAt=${range.endAt}`;

let collector: TestCollector;
let token: string;
let site: string;

const ids = {
  S1: randomUUID(),
  S2: randomUUID(),
  S3: randomUUID(),
  S4: randomUUID(),
  V1: randomUUID(),
  V2: randomUUID(),
  V3: randomUUID(),
  V4: randomUUID(),
  V5: randomUUID(),
};
const agents = {
  S1: { browser: 'chrome', os: 'Windows 10', device: 'desktop', country: 'US', language: 'en-US' },
  S2: { browser: 'firefox', os: 'Linux', device: 'laptop', country: 'DE', language: 'de-DE' },
  S3: { browser: 'ios', os: 'iOS', device: 'mobile', country: 'GB', language: 'en-GB' },
  S4: { browser: 'chrome', os: 'Windows 10', device: 'desktop', country: 'US', language: 'en-US' },
};

/** What ingest records about each pageview's place in its visit (rows are listed in time order per visit). */
const visitState = new Map<string, { pageviews: number; first: number; last: number }>();
function visitColumns(visit: string, time: number, isPageview: boolean) {
  const state = visitState.get(visit) ?? { pageviews: 0, first: time, last: time };
  visitState.set(visit, state);
  if (!isPageview) return { visit_pageview: 0, visit_gap_ms: 0, visit_start: state.pageviews > 0 ? state.first : time };
  state.pageviews += 1;
  if (state.pageviews === 1) state.first = time;
  const gap = state.pageviews > 1 ? time - state.last : 0;
  state.last = time;
  return { visit_pageview: state.pageviews, visit_gap_ms: gap, visit_start: state.first };
}

function row(session: keyof typeof agents, visit: keyof typeof ids, time: string, path: string, extra: Record<string, unknown> = {}) {
  return {
    ...visitColumns(visit, at(time), (extra.event_type ?? 1) === 1),
    website_id: site,
    session_id: ids[session],
    visit_id: ids[visit],
    event_id: randomUUID(),
    created_at: at(time),
    event_type: 1,
    hostname: 'example.com',
    url_path: path,
    page_title: `Title ${path}`,
    screen: '1920x1080',
    ...agents[session],
    ...extra,
  };
}

beforeAll(async () => {
  collector = await startTestCollector();
  token = await collector.login();
  site = await collector.createWebsite(token, 'fixture');
  await collector.db.insert({
    table: 'website_event',
    format: 'JSONEachRow',
    values: [
      row('S1', 'V1', '2024-03-09T14:00:00Z', '/'),
      row('S1', 'V1', '2024-03-09T14:05:00Z', '/pricing'),
      row('S1', 'V1', '2024-03-09T14:10:00Z', '/signup'),
      row('S1', 'V1', '2024-03-09T14:10:30Z', '/signup', { event_type: 2, event_name: 'signup', event_data: '{"plan":"pro","seats":3}' }),
      row('S1', 'V2', '2024-03-10T15:00:00Z', '/'),
      row('S2', 'V3', '2024-03-10T06:30:00Z', '/blog', { referrer_domain: 'google.com', utm_source: 'newsletter', url_query: 'utm_source=newsletter' }),
      row('S2', 'V3', '2024-03-10T07:30:00Z', '/blog/post'),
      row('S3', 'V4', '2024-03-11T03:59:00Z', '/'),
      row('S3', 'V4', '2024-03-11T04:00:30Z', '/', { event_type: 2, event_name: 'download', event_data: '{"file":"a.pdf"}' }),
      row('S4', 'V5', '2024-03-08T12:00:00Z', '/'),
    ],
  });
});
afterAll(() => collector?.destroy());

const get = (path: string) => collector.call(path, { token });
const api = (path: string, query = '') => get(`/api/websites/${site}/${path}?${inRange}${query}`);

describe('stats', () => {
  it('counts pageviews, visitors, visits, bounces and total time, with the previous period to compare', async () => {
    expect((await api('stats')).body).toEqual({
      pageviews: 7,
      visitors: 3,
      visits: 4,
      bounces: 2,
      totaltime: 600 + 3600,
      comparison: { pageviews: 1, visitors: 1, visits: 1, bounces: 1, totaltime: 0 },
    });
  });

  it('compares with a year earlier on request', async () => {
    expect((await api('stats', '&compare=yoy')).body.comparison).toEqual({ pageviews: 0, visitors: 0, visits: 0, bounces: 0, totaltime: 0 });
  });

  it.each([
    ['path=%2F', { pageviews: 3, visitors: 2, visits: 3 }],
    ['path=eq.%2F', { pageviews: 3, visitors: 2, visits: 3 }],
    ['path=neq.%2F', { pageviews: 4, visitors: 2, visits: 2 }],
    ['path=c.BLOG', { pageviews: 2, visitors: 1, visits: 1 }],
    ['path=dnc.blog', { pageviews: 5, visitors: 2, visits: 3 }],
    ['country=DE', { pageviews: 2, visitors: 1, visits: 1 }],
    ['browser=chrome&os=Windows%2010', { pageviews: 4, visitors: 1, visits: 2 }],
    ['referrer=google.com', { pageviews: 1, visitors: 1, visits: 1 }],
    ['utmSource=newsletter', { pageviews: 1, visitors: 1, visits: 1 }],
    ['title=c.pricing', { pageviews: 1, visitors: 1, visits: 1 }],
    ['title=c.%C3%9Cber', { pageviews: 0, visitors: 0, visits: 0 }],
    ['title=dnc.%C3%BC', { pageviews: 7, visitors: 3, visits: 4 }],
    ['event=signup', { pageviews: 3, visitors: 1, visits: 1 }],
    ['hostname=example.com&language=en-GB', { pageviews: 1, visitors: 1, visits: 1 }],
    ["path=x'%20OR%201%3D1%20--", { pageviews: 0, visitors: 0, visits: 0 }],
  ])('filters: %s', async (filter, expected) => {
    expect((await api('stats', `&${filter}`)).body).toMatchObject(expected);
  });
});

describe('pageviews', () => {
  it('buckets by local day in the requested timezone, empty days as zero', async () => {
    expect((await api('pageviews', '&unit=day&timezone=America/New_York')).body).toEqual({
      pageviews: [
        { x: '2024-03-09 00:00:00', y: 3 },
        { x: '2024-03-10 00:00:00', y: 4 },
        { x: '2024-03-11 00:00:00', y: 0 },
      ],
      sessions: [
        { x: '2024-03-09 00:00:00', y: 1 },
        { x: '2024-03-10 00:00:00', y: 3 },
        { x: '2024-03-11 00:00:00', y: 0 },
      ],
    });
    // The same range by UTC day: the late-evening visit moves to the 11th.
    expect((await api('pageviews', '&unit=day&timezone=UTC')).body.pageviews).toEqual([
      { x: '2024-03-09 00:00:00', y: 3 },
      { x: '2024-03-10 00:00:00', y: 3 },
      { x: '2024-03-11 00:00:00', y: 1 },
      { x: '2024-03-12 00:00:00', y: 0 },
    ]);
  });

  it('has no 2 a.m. bucket on the night clocks spring forward', async () => {
    const night = `startAt=${at('2024-03-10T05:00:00Z')}&endAt=${at('2024-03-10T07:59:59.999Z')}`;
    const { body } = await get(`/api/websites/${site}/pageviews?${night}&unit=hour&timezone=America/New_York`);
    expect(body.pageviews).toEqual([
      { x: '2024-03-10 00:00:00', y: 0 },
      { x: '2024-03-10 01:00:00', y: 1 },
      { x: '2024-03-10 03:00:00', y: 1 },
    ]);
  });

  it('raises a unit too fine for the range, as Umami does', async () => {
    const { body } = await api('pageviews', '&unit=minute&timezone=UTC');
    expect(body.pageviews).toHaveLength(4); // three days and a bit: days, not minutes
    const year = `startAt=${at('2022-01-01T00:00:00Z')}&endAt=${at('2024-12-31T23:59:59Z')}`;
    expect((await get(`/api/websites/${site}/pageviews?${year}&unit=day`)).body.pageviews).toHaveLength(3);
  });

  it('gives a comparison series on request', async () => {
    const { body } = await api('pageviews', '&unit=day&compare=prev');
    expect(body.compare.pageviews.reduce((sum: number, p: { y: number }) => sum + p.y, 0)).toBe(1);
  });
});

describe('metrics', () => {
  const metric = async (type: string, query = '') => (await api('metrics', `&type=${type}${query}`)).body;

  it('ranks paths, entry and exit pages by unique visitors', async () => {
    expect(await metric('path')).toEqual([
      { x: '/', y: 2 },
      { x: '/blog', y: 1 },
      { x: '/blog/post', y: 1 },
      { x: '/pricing', y: 1 },
      { x: '/signup', y: 1 },
    ]);
    expect(await metric('entry')).toEqual([
      { x: '/', y: 2 },
      { x: '/blog', y: 1 },
    ]);
    expect(await metric('exit')).toEqual([
      { x: '/', y: 2 },
      { x: '/blog/post', y: 1 },
      { x: '/signup', y: 1 },
    ]);
  });

  it('counts events, and visitors for every other type', async () => {
    expect(await metric('event')).toEqual([
      { x: 'download', y: 1 },
      { x: 'signup', y: 1 },
    ]);
    expect(await metric('browser')).toEqual([
      { x: 'chrome', y: 1 },
      { x: 'firefox', y: 1 },
      { x: 'ios', y: 1 },
    ]);
    expect(await metric('country')).toEqual([
      { x: 'DE', y: 1 },
      { x: 'GB', y: 1 },
      { x: 'US', y: 1 },
    ]);
    expect(await metric('referrer')).toEqual([{ x: 'google.com', y: 1 }]);
    expect(await metric('utmSource')).toEqual([{ x: 'newsletter', y: 1 }]);
    expect(await metric('utm_source')).toEqual([{ x: 'newsletter', y: 1 }]);
    expect(await metric('query')).toEqual([{ x: 'utm_source=newsletter', y: 1 }]);
    expect(await metric('device')).toEqual([
      { x: 'desktop', y: 1 },
      { x: 'laptop', y: 1 },
      { x: 'mobile', y: 1 },
    ]);
    for (const type of [
      'title',
      'os',
      'screen',
      'language',
      'region',
      'city',
      'hostname',
      'tag',
      'domain',
      'utmMedium',
      'utmCampaign',
      'utmContent',
      'utmTerm',
    ]) {
      const body = await metric(type);
      expect(Array.isArray(body), type).toBe(true);
    }
  });

  it('pages with limit and offset, and searches', async () => {
    expect(await metric('path', '&limit=2&offset=1')).toEqual([
      { x: '/blog', y: 1 },
      { x: '/blog/post', y: 1 },
    ]);
    expect(await metric('path', '&search=POST')).toEqual([{ x: '/blog/post', y: 1 }]);
  });

  it('applies filters', async () => {
    expect(await metric('path', '&country=DE')).toEqual([
      { x: '/blog', y: 1 },
      { x: '/blog/post', y: 1 },
    ]);
  });
});

describe('events, sessions, event data, date range', () => {
  it('lists events newest first, paged', async () => {
    const { body } = await api('events', '&pageSize=2');
    expect(body).toMatchObject({ count: 9, page: 1, pageSize: 2 });
    expect(body.data.map((e: { eventName: string; urlPath: string }) => [e.eventName, e.urlPath])).toEqual([
      ['download', '/'],
      ['', '/'],
    ]);
    expect(body.data[0]).toMatchObject({ websiteId: site, sessionId: ids.S3, eventType: 2, createdAt: '2024-03-11T04:00:30.000Z' });
  });

  it('lists sessions with their views, visits and events', async () => {
    const { body } = await api('sessions');
    expect(body.count).toBe(3);
    const byId = Object.fromEntries(body.data.map((s: { id: string }) => [s.id, s]));
    expect(byId[ids.S1]).toMatchObject({ views: 4, visits: 2, events: 1, browser: 'chrome', country: 'US', firstAt: '2024-03-09T14:00:00.000Z' });
    expect(byId[ids.S2]).toMatchObject({ views: 2, visits: 1, events: 0, browser: 'firefox' });
    expect(byId[ids.S3]).toMatchObject({ views: 1, visits: 1, events: 1 });
  });

  it('pages events newest first through windows of the range (the last day holds only the newest)', async () => {
    const all = (await api('events', '&pageSize=100')).body.data.map((e: { id: string }) => e.id);
    expect(all).toHaveLength(9);
    const pages = await Promise.all(Array.from({ length: 10 }, (_, i) => api('events', `&pageSize=1&page=${i + 1}`)));
    expect(pages.flatMap((p) => p.body.data.map((e: { id: string }) => e.id))).toEqual(all);
    expect(pages.map((p) => p.body.count)).toEqual(Array(10).fill(9));
  });

  it('pages sessions by their last activity, looking further back than the last hour when it must', async () => {
    // The range's last hour, six hours and day hold S3 only; S1 and S2 are found in the wider windows.
    const page = async (n: number) => (await api('sessions', `&pageSize=1&page=${n}`)).body;
    const pages = await Promise.all([1, 2, 3, 4].map(page));
    expect(pages.map((p) => p.data.map((s: { id: string; lastAt: string }) => [s.id, s.lastAt]))).toEqual([
      [[ids.S3, '2024-03-11T04:00:30.000Z']],
      [[ids.S1, '2024-03-10T15:00:00.000Z']],
      [[ids.S2, '2024-03-10T07:30:00.000Z']],
      [],
    ]);
    expect(pages.map((p) => p.count)).toEqual([3, 3, 3, 3]);
  });

  it('sums custom event properties, with their types and values', async () => {
    expect((await api('event-data/properties')).body).toEqual([
      { eventName: 'download', propertyName: 'file', dataType: 1, total: 1 },
      { eventName: 'signup', propertyName: 'plan', dataType: 1, total: 1 },
      { eventName: 'signup', propertyName: 'seats', dataType: 2, total: 1 },
    ]);
    expect((await api('event-data/events', '&event=signup')).body).toEqual([
      { eventName: 'signup', propertyName: 'plan', dataType: 1, propertyValue: 'pro', total: 1 },
      { eventName: 'signup', propertyName: 'seats', dataType: 2, propertyValue: '3', total: 1 },
    ]);
  });

  it('gives the first and last event', async () => {
    expect((await get(`/api/websites/${site}/daterange`)).body).toEqual({
      startDate: '2024-03-08T12:00:00.000Z',
      endDate: '2024-03-11T04:00:30.000Z',
    });
    // Only the first and last hours are read; a website without events has no dates.
    const empty = await collector.createWebsite(token, 'no events');
    expect((await get(`/api/websites/${empty}/daterange`)).body).toEqual({ startDate: null, endDate: null });
  });
});

describe('active and realtime', () => {
  it('counts the last 5 minutes as active and shows the last 30 in realtime', async () => {
    const live = await collector.createWebsite(token, 'live');
    const now = Date.now();
    const recent = (minutesAgo: number, session: string, extra: Record<string, unknown> = {}) => ({
      website_id: live,
      session_id: session,
      visit_id: session,
      event_id: randomUUID(),
      created_at: now - minutesAgo * 60_000,
      event_type: 1,
      url_path: '/live',
      hostname: 'example.com',
      country: 'FR',
      ...extra,
    });
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await collector.db.insert({
      table: 'website_event',
      format: 'JSONEachRow',
      values: [recent(1, a), recent(2, a, { event_type: 2, event_name: 'click' }), recent(10, b, { url_path: '/other' }), recent(40, c)],
    });
    expect((await get(`/api/websites/${live}/active`)).body).toEqual({ visitors: 1 });
    const { body } = await get(`/api/realtime/${live}`);
    expect(body.totals).toEqual({ views: 2, visitors: 2, events: 1, countries: 1 });
    expect(body.urls).toEqual({ '/live': 1, '/other': 1 });
    expect(body.countries).toEqual({ FR: 2 });
    expect(body.events.map((e: { __type: string }) => e.__type)).toEqual(['pageview', 'event', 'pageview']);
    expect(body.series.views.reduce((sum: number, p: { y: number }) => sum + p.y, 0)).toBe(2);
  });
});

describe('bad input: 400 naming the parameter', () => {
  it.each([
    ['reversed dates', `startAt=${range.endAt}&endAt=${range.startAt}`, 'endAt'],
    ['a range over 10 years', `startAt=0&endAt=${range.endAt}`, '10 years'],
    ['a date that is not a number', 'startAt=yesterday&endAt=1', 'startAt'],
    ['a missing date', `startAt=${range.startAt}`, 'endAt'],
    ['an unknown unit', `${inRange}&unit=fortnight`, 'unit'],
    ['an invalid timezone', `${inRange}&timezone=Mars/Olympus`, 'timezone'],
    ['SQL as a timezone', `${inRange}&timezone=UTC')%20--`, 'timezone'],
    ['an oversized filter', `${inRange}&path=${'x'.repeat(501)}`, 'path'],
    ['dates past any calendar', 'startAt=99999999999999999&endAt=99999999999999999', 'startAt'],
  ])('%s', async (_name, query, mentions) => {
    const { status, body } = await get(`/api/websites/${site}/pageviews?${query}`);
    expect(status).toBe(400);
    expect(body.error.message).toContain(mentions);
  });

  it.each(['events', 'sessions'])('a page past the last one a list can have: %s', async (list) => {
    const { status, body } = await api(list, '&page=99999999999');
    expect(status).toBe(400);
    expect(body.error.message).toContain('page');
  });

  it('an unknown metric type', async () => {
    const { status, body } = await api('metrics', '&type=shoe-size');
    expect(status).toBe(400);
    expect(body.error.message).toContain('type');
  });
});

describe('website management', () => {
  it('updates, resets and deletes a website', async () => {
    const id = await collector.createWebsite(token, 'temporary');
    const updated = await collector.request(`/api/websites/${id}`, { method: 'POST', token, json: { name: 'renamed', domain: 'renamed.example' } });
    expect(await updated.json()).toMatchObject({ id, name: 'renamed', domain: 'renamed.example' });
    expect((await get(`/api/websites/${id}`)).body).toMatchObject({ name: 'renamed' });

    const send = () => collector.send({ type: 'event', payload: { website: id, url: '/', hostname: 'renamed.example' } });
    expect((await send()).status).toBe(200);
    await collector.flush();
    const stats = () => get(`/api/websites/${id}/stats?startAt=${Date.now() - 3600_000}&endAt=${Date.now() + 60_000}`);
    expect((await stats()).body.pageviews).toBe(1);
    expect(await (await collector.request(`/api/websites/${id}/reset`, { method: 'POST', token })).json()).toEqual({ ok: true });
    expect((await stats()).body.pageviews).toBe(0);
    expect((await get(`/api/websites/${id}`)).body.resetAt).toEqual(expect.any(String));

    expect(await (await collector.request(`/api/websites/${id}`, { method: 'DELETE', token })).json()).toEqual({ ok: true });
    expect((await get(`/api/websites/${id}`)).status).toBe(404);
    expect((await send()).status).toBe(400);
  });
});

describe('@umami/api-client', () => {
  it('reads stats, pageviews, metrics, events, sessions, active and realtime without error', async () => {
    const login = (await new UmamiClient({ baseUrl: `${collector.url}/api` }).login({ username: 'admin', password: adminPassword })) as { token: string };
    const client = new UmamiClient({ baseUrl: `${collector.url}/api`, token: login.token });
    const params = { startAt: range.startAt, endAt: range.endAt };
    expect(await client.getWebsiteStats(site, params)).toMatchObject({ pageviews: 7, visitors: 3 });
    expect(await client.getWebsitePageviews(site, { ...params, unit: 'day', timezone: 'America/New_York' })).toMatchObject({
      pageviews: expect.arrayContaining([{ x: '2024-03-10 00:00:00', y: 4 }]),
    });
    expect(await client.getWebsiteMetrics(site, { ...params, type: 'path' })).toContainEqual({ x: '/', y: 2 });
    expect(await client.getWebsiteEvents(site, params)).toMatchObject({ count: 9 });
    expect(await client.getWebsiteSessions(site, params)).toMatchObject({ count: 3 });
    expect(await client.getWebsiteActive(site)).toEqual({ visitors: 0 });
    expect(await client.getRealtime({ websiteId: site })).toMatchObject({ totals: { views: 0 } });
  });
});
