import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTime, pageview, startTestCollector, type TestCollector } from '../../test-support/collector';
import { publicBodyLimit } from './json-body';
import { sendBodyLimit } from './ingest/send-route';

/**
 * Issue 31, finding 2: 1 MB of nested JSON posted to /api/2fa/verify cost 140–280 ms of parsing
 * before any check, and eight connections repeating it pushed /api/send's median from 3 ms to
 * 2.6 s. Routes that take a body without credentials now refuse more than a few KB, every JSON
 * body is refused past 32 levels before it is parsed, and guarded routes refuse a request without
 * credentials before reading its body. (`npm run bench:abuse` measures the stall itself.)
 */
let collector: TestCollector;
let token: string;
let site: string;
beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '20' });
  token = await collector.login();
  site = await collector.createWebsite(token);
});
afterAll(() => collector?.destroy());

const nested = (levels: number) => `{"partialToken":${'['.repeat(levels)}${']'.repeat(levels)}}`;

/** A POST with a body sent in chunks, with no Content-Length (the server learns its size only by reading). */
function postChunked(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${collector.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    // The server may answer and close before the whole body is out.
    request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    for (let i = 0; i < body.length; i += 64 * 1024) request.write(body.slice(i, i + 64 * 1024));
    request.end();
  });
}

const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
  const response = await collector.request(path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: response.status, body: (await response.json()) as any };
};

describe('bodies without credentials', () => {
  it('are refused past a few KB on the sign-in routes (413), with or without a Content-Length', async () => {
    for (const path of ['/api/2fa/verify', '/api/auth/login']) {
      const declared = await post(path, nested(520_000));
      expect([path, declared.status, declared.body.error.code]).toEqual([path, 413, 'body-too-large']);
      const chunked = await postChunked(path, nested(520_000));
      expect([path, chunked.status]).toEqual([path, 413]);
      // Just under the limit is read (and refused for what it says, not for its size).
      const padded = JSON.stringify({ username: 'x', password: 'p'.repeat(200), code: 'c'.repeat(publicBodyLimit - 300) });
      expect((await post(path, padded)).status).toBe(400);
    }
  });

  it('are not read at all on guarded routes without credentials (401)', async () => {
    const answer = await postChunked('/api/websites', nested(520_000));
    expect(answer.status).toBe(401);
  });

  it('keep the beacon at its own limit: 64 KB of event data is taken', async () => {
    const data = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'.repeat(400)]));
    const answer = await collector.send(pageview(site, '/big', { name: 'big', data }));
    expect(answer.status).toBe(200);
    const over = await collector.send(JSON.stringify(pageview(site, '/too-big', { title: 't'.repeat(sendBodyLimit) })));
    expect(over.status).toBe(413);
  });
});

describe('nesting', () => {
  it('past 32 levels is refused before parsing (400 json-too-deep), on every route and media type', async () => {
    const deep = nested(33);
    for (const [path, headers] of [
      ['/api/2fa/verify', {}],
      ['/api/auth/login', {}],
      ['/api/websites', { authorization: `Bearer ${token}` }],
    ] as const) {
      const answer = await post(path, deep, headers);
      expect([path, answer.status, answer.body.error.code]).toEqual([path, 400, 'json-too-deep']);
    }
    const beacon = JSON.stringify(pageview(site, '/deep', { data: { a: JSON.parse(`${'['.repeat(30)}${']'.repeat(30)}`) } }));
    for (const contentType of ['application/json', 'text/plain']) {
      const answer = await collector.send(beacon, { 'content-type': contentType });
      expect([contentType, answer.status, ((await answer.json()) as any).error.code]).toEqual([contentType, 400, 'json-too-deep']);
    }
    // 32 levels parse (and are then judged by the route's schema), and brackets in strings do not count.
    expect((await post('/api/auth/login', nested(31))).body.error.code).toBe('bad-request');
    expect((await collector.send(pageview(site, '/[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['))).status).toBe(200);
  });

  it('costs no good event: beacons sent between hostile bodies are all stored', async () => {
    await collector.flush();
    const before = await collector.request(`/api/websites/${site}/stats?${allTime}`, { token });
    const start = ((await before.json()) as { pageviews: number }).pageviews;
    const hostile = Array.from({ length: 20 }, () => postChunked('/api/2fa/verify', nested(520_000)));
    const good = Array.from({ length: 20 }, (_, i) => collector.send(pageview(site, `/good-${i}`)));
    expect((await Promise.all(good)).map((r) => r.status)).toEqual(Array(20).fill(200));
    expect((await Promise.all(hostile)).map((r) => r.status)).toEqual(Array(20).fill(413));
    await collector.flush();
    const after = await collector.request(`/api/websites/${site}/stats?${allTime}`, { token });
    expect(((await after.json()) as { pageviews: number }).pageviews - start).toBe(20);
  });

  it('takes a lone surrogate (not Unicode; ClickHouse refuses it) as U+FFFD on every route that stores text, never a 500', async () => {
    const lone = '\ud800 half \udfff';
    const stored = '\ufffd half \ufffd';
    const json = (path: string, body: unknown) => collector.request(path, { method: 'POST', token, json: body });
    const website = await json('/api/websites', { name: lone, domain: 'lone.example' });
    expect(website.status).toBe(200);
    const { id } = (await website.json()) as { id: string };
    expect(((await (await collector.request(`/api/websites/${id}`, { token })).json()) as { name: string }).name).toBe(stored);
    for (const [path, body] of [
      [`/api/websites/${id}`, { name: lone }],
      [`/api/websites/${id}/goals`, { name: lone, parameters: { type: 'path', value: lone } }],
      [`/api/websites/${id}/segments`, { name: lone, type: 'segment', parameters: { filters: [{ name: 'path', operator: 'c', value: lone }] } }],
      ['/api/teams', { name: lone }],
    ] as const) {
      const answer = await json(path, body);
      expect(answer.status, path).toBe(200);
      expect(JSON.stringify(await answer.json())).toContain('\ufffd half \ufffd');
    }
    // In a key too (a key the route does not know, so it is dropped).
    const key = await json(`/api/websites/${id}/goals`, { name: 'k', parameters: { type: 'path', value: '/' }, '\udc00': 1 });
    expect(key.status).toBe(200);
  });
});
