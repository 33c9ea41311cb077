import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';
import { websiteDataTables } from '../storage/rollups';

/**
 * Reset and delete answer at once: the data leaves every answer immediately, and ClickHouse
 * removes it in the background (asynchronous lightweight deletes), so neither ingest nor other
 * users' reads wait for it.
 */
let collector: TestCollector;
let token: string;
const day = 86_400_000;
const now = Date.now();
const range = `startAt=${now - 30 * day}&endAt=${now + day}`;

beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '20' });
  token = await collector.login();
});
afterEach(() => collector.db.command({ query: 'SYSTEM START MERGES' }));
afterAll(() => collector?.destroy());

/** A website with `events` pageviews over 30 days written straight into the table (views fill the rollups). */
async function siteWith(events: number): Promise<string> {
  const site = await collector.createWebsite(token);
  await collector.db.command({
    query: `INSERT INTO website_event (website_id, session_id, visit_id, event_id, created_at, event_type, url_path, browser, visit_pageview, visit_start)
      SELECT {site:UUID}, generateUUIDv4(number % 5000), generateUUIDv4(number % 8000), generateUUIDv4(number),
        fromUnixTimestamp64Milli(toInt64({start:Int64} + number * intDiv({span:Int64}, {n:UInt64}))), 1, concat('/p/', toString(number % 100)), 'chrome',
        1, fromUnixTimestamp64Milli(toInt64({start:Int64} + number * intDiv({span:Int64}, {n:UInt64})))
      FROM numbers({n:UInt64})`,
    query_params: { site, start: now - 30 * day, span: 29 * day, n: events },
  });
  return site;
}

const get = (path: string) => collector.call(path, { token });

async function rowsLeft(site: string): Promise<Record<string, number>> {
  const left: Record<string, number> = {};
  for (const table of websiteDataTables) {
    const result = await collector.db.query({
      query: `SELECT count() AS n FROM ${table} WHERE website_id = {site:UUID}`,
      query_params: { site },
      format: 'JSONEachRow',
    });
    const n = (await result.json<{ n: number }>())[0]?.n ?? 0;
    if (n > 0) left[table] = n;
  }
  return left;
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('website reset and delete', () => {
  it('reset: every answer is empty at once, new events count, and the old rows are removed in the background', { timeout: 90_000 }, async () => {
    const site = await siteWith(300_000);
    expect((await get(`/api/websites/${site}/stats?${range}`)).body.pageviews).toBe(300_000);
    // Held back, so that the answers below cannot come from rows already gone.
    await collector.db.command({ query: 'SYSTEM STOP MERGES' });
    const started = performance.now();
    const reset = await collector.request(`/api/websites/${site}/reset`, { method: 'POST', token });
    const resetMs = performance.now() - started;
    expect(reset.status).toBe(200);
    // Immediately, whether or not ClickHouse has removed the rows yet:
    const stats = await get(`/api/websites/${site}/stats?${range}`);
    expect(stats.body).toMatchObject({ pageviews: 0, visitors: 0, visits: 0 });
    expect((await get(`/api/websites/${site}/pageviews?${range}&unit=day`)).body.pageviews.every((p: { y: number }) => p.y === 0)).toBe(true);
    expect((await get(`/api/websites/${site}/metrics?${range}&type=path`)).body).toEqual([]);
    expect((await get(`/api/websites/${site}/events?${range}`)).body.count).toBe(0);
    expect((await get(`/api/websites/${site}/daterange`)).body).toEqual({ startDate: null, endDate: null });
    expect((await get(`/api/websites/${site}/active`)).body).toEqual({ visitors: 0 });
    expect((await rowsLeft(site)).website_event).toBe(300_000);
    // Events after the reset count.
    expect((await collector.send(pageview(site, '/after'))).status).toBe(200);
    await collector.flush();
    expect((await get(`/api/websites/${site}/stats?${range}`)).body.pageviews).toBe(1);
    expect((await get(`/api/websites/${site}/metrics?${range}&type=path`)).body).toEqual([{ x: '/after', y: 1 }]);
    // The old rows go, the new one stays.
    await collector.db.command({ query: 'SYSTEM START MERGES' });
    await until(async () => {
      const left = await rowsLeft(site);
      return left.website_event === 1 && left.hourly_pageviews === 1;
    }, 'old rows removed');
    expect((await get(`/api/websites/${site}/stats?${range}`)).body.pageviews).toBe(1);
    console.log(`reset of a site with 300,000 events answered in ${resetMs.toFixed(0)} ms`);
  });

  it('delete: the site is gone from every answer at once, and its rows are removed in the background', { timeout: 90_000 }, async () => {
    const site = await siteWith(300_000);
    const other = await siteWith(1000);
    const started = performance.now();
    const deleted = await collector.request(`/api/websites/${site}`, { method: 'DELETE', token });
    const deleteMs = performance.now() - started;
    expect(deleted.status).toBe(200);
    expect((await get(`/api/websites/${site}`)).status).toBe(404);
    expect((await get(`/api/websites/${site}/stats?${range}`)).status).toBe(404);
    expect((await collector.send(pageview(site, '/late'))).status).toBe(400);
    await until(async () => Object.keys(await rowsLeft(site)).length === 0, 'rows of the deleted site removed');
    expect((await get(`/api/websites/${other}/stats?${range}`)).body.pageviews).toBe(1000);
    console.log(`delete of a site with 300,000 events answered in ${deleteMs.toFixed(0)} ms`);
  });
});
