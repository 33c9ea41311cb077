import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterEach, describe, expect, it } from 'vitest';
import { pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';
import { insertLines, type Insert } from '../storage/batch-insert';
import { removeTempDir } from '../../../test-support/temp-dir';

/**
 * Faults are injected where ClickHouse is reached (the insert function), around the real insert:
 * ClickHouse failing, answering nothing after storing, or slow. What is asserted is what the
 * real engine holds afterwards.
 */
let collector: TestCollector | null = null;
const dirs: string[] = [];
afterEach(async () => {
  await collector?.destroy();
  collector = null;
  for (const dir of dirs.splice(0)) removeTempDir(dir);
});

const realInsert =
  (db: () => ClickHouseClient): Insert =>
  (table, lines, token) =>
    insertLines(db())(table, lines, token);

/** A collector whose inserts go through `fault` first; `fault` gets the real insert to call or not. */
async function faulty(fault: (insert: Insert, ...args: Parameters<Insert>) => Promise<void>, env: Record<string, string> = {}, dataDir?: string) {
  let started: TestCollector | null = null;
  const insert = realInsert(() => started!.db);
  started = await startTestCollector(
    { BATCH_INTERVAL_MS: '50', INSERT_RETRY_MAX_MS: '1000', ...env },
    { insert: (...args) => fault(insert, ...args), dataDir },
  );
  collector = started;
  return started;
}

async function sendMany(c: TestCollector, site: string, count: number, prefix: string): Promise<string[]> {
  const acked: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = `/${prefix}/${i}`;
    const response = await c.send(pageview(site, path));
    if (response.status === 200) acked.push(path);
  }
  return acked;
}

async function storedPaths(c: TestCollector, site: string): Promise<string[]> {
  const result = await c.db.query({
    query: 'SELECT url_path FROM website_event WHERE website_id = {id:UUID} ORDER BY url_path',
    query_params: { id: site },
    format: 'JSONEachRow',
  });
  return (await result.json<{ url_path: string }>()).map((r) => r.url_path);
}

const heartbeat = async (c: TestCollector) => ((await (await c.request('/api/heartbeat')).json()) as { backlog: { rows: number; bytes: number } }).backlog;

