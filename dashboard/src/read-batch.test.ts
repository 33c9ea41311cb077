import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiFailure } from './api';
import { read } from './read-batch';

/**
 * The dashboard's reads of one moment as one POST /api/batch, against a small HTTP server on
 * loopback that answers reads alone and in batches the way the collector does.
 */
type Answer = { status: number; body: unknown };
let server: Server;
let seen: string[] = [];
let batchesWork = true;
let closedEarly = 0;

/** A read's answer: `/api/a` and `/api/b` are fine, `/api/missing` is 404, `/api/busy` is 429 in a batch. */
function answerOf(path: string, inBatch: boolean): Answer {
  if (path === '/api/missing') return { status: 404, body: { error: { message: 'No such thing', code: 'not-found', status: 404 } } };
  if (path === '/api/busy' && inBatch) return { status: 429, body: { error: { message: 'Too many', code: 'too-many-reads', status: 429 } } };
  return { status: 200, body: { path } };
}

const bodyOf = async (request: IncomingMessage) => {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text;
};

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const path = request.url ?? '';
    seen.push(`${request.method} ${path}`);
    response.on('close', () => {
      if (!response.writableFinished) closedEarly++;
    });
    const send = ({ status, body }: Answer) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.method === 'POST' && path === '/api/batch') {
      const items = JSON.parse(await bodyOf(request)) as { url: string }[];
      seen.push(`batch of ${items.map((item) => item.url).join(' ')}`);
      if (!batchesWork) return send({ status: 500, body: { error: { message: 'failed', code: 'internal', status: 500 } } });
      // A batch holding /api/slow answers late (its readers may leave first).
      if (items.some((item) => item.url === '/api/slow')) await new Promise((resolve) => setTimeout(resolve, 300));
      if (response.destroyed) return;
      return send({ status: 200, body: { results: items.map((item, index) => ({ index, ...answerOf(item.url, true) })) } });
    }
    send(answerOf(path, false));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The page's relative URLs, and its session storage.
  const pageFetch = globalThis.fetch;
  globalThis.fetch = ((url: string, init?: RequestInit) => pageFetch(`${base}${url}`, init)) as typeof fetch;
  const storage = () => {
    const items = new Map<string, string>();
    return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => items.set(k, v), removeItem: (k: string) => items.delete(k) };
  };
  Object.assign(globalThis, { localStorage: storage(), sessionStorage: storage() });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
  batchesWork = true;
  closedEarly = 0;
});

describe('reads in batches', () => {
  it('sends the reads of one moment as one batch, each answered on its own', async () => {
    const answers = await Promise.all([read('/a'), read('/b'), read('/a?x=1')]);
    expect(answers).toEqual([{ path: '/api/a' }, { path: '/api/b' }, { path: '/api/a?x=1' }]);
    expect(seen).toEqual(['POST /api/batch', 'batch of /api/a /api/b /api/a?x=1']);
  });

  it('sends a lone read as itself', async () => {
    expect(await read('/a')).toEqual({ path: '/api/a' });
    expect(seen).toEqual(['GET /api/a']);
  });

  it('fails only the read that failed, and asks again alone for one refused for too many reads', async () => {
    const [missing, busy, fine] = await Promise.allSettled([read('/missing'), read('/busy'), read('/b')]);
    expect(missing.status === 'rejected' && missing.reason).toBeInstanceOf(ApiFailure);
    expect(missing.status === 'rejected' && (missing.reason as ApiFailure).status).toBe(404);
    expect(busy).toEqual({ status: 'fulfilled', value: { path: '/api/busy' } });
    expect(fine).toEqual({ status: 'fulfilled', value: { path: '/api/b' } });
    expect(seen).toEqual(['POST /api/batch', 'batch of /api/missing /api/busy /api/b', 'GET /api/busy']);
  });

  it('leaves out a read cancelled before its moment ends', async () => {
    const left = new AbortController();
    const gone = read('/a', left.signal);
    const kept = [read('/b'), read('/a?kept')];
    left.abort();
    await expect(gone).rejects.toThrow();
    expect(await Promise.all(kept)).toEqual([{ path: '/api/b' }, { path: '/api/a?kept' }]);
    expect(seen).toEqual(['POST /api/batch', 'batch of /api/b /api/a?kept']);
  });

  it('cancels a batch whose readers all left, and keeps one that still has a reader', async () => {
    const views = [new AbortController(), new AbortController()];
    const reads = [read('/slow', views[0]!.signal), read('/a', views[1]!.signal)];
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const view of views) view.abort();
    expect((await Promise.allSettled(reads)).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect.poll(() => closedEarly).toBe(1);

    const one = new AbortController();
    const half = [read('/slow', one.signal), read('/b')];
    await new Promise((resolve) => setTimeout(resolve, 50));
    one.abort();
    const [left, stayed] = await Promise.allSettled(half);
    expect(left!.status).toBe('rejected');
    expect(stayed).toEqual({ status: 'fulfilled', value: { path: '/api/b' } });
    expect(closedEarly).toBe(1);
  });

  it('asks each read alone when the batch itself fails', async () => {
    batchesWork = false;
    expect(await Promise.all([read('/a'), read('/b')])).toEqual([{ path: '/api/a' }, { path: '/api/b' }]);
    expect(seen).toEqual(['POST /api/batch', 'batch of /api/a /api/b', 'GET /api/a', 'GET /api/b']);
  });

  it(`sends at most 20 reads a batch`, async () => {
    const paths = Array.from({ length: 45 }, (_, i) => `/a?${i}`);
    const answers = await Promise.all(paths.map((path) => read(path)));
    expect(answers).toEqual(paths.map((path) => ({ path: `/api${path}` })));
    expect(seen.filter((line) => line === 'POST /api/batch')).toHaveLength(3);
    expect(seen.filter((line) => line.startsWith('batch of')).map((line) => line.split(' ').length - 2)).toEqual([20, 20, 5]);
  });
});
