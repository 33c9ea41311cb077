import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCollectorToExit, spawnCollector, type ChildCollector } from '../../test-support/child-collector';
import { chromeUA, pageview } from '../../test-support/collector';
import { startTestClickHouse, type TestClickHouse } from '../../test-support/clickhouse-server/process';
import { removeTempDir } from '../../test-support/temp-dir';

/**
 * WORKERS=2 on a ClickHouse server: two collector processes behind one port, each client kept
 * on one of them by its address (so its visits are numbered in one place), a worker that dies
 * started again, and SIGTERM stopping both with everything acknowledged stored.
 */
let server: TestClickHouse;
let db: ClickHouseClient;
let collector: ChildCollector;
const dataDir = mkdtempSync(join(tmpdir(), 'workers-'));
let site = '';

/** A beacon sent from one loopback address (127.0.0.x), as a visitor at that address would. */
const sendFrom = (address: string, url: string) =>
  new Promise<number>((resolve, reject) => {
    const target = new URL(collector.url + '/api/send');
    const body = JSON.stringify(pageview(site, url));
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        localAddress: address,
        agent: false,
        headers: { 'content-type': 'application/json', 'user-agent': chromeUA },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
const count = async (sql: string) =>
  Number(((await (await db.query({ query: sql, query_params: { site }, format: 'JSONEachRow' })).json()) as [{ n: number }])[0].n);
const workerPids = () =>
  execFileSync('pgrep', ['-P', String(collector.process.pid)])
    .toString()
    .trim()
    .split('\n')
    .filter(Boolean)
    .map(Number);

beforeAll(async () => {
  server = await startTestClickHouse();
  db = createClient({ url: server.url, username: server.user, password: server.password, database: 'analytics' });
  collector = await spawnCollector({
    DATA_DIR: dataDir,
    CLICKHOUSE_URL: server.url,
    CLICKHOUSE_USER: server.user,
    CLICKHOUSE_PASSWORD: server.password,
    ADMIN_PASSWORD: 'workers-admin-password',
    WORKERS: '2',
    BATCH_INTERVAL_MS: '100',
  });
  const login = await fetch(collector.url + '/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'workers-admin-password' }),
  });
  const { token } = (await login.json()) as { token: string };
  const created = await fetch(collector.url + '/api/websites', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Workers', domain: 'example.com' }),
  });
  site = ((await created.json()) as { id: string }).id;
}, 120_000);
afterAll(async () => {
  if (collector?.process.exitCode === null) await collector.kill('SIGTERM');
  await db?.close();
  await server?.destroy();
  removeTempDir(dataDir);
});

describe('WORKERS=2 with a ClickHouse server', () => {
  it('runs two worker processes, each with its own spool, on one port', () => {
    expect(workerPids()).toHaveLength(2);
    expect(collector.output()).toContain('(2 workers)');
  });

  it('keeps each client on one worker: eight visitors, two pageviews each, eight visits numbered 1 and 2', { timeout: 60_000 }, async () => {
    const addresses = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
    for (const step of [1, 2]) {
      const statuses = await Promise.all(addresses.map((address) => sendFrom(address, `/sticky/${step}`)));
      expect(statuses).toEqual(addresses.map(() => 200));
    }
    await expect
      .poll(() => count("SELECT count() AS n FROM website_event WHERE website_id = {site:UUID} AND startsWith(url_path, '/sticky/')"), { timeout: 30_000 })
      .toBe(16);
    expect(await count("SELECT uniqExact(visit_id) AS n FROM website_event WHERE website_id = {site:UUID} AND startsWith(url_path, '/sticky/')")).toBe(8);
    expect(await count("SELECT countIf(visit_pageview = 2) AS n FROM website_event WHERE website_id = {site:UUID} AND url_path = '/sticky/2'")).toBe(8);
  });

  it('starts a worker again when it dies, and keeps serving', { timeout: 60_000 }, async () => {
    const [victim] = workerPids();
    process.kill(victim!, 'SIGKILL');
    await expect.poll(() => workerPids().filter((pid) => pid !== victim).length, { timeout: 30_000, interval: 200 }).toBe(2);
    const statuses = await Promise.all(Array.from({ length: 8 }, (_, i) => sendFrom(`127.0.0.${i + 2}`, '/after-restart')));
    expect(statuses.every((s) => s === 200)).toBe(true);
  });

  it('stops both workers on SIGTERM, inserting what they acknowledged', { timeout: 60_000 }, async () => {
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => sendFrom(`127.0.0.${(i % 8) + 2}`, `/before-stop/${i}`)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(await collector.kill('SIGTERM')).toBe(0);
    expect(await count("SELECT count() AS n FROM website_event WHERE website_id = {site:UUID} AND startsWith(url_path, '/before-stop/')")).toBe(40);
  });

  it('refuses WORKERS above 1 on the embedded engine', async () => {
    const { code, stderr } = await runCollectorToExit({ DATA_DIR: join(dataDir, 'embedded'), WORKERS: '2' });
    expect(code).toBe(1);
    expect(stderr).toContain('WORKERS above 1 needs CLICKHOUSE_URL');
  });
});
