import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';

/**
 * Read-API requests that once answered 500 or silently wrong numbers: each answers a correct
 * result or a 400 naming what is wrong.
 */
let collector: TestCollector;
let token: string;
let site: string;
const day = 24 * 3600_000;
const now = Date.now();
const range = `startAt=${now - day}&endAt=${now + 60_000}`;

beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '20' });
  token = await collector.login();
  site = await collector.createWebsite(token);
  for (const path of ['/', '/docs', '/docs']) expect((await collector.send(pageview(site, path))).status).toBe(200);
  await collector.flush();
});
afterAll(() => collector?.destroy());

const get = (path: string) => collector.call(path, { token });
const api = (path: string, query = '') => get(`/api/websites/${site}/${path}?${range}${query}`);

describe('read-API answers that were 500s or silently wrong', () => {
  it('lists sessions with a session-level filter (the column, not the alias of the same name)', async () => {
    for (const filter of ['browser=eq.chrome', 'os=Windows%2010', 'country=neq.ZZ', 'device=c.desk', 'language=dnc.zz']) {
      const { status, body } = await api('sessions', `&${filter}`);
      expect([filter, status]).toEqual([filter, 200]);
      expect(body.data, filter).toHaveLength(1);
      expect(body.data[0]).toMatchObject({ browser: 'chrome', views: 3 });
    }
    expect((await api('sessions', '&browser=firefox')).body.data).toEqual([]);
  });

  it("refuses unknown parameters with 400 naming them, and takes Umami's older names url and host", async () => {
    for (const [query, name] of [
      ['&urll=/docs', 'urll'],
      ['&path=/docs&nonsense=1', 'nonsense'],
    ]) {
      const { status, body } = await api('stats', query!);
      expect(status).toBe(400);
      expect(body.error.message).toContain(`"${name}"`);
    }
    // A segment or cohort is a saved one's id.
    for (const [query, name] of [
      ['&segment=abc', 'segment'],
      ['&cohort=x', 'cohort'],
    ]) {
      const { status, body } = await api('stats', query!);
      expect(status).toBe(400);
      expect(body.error.message).toContain(name);
    }
    expect((await api('stats', '&url=/docs')).body.pageviews).toBe(2);
    expect((await api('stats', '&path=/docs')).body.pageviews).toBe(2);
    expect((await api('stats', '&host=nowhere.example')).body.pageviews).toBe(0);
    expect((await api('metrics', '&type=url&url=eq./docs')).body).toEqual([{ x: '/docs', y: 1 }]);
    // What Umami's clients send on every route (timezone, unit) is accepted where it changes nothing.
    expect((await api('stats', '&timezone=Europe/Berlin&unit=hour')).status).toBe(200);
  });

  it('refuses time zones ClickHouse does not know, though Node does', async () => {
    for (const tz of ['SystemV/AST4', 'US/Pacific-New', 'Not/AZone']) {
      const { status, body } = await api('pageviews', `&unit=hour&timezone=${encodeURIComponent(tz)}`);
      expect([tz, status]).toEqual([tz, 400]);
      expect(body.error.message).toContain('timezone');
    }
    expect((await api('pageviews', '&unit=hour&timezone=America/New_York')).status).toBe(200);
  });

  it('compares with a previous period before 1970 (empty) instead of failing', async () => {
    const early = `startAt=0&endAt=${30 * day}`;
    const { status, body } = await get(`/api/websites/${site}/pageviews?${early}&unit=day&compare=prev`);
    expect(status).toBe(200);
    expect(body.pageviews).toHaveLength(31);
    expect(body.compare.pageviews.every((p: { y: number }) => p.y === 0)).toBe(true);
    const stats = await get(`/api/websites/${site}/stats?${early}`);
    expect(stats.status).toBe(200);
    expect(stats.body.comparison.pageviews).toBe(0);
  });

  it('labels buckets in the far future with their own year, and refuses ranges past 2106', async () => {
    const late = await get(`/api/websites/${site}/pageviews?startAt=${Date.UTC(2105, 0, 1)}&endAt=${Date.UTC(2105, 11, 31)}&unit=month`);
    expect(late.status).toBe(200);
    expect(late.body.pageviews.map((p: { x: string }) => p.x.slice(0, 7))).toEqual(
      Array.from({ length: 12 }, (_, i) => `2105-${String(i + 1).padStart(2, '0')}`),
    );
    const past = await get(`/api/websites/${site}/pageviews?startAt=${Date.UTC(2199, 0, 1)}&endAt=${Date.UTC(2199, 11, 31)}&unit=month`);
    expect(past.status).toBe(400);
    expect(past.body.error.message).toContain('startAt');
  });

  it('gives every write route a body schema: reset and delete take no body or an empty object', async () => {
    for (const body of ['null', '[]', '"x"', '{"all":true}']) {
      const response = await collector.request(`/api/websites/${site}/reset`, { method: 'POST', token, headers: { 'content-type': 'application/json' }, body });
      expect([body, response.status]).toEqual([body, 400]);
    }
    const other = await collector.createWebsite(token, 'other');
    const reset = await collector.request(`/api/websites/${other}/reset`, { method: 'POST', token });
    expect(reset.status).toBe(200);
    const resetEmpty = await collector.request(`/api/websites/${other}/reset`, { method: 'POST', token, json: {} });
    expect(resetEmpty.status).toBe(200);
  });
});
