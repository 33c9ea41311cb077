import { randomUUID } from 'node:crypto';
import { UmamiClient } from '@umami/api-client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromeUA, pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';

/**
 * One visitor's session, timeline and properties against beacons sent in a known order; the
 * visitor figures of a range (stats, weekday × hour) against a plain reading of random rows; all
 * through @umami/api-client 0.81 as well.
 */
let collector: TestCollector;
let token: string;
let client: UmamiClient;

beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '60000', TRUST_PROXY: 'true' });
  token = await collector.login();
  client = new UmamiClient({ baseUrl: `${collector.url}/api` }).withToken(token);
});
afterAll(() => collector?.destroy());

const api = (path: string) => collector.call(path, { token });

const hour = 3600_000;
const range = () => `startAt=${Date.now() - hour}&endAt=${Date.now() + 60_000}`;

describe("one visitor's session", () => {
  it('tells where it came from, what it did in order, with event data, and what the site said about it', async () => {
    const site = await collector.createWebsite(token, 'visitor');
    const headers = { 'x-forwarded-for': '198.51.100.7', 'user-agent': chromeUA };
    const send = async (body: object) => {
      const response = await collector.send(body, headers);
      expect(response.status).toBe(200);
      return (await response.json()) as { sessionId?: string };
    };
    const first = await send(pageview(site, '/', { referrer: 'https://news.example/article', title: 'Home' }));
    await send(pageview(site, '/pricing?plan=pro', { title: 'Pricing' }));
    await send({ type: 'event', payload: { ...pageview(site, '/pricing').payload, name: 'signup', data: { plan: 'pro', seats: 3 } } });
    await send({
      type: 'identify',
      payload: { website: site, id: 'ann@example', data: { plan: 'pro', paying: true, since: '2026-01-02T00:00:00Z', tags: ['a'] } },
    });
    await send({ type: 'identify', payload: { website: site, data: { plan: 'team' } } });
    // Another visitor, who must not show up.
    await collector.send(pageview(site, '/other'), { ...headers, 'x-forwarded-for': '198.51.100.8' });
    await collector.flush();

    const listed = await api(`/api/websites/${site}/sessions?${range()}&page=1&pageSize=10`);
    const sessionId: string = listed.body.data.find((s: { views: number }) => s.views === 2).id;
    if (first.sessionId) expect(sessionId).toBe(first.sessionId);

    const session = await api(`/api/websites/${site}/sessions/${sessionId}`);
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({
      id: sessionId,
      websiteId: site,
      distinctId: 'ann@example',
      browser: 'chrome',
      visits: 1,
      views: 2,
      events: 1,
      stitchedSessionCount: 1,
      canDelete: true,
    });

    const activity = await api(`/api/websites/${site}/sessions/${sessionId}/activity?${range()}`);
    expect(activity.status).toBe(200);
    // Newest first, as Umami's.
    expect(activity.body.map((e: any) => [e.eventType, e.urlPath, e.eventName, e.hasData])).toEqual([
      [2, '/pricing', 'signup', true],
      [1, '/pricing', '', false],
      [1, '/', '', false],
    ]);
    expect(activity.body[0].data).toEqual({ plan: 'pro', seats: 3 });
    expect(activity.body[1]).toMatchObject({ urlQuery: 'plan=pro', pageTitle: 'Pricing' });
    expect(activity.body[2]).toMatchObject({ referrerDomain: 'news.example' });
    expect(new Set(activity.body.map((e: any) => e.visitId)).size).toBe(1);

    const properties = await api(`/api/websites/${site}/sessions/${sessionId}/properties`);
    expect(properties.body.map((p: any) => [p.dataKey, p.dataType, p.stringValue, p.numberValue])).toEqual([
      ['paying', 3, 'true', null],
      ['plan', 1, 'team', null],
      ['since', 4, '2026-01-02T00:00:00Z', null],
      ['tags', 5, '["a"]', null],
    ]);

    // The same through the official client.
    expect(await client.getWebsiteSession({ websiteId: site, sessionId })).toEqual(session.body);
    const r = { startAt: Date.now() - hour, endAt: Date.now() + 60_000 };
    expect(((await client.getWebsiteSessionActivity({ websiteId: site, sessionId, ...r })) as any[]).length).toBe(3);
    expect(await client.getWebsiteSessionProperties({ websiteId: site, sessionId })).toEqual(properties.body);
  });

  it("reads a visitor's other days through the distinct id, and answers 404 for a session it does not have", async () => {
    const site = await collector.createWebsite(token, 'stitched');
    const day = 86_400_000;
    const sessions = [randomUUID(), randomUUID()];
    const at = (daysAgo: number) => Date.now() - daysAgo * day - hour;
    await collector.db.insert({
      table: 'website_event',
      values: sessions.map((session_id, i) => ({
        website_id: site,
        session_id,
        visit_id: randomUUID(),
        event_id: randomUUID(),
        created_at: at(i * 2),
        event_type: 1,
        url_path: `/day-${i}`,
      })),
      format: 'JSONEachRow',
    });
    await collector.db.insert({
      table: 'session_data',
      values: sessions.map((session_id, i) => ({ website_id: site, session_id, distinct_id: 'bob', data: '', created_at: at(i * 2) })),
      format: 'JSONEachRow',
    });
    expect((await api(`/api/websites/${site}/sessions/${sessions[0]}`)).body).toMatchObject({ distinctId: 'bob', stitchedSessionCount: 2 });
    const wide = `startAt=${Date.now() - 7 * day}&endAt=${Date.now()}`;
    expect((await api(`/api/websites/${site}/sessions/${sessions[0]}/activity?${wide}`)).body.map((e: any) => e.urlPath)).toEqual(['/day-0']);
    expect((await api(`/api/websites/${site}/sessions/${sessions[0]}/activity?${wide}&distinctId=bob`)).body.map((e: any) => e.urlPath)).toEqual([
      '/day-0',
      '/day-1',
    ]);
    const missing = await api(`/api/websites/${site}/sessions/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not-found');
    expect((await api(`/api/websites/${site}/sessions/not-a-uuid`)).status).toBe(400);
  });
});

describe('visitor figures of a range', () => {
  it('count what a plain reading counts: stats, and visitors per weekday and hour in the viewer time zone', { timeout: 120_000 }, async () => {
    const end = Date.now();
    const span = 14 * 86_400_000;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            session: fc.nat({ max: 6 }),
            visit: fc.nat({ max: 2 }),
            offset: fc.integer({ min: 0, max: span }),
            type: fc.constantFrom(1, 1, 2),
            country: fc.constantFrom('DE', 'FR', ''),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.constantFrom('UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham'),
        fc.option(fc.constantFrom('DE', 'FR'), { nil: undefined }),
        async (events, timezone, country) => {
          const site = await collector.createWebsite(token, 'figures');
          const sessions = Array.from({ length: 7 }, () => randomUUID());
          const visits = sessions.map(() => [randomUUID(), randomUUID(), randomUUID()]);
          // A session keeps one country, as the collector's do.
          const countryOf = new Map<number, string>();
          const rows = events.map((e) => {
            if (!countryOf.has(e.session)) countryOf.set(e.session, e.country);
            return {
              session_id: sessions[e.session]!,
              visit_id: visits[e.session]![e.visit]!,
              created_at: end - span + e.offset,
              event_type: e.type,
              event_name: e.type === 2 ? 'click' : '',
              country: countryOf.get(e.session)!,
            };
          });
          await collector.db.insert({
            table: 'website_event',
            values: rows.map((r) => ({ ...r, website_id: site, event_id: randomUUID() })),
            format: 'JSONEachRow',
          });
          const kept = rows.filter((r) => country === undefined || r.country === country);
          const query = `startAt=${end - span - 1000}&endAt=${end}&timezone=${encodeURIComponent(timezone)}${country ? `&country=${country}` : ''}`;

          const stats = await api(`/api/websites/${site}/sessions/stats?${query}`);
          expect(stats.status).toBe(200);
          expect(stats.body).toEqual({
            pageviews: { value: kept.filter((r) => r.event_type === 1).length },
            visitors: { value: new Set(kept.map((r) => r.session_id)).size },
            visits: { value: new Set(kept.map((r) => r.visit_id)).size },
            countries: { value: new Set(kept.map((r) => r.country).filter(Boolean)).size },
            events: { value: kept.filter((r) => r.event_type === 2).length },
          });

          const grid = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => new Set<string>()));
          const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: 'numeric', hourCycle: 'h23' });
          const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
          for (const r of kept.filter((r) => r.event_type === 1)) {
            const p = Object.fromEntries(parts.formatToParts(new Date(r.created_at)).map((x) => [x.type, x.value]));
            grid[weekdays.indexOf(p.weekday!)]![Number(p.hour)]!.add(r.session_id);
          }
          const weekly = await api(`/api/websites/${site}/sessions/weekly?${query}`);
          expect(weekly.status).toBe(200);
          expect(weekly.body).toEqual(grid.map((hours) => hours.map((who) => who.size)));
        },
      ),
      { numRuns: 20 },
    );
  });

  it('answer the official client as they answer plain HTTP', async () => {
    const site = await collector.createWebsite(token, 'figures-client');
    await collector.send(pageview(site, '/'));
    await collector.flush();
    const r = { startAt: Date.now() - hour, endAt: Date.now() + 60_000 };
    const query = `startAt=${r.startAt}&endAt=${r.endAt}&timezone=UTC`;
    expect(await client.getWebsiteSessionStats({ websiteId: site, ...r })).toEqual((await api(`/api/websites/${site}/sessions/stats?${query}`)).body);
    const weekly = await client.getWebsiteSessionsWeekly({ websiteId: site, ...r, timezone: 'UTC' });
    expect(weekly).toEqual((await api(`/api/websites/${site}/sessions/weekly?${query}`)).body);
    expect((weekly as number[][]).flat().reduce((a, b) => a + b, 0)).toBe(1);
  });
});
