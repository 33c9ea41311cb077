import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromeUA, pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';
import { hostileStrings } from '../../../test-support/hostile-strings';
import { isCleanText } from './clean-text';

/**
 * Hostile requests interleaved with good ones, on a collector behind a trusted proxy with an
 * ignore list and a per-IP rate limit: each hostile one gets a clear 4xx with a JSON error, and
 * every good one is stored.
 */
let collector: TestCollector;
let site: string;
let nextIp = 1;
const goodIp = () => `198.51.100.${nextIp++ % 250}`;

beforeAll(async () => {
  collector = await startTestCollector({ TRUST_PROXY: 'true', IGNORE_IPS: '203.0.113.0/24, 2001:db8::1', RATE_LIMIT_PER_MINUTE: '5' });
  site = await collector.createWebsite(await collector.login());
});
afterAll(() => collector?.destroy());

const nested = (depth: number): Record<string, unknown> => (depth === 0 ? { leaf: 1 } : { level: nested(depth - 1) });

type Hostile = { name: string; body: string; headers?: Record<string, string>; status: number; code: string };
const hostile = (): Hostile[] => [
  {
    name: 'data with 51 keys',
    body: JSON.stringify(pageview(site, '/', { data: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) })),
    status: 400,
    code: 'invalid-data',
  },
  { name: 'data 4 levels deep', body: JSON.stringify(pageview(site, '/', { data: nested(3) })), status: 400, code: 'invalid-data' },
  { name: 'a constructor key', body: JSON.stringify(pageview(site, '/', { data: { constructor: 'x' } })), status: 400, code: 'invalid-data' },
  { name: 'a __proto__ key', body: `{"type":"event","payload":{"website":"${site}","data":{"__proto__":{"admin":true}}}}`, status: 400, code: 'invalid-json' },
  { name: 'an ignored IPv4 range', body: JSON.stringify(pageview(site)), headers: { 'x-forwarded-for': '203.0.113.9' }, status: 403, code: 'ignored-ip' },
  { name: 'an ignored IPv6 address', body: JSON.stringify(pageview(site)), headers: { 'x-forwarded-for': '2001:db8::1' }, status: 403, code: 'ignored-ip' },
  { name: 'a body over 64 KB', body: JSON.stringify(pageview(site, '/', { data: { x: 'y'.repeat(70_000) } })), status: 413, code: 'body-too-large' },
  { name: 'a language over 35 characters', body: JSON.stringify(pageview(site, '/', { language: 'l'.repeat(36) })), status: 400, code: 'bad-request' },
  { name: 'a screen over 11 characters', body: JSON.stringify(pageview(site, '/', { screen: '1'.repeat(12) })), status: 400, code: 'bad-request' },
  { name: 'a url over 2,000 characters', body: JSON.stringify(pageview(site, '/' + 'u'.repeat(2001))), status: 400, code: 'bad-request' },
  { name: 'no User-Agent', body: JSON.stringify(pageview(site)), headers: { 'user-agent': '' }, status: 400, code: 'missing-user-agent' },
  { name: 'a truncated body', body: JSON.stringify(pageview(site)).slice(0, 30), status: 400, code: 'invalid-json' },
];

