import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTime, firefoxUA, iphoneUA, pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';

let collector: TestCollector;
let token: string;
let website: string;

beforeAll(async () => {
  // A long interval, so rows reach ClickHouse only through flush() or a full batch.
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '60000' });
  token = await collector.login();
  website = await collector.createWebsite(token);
});
afterAll(() => collector?.destroy());

async function rows(websiteId: string): Promise<Record<string, string | number>[]> {
  await collector.flush();
  const result = await collector.db.query({
    query: 'SELECT * FROM website_event WHERE website_id = {id:UUID} ORDER BY created_at',
    query_params: { id: websiteId },
    format: 'JSONEachRow',
  });
  return result.json();
}

describe('POST /api/send', () => {
  it("stores an enriched pageview and answers with Umami's {cache, sessionId, visitId}", async () => {
    const site = await collector.createWebsite(token, 'enrich');
    const response = await collector.send(
      pageview(site, 'https://example.com/pricing?utm_source=news&utm_medium=email&utm_campaign=launch&x=1#top', {
        referrer: 'https://www.google.com/search?q=analytics',
        title: 'Pricing',
        screen: '390x844',
        language: 'de-DE',
      }),
      { 'user-agent': iphoneUA },
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { cache: string; sessionId: string; visitId: string };
    expect(Object.keys(body).sort()).toEqual(['cache', 'sessionId', 'visitId']);
    expect(body.sessionId).toMatch(/^[0-9a-f-]{36}$/);

    const [row] = await rows(site);
    expect(row).toMatchObject({
      session_id: body.sessionId,
      visit_id: body.visitId,
      event_type: 1,
      event_name: '',
      hostname: 'example.com',
      url_path: '/pricing',
      url_query: 'utm_source=news&utm_medium=email&utm_campaign=launch&x=1',
      page_title: 'Pricing',
      referrer_domain: 'google.com',
      referrer_path: '/search',
      referrer_query: 'q=analytics',
      utm_source: 'news',
      utm_medium: 'email',
      utm_campaign: 'launch',
      browser: 'ios',
      os: 'iOS',
      device: 'mobile',
      screen: '390x844',
      language: 'de-DE',
    });
  });

  it('stores a custom event with its data, and identify calls as session data', async () => {
    const site = await collector.createWebsite(token, 'custom');
    const event = pageview(site, '/signup', { name: 'signup', data: { plan: 'pro', seats: 3 }, tag: 'b' });
    expect((await collector.send(event)).status).toBe(200);
    const identify = { type: 'identify', payload: { website: site, id: 'user-42', data: { tier: 'gold' } } };
    expect((await collector.send(identify)).status).toBe(200);

    const [row] = await rows(site);
    expect(row).toMatchObject({ event_type: 2, event_name: 'signup', url_path: '/signup', tag: 'b' });
    expect(JSON.parse(String(row!.event_data))).toEqual({ plan: 'pro', seats: 3 });
    const result = await collector.db.query({
      query: 'SELECT distinct_id, data FROM session_data WHERE website_id = {id:UUID}',
      query_params: { id: site },
      format: 'JSONEachRow',
    });
    expect(await result.json()).toEqual([{ distinct_id: 'user-42', data: '{"tier":"gold"}' }]);
  });

  it("ties the session to the distinct id events carry (Umami's tracker sends `id` after identify), once", async () => {
    const site = await collector.createWebsite(token, 'ties');
    for (const path of ['/a', '/b']) expect((await collector.send(pageview(site, path, { id: 'user-7' }))).status).toBe(200);
    expect((await collector.send(pageview(site, '/c'))).status).toBe(200);
    await collector.flush();
    const result = await collector.db.query({
      query: 'SELECT distinct_id, data, count() AS rows FROM session_data WHERE website_id = {id:UUID} GROUP BY distinct_id, data',
      query_params: { id: site },
      format: 'JSONEachRow',
    });
    expect(await result.json()).toEqual([{ distinct_id: 'user-7', data: '', rows: 1 }]);
    expect(await rows(site)).toHaveLength(3);
  });

  it('keeps one session and visit per browser, and tells browsers apart', async () => {
    const site = await collector.createWebsite(token, 'sessions');
    const first = (await (await collector.send(pageview(site, '/'))).json()) as { sessionId: string; visitId: string };
    const second = (await (await collector.send(pageview(site, '/b'))).json()) as { sessionId: string; visitId: string };
    const other = (await (await collector.send(pageview(site, '/'), { 'user-agent': firefoxUA })).json()) as {
      sessionId: string;
      visitId: string;
    };
    expect(second).toMatchObject({ sessionId: first.sessionId, visitId: first.visitId });
    expect(other.sessionId).not.toBe(first.sessionId);
    expect(other.visitId).not.toBe(first.visitId);
  });

  it('continues a session from a valid x-umami-cache token and ignores garbage or foreign ones', async () => {
    const site = await collector.createWebsite(token, 'cache');
    const otherSite = await collector.createWebsite(token, 'cache-other');
    const first = (await (await collector.send(pageview(site, '/'))).json()) as { cache: string; sessionId: string; visitId: string };
    // Another UA would be another session; the token carries the first one over.
    const carried = (await (await collector.send(pageview(site, '/2'), { 'user-agent': firefoxUA, 'x-umami-cache': first.cache })).json()) as {
      sessionId: string;
      visitId: string;
    };
    expect(carried).toMatchObject({ sessionId: first.sessionId, visitId: first.visitId });

    const forged = first.cache.slice(0, -2) + (first.cache.endsWith('AA') ? 'BB' : 'AA');
    for (const header of ['garbage', 'a.b', forged, 'x'.repeat(2000)]) {
      const response = await collector.send(pageview(site, '/3'), { 'user-agent': firefoxUA, 'x-umami-cache': header });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { sessionId: string }).sessionId).not.toBe(first.sessionId);
    }
    // A token from another website is not ours to continue.
    const foreign = await collector.send(pageview(otherSite, '/'), { 'x-umami-cache': first.cache });
    expect(foreign.status).toBe(200);
    expect(((await foreign.json()) as { visitId: string }).visitId).not.toBe(first.visitId);
  });

  it('accepts text/plain bodies (the CORS-simple form the tracker sends)', async () => {
    const response = await collector.send(JSON.stringify(pageview(website, '/plain')), { 'content-type': 'text/plain;charset=UTF-8' });
    expect(response.status).toBe(200);
  });

  it('answers bots as Umami does and stores nothing for them', async () => {
    const site = await collector.createWebsite(token, 'bots');
    for (const ua of [
      'Googlebot/2.1 (+http://www.google.com/bot.html)',
      'curl/8.5.0',
      'Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0.0.0 Safari/537.36',
    ]) {
      const response = await collector.send(pageview(site), { 'user-agent': ua });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ beep: 'boop' });
    }
    expect(await rows(site)).toEqual([]);
  });

  it('passes CORS preflight from any origin (named, so a tracker sending credentials works), allowing x-umami-cache', async () => {
    const response = await collector.request('/api/send', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://site.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-umami-cache',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://site.example');
    expect(response.headers.get('access-control-allow-headers')).toContain('x-umami-cache');
  });

  it('batches inserts: many requests become few inserts', async () => {
    const site = await collector.createWebsite(token, 'batching');
    const responses = await Promise.all(Array.from({ length: 60 }, (_, i) => collector.send(pageview(site, `/p${i}`))));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    // Nothing is inserted per request: before a flush, the rows are still queued.
    const before = await collector.db.query({
      query: 'SELECT count() AS n FROM website_event WHERE website_id = {id:UUID}',
      query_params: { id: site },
      format: 'JSONEachRow',
    });
    expect(await before.json()).toEqual([{ n: 0 }]);
    expect(collector.writer.backlog.rows).toBeGreaterThanOrEqual(60);
    expect(await rows(site)).toHaveLength(60);
  });

  describe('refusals: a 4xx with a JSON error body and CORS headers, and no good event lost', () => {
    const good = () => pageview(website, '/good');
    const cases: [string, () => { body: unknown; headers?: Record<string, string> }, number, string][] = [
      ['malformed website id', () => ({ body: pageview('not-a-uuid') }), 400, 'invalid-website'],
      ['unknown website id', () => ({ body: pageview('00000000-0000-4000-8000-000000000000') }), 400, 'unknown-website'],
      ['missing User-Agent', () => ({ body: good(), headers: { 'user-agent': '' } }), 400, 'missing-user-agent'],
      ['invalid JSON', () => ({ body: '{"type":"event","payload":' }), 400, 'invalid-json'],
      ['empty body', () => ({ body: '' }), 400, 'invalid-json'],
      ['a body over 64 KB', () => ({ body: pageview(website, '/', { data: { blob: 'x'.repeat(70_000) } }) }), 413, 'body-too-large'],
      ['hostname of the wrong type', () => ({ body: pageview(website, '/', { hostname: 42 }) }), 400, 'bad-request'],
      ['data that is not an object', () => ({ body: pageview(website, '/', { data: 'str' }) }), 400, 'bad-request'],
      ['an unknown type', () => ({ body: { type: 'pageview', payload: good().payload } }), 400, 'bad-request'],
      ['no payload', () => ({ body: { type: 'event' } }), 400, 'bad-request'],
      ['hostname over 100 characters', () => ({ body: pageview(website, '/', { hostname: 'h'.repeat(101) }) }), 400, 'bad-request'],
      ['an event name over 50 characters', () => ({ body: pageview(website, '/', { name: 'n'.repeat(51) }) }), 400, 'bad-request'],
      ['prototype poisoning', () => ({ body: '{"type":"event","payload":{"website":"x","__proto__":{"a":1}}}' }), 400, 'invalid-json'],
      [
        'prototype poisoning in a text/plain body',
        () => ({ body: '{"type":"event","payload":{"website":"x","constructor":{"prototype":{"a":1}}}}', headers: { 'content-type': 'text/plain' } }),
        400,
        'invalid-json',
      ],
      ['an XML body', () => ({ body: '<x/>', headers: { 'content-type': 'application/xml' } }), 415, 'unsupported-media-type'],
    ];

    it.each(cases)('%s', async (_name, make, status, code) => {
      const { body, headers } = make();
      const response = await collector.send(body, { origin: 'https://site.example', ...headers });
      expect(response.status).toBe(status);
      expect(response.headers.get('access-control-allow-origin')).toBe('https://site.example');
      const json = (await response.json()) as { error: { code: string; status: number; message: string } };
      expect(json.error).toMatchObject({ code, status });
      expect(json.error.message.length).toBeGreaterThan(0);
    });

    it('loses no good event sent among bad ones', async () => {
      const site = await collector.createWebsite(token, 'interleaved');
      const sends: Promise<Response>[] = [];
      for (let i = 0; i < 10; i++) {
        sends.push(collector.send(pageview(site, `/ok${i}`)));
        const { body, headers } = cases[i % cases.length]![1]();
        sends.push(collector.send(body, headers));
      }
      const statuses = (await Promise.all(sends)).map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect((await rows(site)).map((r) => r.url_path).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `/ok${i}`).sort());
    });
  });
});

describe('GET /api/heartbeat and /script.js', () => {
  it('says the collector is ready', async () => {
    const response = await collector.request('/api/heartbeat');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
  });

  it('serves the tracker with an ETag and answers 304 to a matching If-None-Match', async () => {
    const response = await collector.request('/script.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('javascript');
    const etag = response.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect(await response.text()).toContain('/api/send');
    const again = await collector.request('/script.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });
});

describe('read back', () => {
  it('counts what was sent in stats and metrics', async () => {
    const site = await collector.createWebsite(token, 'readback');
    await collector.send(pageview(site, '/'));
    await collector.send(pageview(site, '/docs'));
    await collector.send(pageview(site, '/'), { 'user-agent': firefoxUA });
    await collector.send(pageview(site, '/docs', { name: 'download' }), { 'user-agent': firefoxUA });
    await collector.flush();
    const stats = await collector.request(`/api/websites/${site}/stats?${allTime}`, { token });
    expect(await stats.json()).toMatchObject({ pageviews: 3, visitors: 2, visits: 2, bounces: 1 });
  });
});
