import { UmamiClient } from '@umami/api-client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTime, chromeUA, pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';
import { batchLimits } from './batch-route';

/** /api/batch: beacons as the contract sends them, each stored or refused on its own; reads under the batch's credentials. */
let collector: TestCollector;
let token: string;

beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '60000', TRUST_PROXY: 'true' });
  token = await collector.login();
});
afterAll(() => collector?.destroy());

const post = async (body: unknown, headers: Record<string, string> = {}) => {
  const response = await collector.request('/api/batch', {
    method: 'POST',
    headers: { 'user-agent': chromeUA, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
};
const stats = async (site: string) => (await (await collector.request(`/api/websites/${site}/stats?${allTime}`, { token })).json()) as { pageviews: number };

describe('/api/batch', () => {
  it('stores every good beacon and refuses every bad one on its own, as /api/send would one by one', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('good', 'good', 'no-website', 'unknown-website', 'bad-data', 'not-a-beacon'), { minLength: 1, maxLength: 30 }),
        async (kinds) => {
          const site = await collector.createWebsite(token, 'batch');
          const items = kinds.map((kind, i) => {
            if (kind === 'good') return pageview(site, `/p${i}`);
            if (kind === 'no-website') return { type: 'event', payload: { url: '/' } };
            if (kind === 'unknown-website') return pageview('00000000-0000-4000-8000-00000000beef', '/');
            if (kind === 'bad-data') return { type: 'event', payload: { ...pageview(site).payload, name: 'x', data: 'not an object' } };
            return { hello: 'world' };
          });
          const answer = await post(items, { 'x-forwarded-for': '192.0.2.77' });
          expect(answer.status).toBe(200);
          const good = kinds.filter((k) => k === 'good').length;
          expect(answer.body).toMatchObject({ size: kinds.length, processed: good, errors: kinds.length - good });
          expect(answer.body.details.map((d: { index: number }) => d.index)).toEqual(kinds.flatMap((k, i) => (k === 'good' ? [] : [i])));
          for (const detail of answer.body.details) expect(detail.response.error.status).toBe(400);
          if (good > 0) expect(typeof answer.body.cache).toBe('string');
          await collector.flush();
          expect((await stats(site)).pageviews).toBe(good);
        },
      ),
      { numRuns: 12 },
    );
  });

  it("is what @umami/api-client's batch sends, and one visitor's beacons in a batch are one session", async () => {
    const site = await collector.createWebsite(token, 'batch-client');
    const client = new UmamiClient({ baseUrl: `${collector.url}/api`, headers: { 'user-agent': chromeUA } });
    // The client turns the array into an object keyed "0", "1", … (it spreads its input); both forms are taken.
    const beacons = [pageview(site, '/a'), pageview(site, '/b'), { type: 'event', payload: { ...pageview(site, '/b').payload, name: 'signup' } }];
    const answer = (await client.batch(beacons as never)) as any;
    expect(answer).toMatchObject({ size: 3, processed: 3, errors: 0, details: [] });
    await collector.flush();
    const sessions = (await (await collector.request(`/api/websites/${site}/sessions?${allTime}`, { token })).json()) as any;
    expect(sessions.data).toHaveLength(1);
    expect(sessions.data[0]).toMatchObject({ views: 2, events: 1 });
  });

  it('answers reads under the batch credentials, each on its own, in order', async () => {
    const site = await collector.createWebsite(token, 'batch-reads');
    await collector.send(pageview(site, '/'));
    await collector.flush();
    await collector.request('/api/users', {
      method: 'POST',
      token,
      json: { username: 'batch-other', password: 'a-long-password-1', role: 'user', mustChangePassword: false },
    });
    const other = await collector.login('batch-other', 'a-long-password-1');
    const theirs = await collector.createWebsite(other, 'theirs');
    await collector.send(pageview(theirs, '/'));
    await collector.flush();
    // As the other user: their website is read, the admin's is not there (404).
    const urls = [
      `/api/websites/${theirs}/stats?${allTime}`,
      `/api/websites/${theirs}/metrics?${allTime}&type=path`,
      `/api/websites/${site}/stats?${allTime}`,
      '/api/send',
      '/api/me',
    ];
    const answer = await post(
      urls.map((url) => ({ url })),
      { authorization: `Bearer ${other}` },
    );
    expect(answer.status).toBe(200);
    const direct = async (url: string) => (await collector.request(url, { token: other })).json();
    expect(
      answer.body.results.map((r: any) => [r.index, r.status]),
      JSON.stringify(answer.body.results),
    ).toEqual([
      [0, 200],
      [1, 200],
      [2, 404],
      [3, 400],
      [4, 200],
    ]);
    expect(answer.body.results[0].body).toEqual(await direct(urls[0]!));
    expect(answer.body.results[1].body).toEqual(await direct(urls[1]!));
    expect(answer.body).toMatchObject({ size: 5, processed: 3, errors: 2 });
    // Without credentials every read is refused, and nothing else is.
    const anonymous = await post([{ url: urls[0] }, pageview(site, '/x')]);
    expect(anonymous.body.results[0].status).toBe(401);
    expect(anonymous.body).toMatchObject({ processed: 1, errors: 1 });
  });

  it('gives back its turns of reads when its client leaves mid-batch: the same client is served after', { timeout: 60_000 }, async () => {
    const site = await collector.createWebsite(token, 'batch-left');
    const now = Date.now();
    const range = `startAt=${now - 86_400_000}&endAt=${now}`;
    const reads = [`stats?${range}`, `pageviews?${range}&unit=hour`, `metrics?${range}&type=path`].map((path) => ({ url: `/api/websites/${site}/${path}` }));
    // Views left at every moment of their batches (a user clicking through the dashboard): more
    // reads than the client's turns, so some wait for a turn when their batch is left.
    const many = Array.from({ length: 4 }, () => reads).flat();
    for (let round = 0; round < 3; round++) {
      const views = Array.from({ length: 6 }, () => new AbortController());
      const pending = views.map((view) => collector.request('/api/batch', { method: 'POST', token, json: many, signal: view.signal }).catch(() => null));
      for (const [i, view] of views.entries()) setTimeout(() => view.abort(), i * 3);
      await Promise.all(pending);
    }
    const answer = await collector.request('/api/batch', { method: 'POST', token, json: reads, signal: AbortSignal.timeout(20_000) });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { results: { status: number }[] }).results.map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it(`refuses more than ${batchLimits.items} items or ${batchLimits.reads} reads, and what is not an array, with a 400`, async () => {
    const site = await collector.createWebsite(token, 'batch-limits');
    expect((await post(Array.from({ length: batchLimits.items + 1 }, () => pageview(site)))).status).toBe(400);
    expect((await post({ type: 'event', payload: pageview(site).payload })).status).toBe(400);
    const tooMany = await post(
      Array.from({ length: batchLimits.reads + 1 }, () => ({ url: '/api/me' })),
      { authorization: `Bearer ${token}` },
    );
    expect(tooMany.body).toMatchObject({ processed: 0, errors: batchLimits.reads + 1 });
  });
});