describe('hostile beacons among good ones', () => {
  it('answers each hostile one with its 4xx and stores every good one', async () => {
    const good: string[] = [];
    const sends: Promise<void>[] = [];
    for (const [i, bad] of hostile().entries()) {
      const path = `/good/${i}`;
      good.push(path);
      sends.push(
        collector.send(pageview(site, path), { 'x-forwarded-for': goodIp() }).then((r) => {
          expect(r.status, path).toBe(200);
        }),
      );
      sends.push(
        collector.send(bad.body, { 'x-forwarded-for': goodIp(), ...bad.headers }).then(async (r) => {
          expect(r.status, bad.name).toBe(bad.status);
          expect(((await r.json()) as { error: { code: string } }).error.code, bad.name).toBe(bad.code);
        }),
      );
    }
    await Promise.all(sends);
    await collector.flush();
    const result = await collector.db.query({
      query: "SELECT url_path FROM website_event WHERE website_id = {id:UUID} AND url_path LIKE '/good/%' ORDER BY url_path",
      query_params: { id: site },
      format: 'JSONEachRow',
    });
    expect((await result.json<{ url_path: string }>()).map((r) => r.url_path)).toEqual([...good].sort());
  });

  it('cuts url and title to 500 characters when storing them', async () => {
    const response = await collector.send(pageview(site, '/long/' + 'p'.repeat(1500), { title: 't'.repeat(1500) }), { 'x-forwarded-for': goodIp() });
    expect(response.status).toBe(200);
    await collector.flush();
    const result = await collector.db.query({
      query: "SELECT length(url_path) AS path, length(page_title) AS title FROM website_event WHERE website_id = {id:UUID} AND url_path LIKE '/long/%'",
      query_params: { id: site },
      format: 'JSONEachRow',
    });
    expect(await result.json()).toEqual([{ path: 500, title: 500 }]);
  });

  it('replaces invalid UTF-8 with U+FFFD, the same way every time', async () => {
    const send = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const prefix = Buffer.from(`{"type":"event","payload":{"website":"${site}","hostname":"example.com","url":"${path}","title":"bad `);
        const body = Buffer.concat([prefix, Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(' end"}}')]);
        const req = httpRequest(
          `${collector.url}/api/send`,
          { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': chromeUA, 'x-forwarded-for': goodIp() } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    expect(await send('/utf8/a')).toBe(200);
    expect(await send('/utf8/b')).toBe(200);
    await collector.flush();
    const result = await collector.db.query({
      query: "SELECT page_title FROM website_event WHERE website_id = {id:UUID} AND url_path LIKE '/utf8/%'",
      query_params: { id: site },
      format: 'JSONEachRow',
    });
    const titles = (await result.json<{ page_title: string }>()).map((r) => r.page_title);
    expect(titles).toEqual(['bad \uFFFD\uFFFD\uFFFD end', 'bad \uFFFD\uFFFD\uFFFD end']);
  });

  it('stores a beacon with a lone surrogate in its title with U+FFFD, and every beacon after it', async () => {
    const odd = await collector.send(`{"type":"event","payload":{"website":"${site}","url":"/surrogate","title":"cut \\ud83d"}}`, {
      'x-forwarded-for': goodIp(),
    });
    expect(odd.status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await collector.send(pageview(site, `/after-surrogate/${i}`), { 'x-forwarded-for': goodIp() })).status).toBe(200);
    await collector.flush();
    const titles = await collector.db.query({
      query: "SELECT url_path, page_title FROM website_event WHERE website_id = {id:UUID} AND url_path LIKE '%surrogate%' ORDER BY url_path",
      query_params: { id: site },
      format: 'JSONEachRow',
    });
    expect(await titles.json()).toEqual([
      ...Array.from({ length: 5 }, (_, i) => ({ url_path: `/after-surrogate/${i}`, page_title: 'Example' })),
      { url_path: '/surrogate', page_title: 'cut \ufffd' },
    ]);
  });

  it('stores only clean, valid UTF-8 text whatever odd characters any field of a beacon holds', async () => {
    const fields = (odd: string, i: number) => ({
      url: `/odd/${i}/${odd}?utm_source=${odd}&q=${odd}`,
      title: odd,
      hostname: `h${odd}.example`,
      referrer: `https://ref.example/${odd}?utm_medium=${odd}`,
      language: odd.slice(0, 35),
      screen: odd.slice(0, 11),
      tag: odd.slice(0, 50),
      data: { [`key${odd}`]: odd, nested: { list: [odd, 1] } },
    });
    for (const [i, odd] of hostileStrings.entries()) {
      const ip = { 'x-forwarded-for': goodIp() };
      expect((await collector.send(pageview(site, '/', fields(odd, i)), ip)).status, JSON.stringify(odd)).toBe(200);
      expect((await collector.send(pageview(site, '/', { ...fields(odd, i), name: `event${odd}`.slice(0, 50) }), ip)).status).toBe(200);
      const identify = { type: 'identify', payload: { website: site, id: odd.slice(0, 50), data: { [`trait${odd}`]: odd } } };
      expect((await collector.send(identify, ip)).status).toBe(200);
    }
    await collector.flush();
    const columns = async (table: string) => {
      const result = await collector.db.query({ query: `DESCRIBE TABLE ${table}`, format: 'JSONEachRow' });
      return (await result.json<{ name: string; type: string }>()).filter((c) => /String/.test(c.type)).map((c) => c.name);
    };
    for (const table of ['website_event', 'session_data']) {
      const names = await columns(table);
      const stored = await collector.db.query({
        query: `SELECT ${names.join(', ')}, ${names.map((n) => `isValidUTF8(${n})`).join(' AND ')} AS valid FROM ${table} WHERE website_id = {id:UUID}`,
        query_params: { id: site },
        format: 'JSONEachRow',
      });
      const rows = await stored.json<Record<string, string | number>>();
      expect(rows.length).toBeGreaterThanOrEqual(hostileStrings.length);
      for (const row of rows) {
        expect(row.valid, JSON.stringify(row)).toBe(1);
        for (const name of names) {
          const value = String(row[name]);
          expect(isCleanText(value) && value.isWellFormed(), `${table}.${name}: ${JSON.stringify(value)}`).toBe(true);
          // Event data is stored as JSON text: its escapes must decode to clean text too.
          if ((name === 'event_data' || name === 'data') && value) expect(isCleanText(JSON.stringify(JSON.parse(value)))).toBe(true);
        }
      }
    }
  });

  it('answers 431 to oversized headers', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${collector.url}/api/send`, { method: 'POST', headers: { 'x-padding': 'p'.repeat(20_000) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(431);
  });

  it('limits beacons per IP when RATE_LIMIT_PER_MINUTE is set: 429 with Retry-After', async () => {
    const ip = '192.0.2.77';
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 7; i++) {
      last = await collector.send(pageview(site, `/rate/${i}`), { 'x-forwarded-for': ip });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await last!.json()) as { error: { code: string } }).error.code).toBe('rate-limited');
    // Another address is not affected.
    expect((await collector.send(pageview(site, '/rate/other'), { 'x-forwarded-for': goodIp() })).status).toBe(200);
  });
});