/** Waits until the spool is empty, i.e. everything reached ClickHouse. */
async function drained(c: TestCollector, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await heartbeat(c)).rows > 0) {
    if (Date.now() > deadline) throw new Error('spool did not drain');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the spool writer under faults', () => {
  it('keeps every event while ClickHouse fails, reports the backlog, and stores each once when it recovers', async () => {
    let failures = 4;
    const c = await faulty(async (insert, ...args) => {
      if (failures > 0) {
        failures -= 1;
        throw new Error('injected: ClickHouse is down');
      }
      await insert(...args);
    });
    const site = await c.createWebsite(await c.login());
    const acked = await sendMany(c, site, 40, 'down');
    expect(acked).toHaveLength(40);
    expect((await heartbeat(c)).rows).toBeGreaterThan(0);
    await drained(c);
    expect(failures).toBe(0);
    expect(await storedPaths(c, site)).toEqual([...acked].sort());
  });

  it('retries a failed insert at most INSERT_RETRY_MAX_MS apart', async () => {
    let down = true;
    const tries: number[] = [];
    const c = await faulty(
      async (insert, ...args) => {
        tries.push(performance.now());
        if (down) throw new Error('injected: ClickHouse is down');
        await insert(...args);
      },
      { INSERT_RETRY_MAX_MS: '300' },
    );
    const site = await c.createWebsite(await c.login());
    const acked = await sendMany(c, site, 1, 'retry');
    // Doubling from 100 ms without the bound, the 8th try would come 25 s after the first.
    await expect.poll(() => tries.length, { timeout: 8000, interval: 50 }).toBeGreaterThanOrEqual(8);
    const gaps = tries.slice(1, 8).map((at, i) => at - tries[i]!);
    // The bound, plus the writer's 50 ms tick and room for a busy machine.
    expect(Math.max(...gaps)).toBeLessThan(300 + 50 + 400);
    down = false;
    await drained(c);
    expect(await storedPaths(c, site)).toEqual(acked);
  });

  it('stores a batch once when ClickHouse stored it but the answer was lost', async () => {
    let lost = 2;
    const c = await faulty(async (insert, ...args) => {
      await insert(...args);
      if (lost > 0) {
        lost -= 1;
        throw new Error('injected: connection reset after the insert');
      }
    });
    const site = await c.createWebsite(await c.login());
    const acked = await sendMany(c, site, 25, 'lost');
    await drained(c);
    expect(lost).toBe(0);
    expect(await storedPaths(c, site)).toEqual([...acked].sort());
    // The daily rollup, filled by a materialized view, skips the deduplicated retries too.
    const result = await c.db.query({
      query: "SELECT toUInt64(sum(pageviews)) AS n FROM daily_stats WHERE website_id = {site:UUID} AND dimension = ''",
      query_params: { site },
      format: 'JSONEachRow',
    });
    expect(await result.json()).toEqual([{ n: 25 }]);
  });

  it('acknowledges at full speed while ClickHouse is slow', async () => {
    const c = await faulty(async (insert, ...args) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await insert(...args);
    });
    const site = await c.createWebsite(await c.login());
    const started = performance.now();
    const acked = await sendMany(c, site, 30, 'slow');
    // 30 sequential beacons take far less than even one slow insert each.
    expect(performance.now() - started).toBeLessThan(30 * 400);
    await drained(c);
    expect(await storedPaths(c, site)).toEqual([...acked].sort());
  });

  it('answers 503 with Retry-After once the spool budget is spent during an outage, and loses nothing it acknowledged', { timeout: 180_000 }, async () => {
    let down = true;
    const c = await faulty(
      async (insert, ...args) => {
        if (down) throw new Error('injected: ClickHouse is down');
        await insert(...args);
      },
      { SPOOL_MAX_BYTES: String(1024 * 1024) },
    );
    const site = await c.createWebsite(await c.login());
    const big = { data: { note: 'x'.repeat(8000) } };
    const acked: string[] = [];
    let refused: Response | null = null;
    for (let i = 0; i < 400 && !refused; i++) {
      const response = await c.send(pageview(site, `/full/${i}`, big));
      if (response.status === 200) acked.push(`/full/${i}`);
      else refused = response;
    }
    expect(refused?.status).toBe(503);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused!.json()) as { error: { code: string } }).error.code).toBe('overloaded');
    expect(acked.length).toBeGreaterThan(50);
    down = false;
    await drained(c, 120_000);
    expect(await storedPaths(c, site)).toEqual([...acked].sort());
    // Accepting again once there is room.
    expect((await c.send(pageview(site, '/after'))).status).toBe(200);
  });

  it('keeps waiting rows in the spool files only, and stores them all once ClickHouse is back', { timeout: 180_000 }, async () => {
    let down = true;
    const c = await faulty(
      async (insert, ...args) => {
        if (down) throw new Error('injected: ClickHouse is down');
        await insert(...args);
      },
      { BATCH_MAX_ROWS: '100' },
    );
    const site = await c.createWebsite(await c.login());
    const acked = await Promise.all(Array.from({ length: 10 }, (_, k) => sendMany(c, site, 300, `mem${k}`)));
    await c.writer.flush().catch(() => {});
    const spool = (c.writer as unknown as { spool: { sealed: Record<string, unknown>[] } }).spool;
    // Nothing of a row is held by a waiting segment but its file: no field of the segments grows with their rows.
    expect(spool.sealed.every((segment) => Object.values(segment).every((value) => typeof value !== 'object'))).toBe(true);
    expect(spool.sealed.reduce((sum, segment) => sum + (segment.count as number), 0)).toBe(3000);
    const onDisk = spool.sealed.flatMap((segment) =>
      readFileSync(segment.path as string, 'utf8')
        .split('\n')
        .filter(Boolean),
    );
    expect(onDisk).toHaveLength(3000);
    down = false;
    await drained(c, 120_000);
    expect(await storedPaths(c, site)).toEqual(acked.flat().sort());
  });
});

describe('replay at start', () => {
  it('inserts what an earlier run left in the spool, once, skipping a torn last line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'collector-replay-'));
    dirs.push(dataDir);
    const first = await faulty(
      async () => {
        throw new Error('injected: ClickHouse is down for the whole run');
      },
      { SHUTDOWN_TIMEOUT_MS: '0' },
      dataDir,
    );
    const site = await first.createWebsite(await first.login());
    const acked = await sendMany(first, site, 30, 'replay');
    await first.stopKeepingData();
    collector = null;
    const segments = readdirSync(join(dataDir, 'spool')).filter((name) => name.startsWith('segment-'));
    expect(segments.length).toBeGreaterThan(0);
    // A crash mid-write leaves half a line; it was never acknowledged.
    appendFileSync(join(dataDir, 'spool', segments[segments.length - 1]!), 'e{"website_id":"' + site + '","url_pa');

    const second = await startTestCollector({}, { dataDir });
    collector = second;
    await drained(second);
    expect(await storedPaths(second, site)).toEqual([...acked].sort());
    expect(readdirSync(join(dataDir, 'spool')).filter((name) => name.startsWith('segment-'))).toEqual([]);
  });
});
