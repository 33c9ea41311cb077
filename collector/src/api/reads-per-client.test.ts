import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEvents } from '../../../bench/seed-events';
import { pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';

/**
 * Issue 31, finding 4: 128 concurrent heavy reads through one share link held another user's
 * 24-hour stats for 9.4 s (36 ms alone): every read went to the engine at once and the other
 * user's queued behind all of them. Now each client (a share link, an API key, a user's
 * sessions) has a few reads running and a bounded queue; past it, 429 with Retry-After.
 * (`npm run bench:abuse` measures the wait itself.)
 */
let collector: TestCollector;
let admin: string;
let shared: string;
let mine: string;
const now = Date.now();
const day = 86_400_000;

beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '20', READS_PER_CLIENT: '4', READ_QUEUE_PER_CLIENT: '32' });
  admin = await collector.login();
  shared = await collector.createWebsite(admin, 'Shared, busy');
  mine = await collector.createWebsite(admin, 'Mine');
  await seedEvents(collector.db, shared, { events: 300_000, days: 30, now });
  expect((await collector.send(pageview(mine, '/'))).status).toBe(200);
  await collector.flush();
}, 120_000);
afterAll(() => collector?.destroy());

describe('reads per client', () => {
  it("keep one share link's flood of heavy reads from holding another user's read behind all of them", { timeout: 120_000 }, async () => {
    expect((await collector.request(`/api/websites/${shared}`, { method: 'POST', token: admin, json: { shareId: 'busy-share-link' } })).status).toBe(200);
    const link = (await (await collector.request('/api/share/busy-share-link')).json()) as { token: string };
    // A read that scans the events (a contains filter is not in the rollups).
    const heavy = `/api/websites/${shared}/stats?startAt=${now - 30 * day}&endAt=${now}&path=c.docs&country=eq.DE`;
    const finished: { who: 'share' | 'owner'; status: number; at: number; retryAfter: string | null }[] = [];
    const read = async (who: 'share' | 'owner', path: string, headers: Record<string, string>) => {
      const response = await collector.request(path, { headers });
      await response.arrayBuffer();
      finished.push({ who, status: response.status, at: performance.now(), retryAfter: response.headers.get('retry-after') });
    };
    const storm = Array.from({ length: 128 }, () => read('share', heavy, { 'x-umami-share-token': link.token }));
    const started = performance.now();
    await read('owner', `/api/websites/${mine}/stats?startAt=${now - day}&endAt=${now + 60_000}`, { authorization: `Bearer ${admin}` });
    await Promise.all(storm);

    const owner = finished.find((f) => f.who === 'owner')!;
    const served = finished.filter((f) => f.who === 'share' && f.status === 200);
    const refused = finished.filter((f) => f.who === 'share' && f.status === 429);
    const servedAfterOwner = served.filter((f) => f.at > owner.at).length;
    console.log(
      `128 heavy reads through one share link: ${served.length} served, ${refused.length} refused (429); ` +
        `another user's 24-hour stats answered in ${(owner.at - started).toFixed(0)} ms, before ${servedAfterOwner} of the served reads`,
    );
    expect(owner.status).toBe(200);
    expect(served.length + refused.length).toBe(128);
    // At most 4 running and 32 waiting when the flood arrived; the rest refused, with Retry-After.
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((f) => f.retryAfter === '1')).toBe(true);
    // The other user's read went in between: it did not wait for the link's queue to drain.
    expect(servedAfterOwner).toBeGreaterThanOrEqual(served.length / 2);
  });

  it("answers the same client's reads again once its turns are free", async () => {
    const link = (await (await collector.request('/api/share/busy-share-link')).json()) as { token: string };
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => collector.request(`/api/websites/${shared}/active`, { headers: { 'x-umami-share-token': link.token } })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
  });
});
