import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCollector, type ChildCollector } from '../../test-support/child-collector';
import { chromeUA, firefoxUA, pageview } from '../../test-support/collector';
import { startTestClickHouse, type TestClickHouse } from '../../test-support/clickhouse-server/process';
import { removeTempDir } from '../../test-support/temp-dir';

/**
 * Three collectors, each with its own spool, on one ClickHouse server (the test server around
 * chDB), started at the same moment: the schema is migrated once, the first admin created once,
 * every acknowledged event stored once whichever collector took it, every read route answers
 * the same from any of them, one restarts while the others serve, and the server going away
 * for 20 seconds costs no acknowledged event.
 */
const password = 'scale-out-admin-password';
let server: TestClickHouse;
let db: ClickHouseClient;
const dataDirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), 'scale-out-')));
let collectors: ChildCollector[] = [];
let token = '';
let site = '';

const env = (dataDir: string) => ({
  DATA_DIR: dataDir,
  CLICKHOUSE_URL: server.url,
  CLICKHOUSE_USER: server.user,
  CLICKHOUSE_PASSWORD: server.password,
  CLICKHOUSE_DATABASE: 'analytics',
  ADMIN_PASSWORD: password,
  // One secret for all: a visitor's session id must not depend on which collector took the beacon.
  APP_SECRET: 'scale-out-test-secret-scale-out-test-secret',
  BATCH_INTERVAL_MS: '100',
  // Retries at most 2 s apart (30 s by default): the outage below ends in a catch-up within seconds, not half a minute.
  INSERT_RETRY_MAX_MS: '2000',
  VISIT_ROLLUP_INTERVAL_MS: '1000',
  LOG_LEVEL: 'info',
  // One process per collector here; WORKERS has its own test.
  WORKERS: '1',
});

const call = async (collector: ChildCollector, path: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}) => {
  const response = await fetch(collector.url + path, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
};
const send = (collector: ChildCollector, url: string, ua = chromeUA) =>
  fetch(collector.url + '/api/send', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': ua },
    body: JSON.stringify(pageview(site, url)),
  });
const count = async (sql: string, params: Record<string, unknown> = {}) =>
  Number(((await (await db.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json()) as [{ n: number }])[0].n);

beforeAll(async () => {
  server = await startTestClickHouse();
  collectors = await Promise.all(dataDirs.map((dir) => spawnCollector(env(dir))));
  db = createClient({ url: server.url, username: server.user, password: server.password, database: 'analytics' });
  const login = await fetch(collectors[0]!.url + '/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  token = ((await login.json()) as { token: string }).token;
  site = (await call(collectors[1]!, '/api/websites', { method: 'POST', json: { name: 'Shared', domain: 'example.com' } })).body.id;
}, 120_000);
afterAll(async () => {
  await Promise.all(collectors.map((c) => c.kill('SIGTERM')));
  await db?.close();
  await server?.destroy();
  for (const dir of dataDirs) removeTempDir(dir);
});

describe('three collectors on one ClickHouse server', () => {
  it('migrate the schema once and create one first admin, though started at the same moment', async () => {
    expect(await count('SELECT count() AS n FROM schema_migrations')).toBe(await count('SELECT uniqExact(version) AS n FROM schema_migrations'));
    expect(await count("SELECT uniqExact(id) AS n FROM users WHERE username = 'admin'")).toBe(1);
    // A session from one collector is good on the others (tokens live in ClickHouse).
    for (const collector of collectors) expect((await call(collector, '/api/me')).status).toBe(200);
  });

  it('store every acknowledged event once, whichever collector took it', { timeout: 60_000 }, async () => {
    const sent = await Promise.all(Array.from({ length: 300 }, (_, i) => send(collectors[i % 3]!, `/spread/${i}`, i % 2 ? chromeUA : firefoxUA)));
    expect(sent.every((r) => r.status === 200)).toBe(true);
    const stored = () => count("SELECT count() AS n FROM website_event WHERE website_id = {site:UUID} AND startsWith(url_path, '/spread/')", { site });
    await expect.poll(stored, { timeout: 30_000, interval: 250 }).toBe(300);
    expect(
      await count("SELECT uniqExact(event_id) AS n FROM website_event WHERE website_id = {site:UUID} AND startsWith(url_path, '/spread/')", { site }),
    ).toBe(300);
    // Two browsers, one visitor each: the same session ids whichever collector hashed them.
    expect(await count('SELECT uniqExact(session_id) AS n FROM website_event WHERE website_id = {site:UUID}', { site })).toBe(2);
    // Routing not sticky and no x-umami-cache sent back: each collector numbers its own part of
    // a visit, so visits may count up to once per collector; pageviews and visitors stay exact.
    const stats = (await call(collectors[0]!, `/api/websites/${site}/stats?startAt=${Date.now() - 3_600_000}&endAt=${Date.now() + 60_000}`)).body;
    expect(stats).toMatchObject({ pageviews: 300, visitors: 2 });
    expect(stats.visits).toBeGreaterThanOrEqual(2);
    expect(stats.visits).toBeLessThanOrEqual(6);
  });

  it("keep one visit across collectors for a client that sends x-umami-cache back (as Umami's own tracker does)", { timeout: 30_000 }, async () => {
    const ua = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';
    let cache: string | undefined;
    for (let i = 0; i < 6; i++) {
      const response = await fetch(collectors[i % 3]!.url + '/api/send', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': ua, ...(cache ? { 'x-umami-cache': cache } : {}) },
        body: JSON.stringify(pageview(site, `/cached/${i}`)),
      });
      expect(response.status).toBe(200);
      cache = ((await response.json()) as { cache: string }).cache;
    }
    const visitsOf = () =>
      count("SELECT uniqExact(visit_id) AS n FROM website_event WHERE website_id = {site:UUID} AND startsWith(url_path, '/cached/')", { site });
    await expect
      .poll(() => count("SELECT count() AS n FROM website_event WHERE website_id = {site:UUID} AND startsWith(url_path, '/cached/')", { site }), {
        timeout: 15_000,
      })
      .toBe(6);
    expect(await visitsOf()).toBe(1);
  });

  it('answer every read route the same from any collector', async () => {
    const range = `startAt=${Date.now() - 86_400_000}&endAt=${Date.now() + 60_000}`;
    const paths = [
      `/api/websites/${site}/stats?${range}`,
      `/api/websites/${site}/pageviews?${range}&unit=hour&timezone=UTC`,
      `/api/websites/${site}/metrics?${range}&type=path&limit=5`,
      `/api/websites/${site}/metrics?${range}&type=browser`,
      `/api/websites/${site}/metrics?${range}&type=exit&limit=5`,
      `/api/websites/${site}/sessions?${range}`,
      `/api/websites/${site}`,
      '/api/websites',
    ];
    for (const path of paths) {
      const answers = await Promise.all(collectors.map((c) => call(c, path)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(answers[1]!.body).toEqual(answers[0]!.body);
      expect(answers[2]!.body).toEqual(answers[0]!.body);
    }
  });

  it('run the visit-rollups job in all three, and read past days the same as from the events', { timeout: 60_000 }, async () => {
    // Three visits two days ago: exits /b, /a, /b.
    const dayStart = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000;
    const visits = [['/a', '/b'], ['/a'], ['/c', '/a', '/b']];
    const rows = visits.flatMap((paths, v) =>
      paths.map((path, i) => {
        const at = dayStart + 10 * 3_600_000 + v * 600_000 + i * 60_000;
        return {
          website_id: site,
          session_id: `00000000-0000-4000-8000-00000000000${v}`,
          visit_id: `00000000-0000-4000-9000-00000000000${v}`,
          event_id: `00000000-0000-4000-a000-0000000000${v}${i}`,
          created_at: at,
          event_type: 1,
          hostname: 'example.com',
          url_path: path,
          visit_pageview: i + 1,
          visit_gap_ms: i === 0 ? 0 : 60_000,
          visit_start: dayStart + 10 * 3_600_000 + v * 600_000,
        };
      }),
    );
    await db.insert({ table: 'website_event', values: rows, format: 'JSONEachRow', clickhouse_settings: { date_time_input_format: 'best_effort' } });
    const range = `startAt=${dayStart}&endAt=${dayStart + 86_400_000 - 1}`;
    const fromEvents = (await call(collectors[0]!, `/api/websites/${site}/metrics?${range}&type=exit`)).body;
    expect(fromEvents).toEqual([
      { x: '/b', y: 2 },
      { x: '/a', y: 1 },
    ]);
    const statsFromEvents = (await call(collectors[0]!, `/api/websites/${site}/stats?${range}&path=eq./a`)).body;
    // As if these events were inserted long ago (as the migration records old events), so the jobs may build the day now.
    await db.command({ query: 'TRUNCATE TABLE event_hours' });
    await db.command({
      query:
        "INSERT INTO event_hours SELECT website_id, toStartOfHour(created_at) AS hour, toDateTime64(0, 3, 'UTC') FROM website_event GROUP BY website_id, hour",
    });
    const day = new Date(dayStart).toISOString().slice(0, 10);
    await expect
      .poll(() => count('SELECT count() AS n FROM rollup_builds WHERE day = {day:Date}', { day }), { timeout: 30_000, interval: 250 })
      .toBeGreaterThan(0);
    // Every collector's job has run a few times since; the answers come from the build now.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    for (const collector of collectors) {
      expect((await call(collector, `/api/websites/${site}/metrics?${range}&type=exit`)).body).toEqual(fromEvents);
      expect((await call(collector, `/api/websites/${site}/stats?${range}&path=eq./a`)).body).toEqual(statsFromEvents);
    }
  });

  it('keep serving while one restarts on its own spool, and lose nothing', { timeout: 90_000 }, async () => {
    let sending = true;
    let acked = 0;
    let refused = 0;
    const load = (async () => {
      for (let i = 0; sending; i++) {
        const response = await send(collectors[i % 2 === 0 ? 0 : 2]!, `/during-restart/${i}`).catch(() => null);
        if (response?.status === 200) acked++;
        else refused++;
      }
    })();
    await collectors[1]!.kill('SIGTERM');
    collectors[1] = await spawnCollector(env(dataDirs[1]!));
    sending = false;
    await load;
    expect(refused).toBe(0);
    expect((await send(collectors[1]!, '/during-restart/after')).status).toBe(200);
    const stored = () => count("SELECT count() AS n FROM website_event WHERE website_id = {site:UUID} AND startsWith(url_path, '/during-restart/')", { site });
    await expect.poll(stored, { timeout: 30_000, interval: 250 }).toBe(acked + 1);
  });

  it('take beacons into their spools while the server is away for 20 s, answer reads with 503, and catch up', { timeout: 200_000 }, async () => {
    const before = Date.now();
    await server.stop();
    let acked = 0;
    const outage = Date.now() + 20_000;
    let readStatus = 0;
    let retryAfter: string | null = null;
    let heartbeat: any = null;
    for (let i = 0; Date.now() < outage; i++) {
      const response = await send(collectors[i % 3]!, `/outage/${i}`);
      expect(response.status).toBe(200);
      acked++;
      if (i === 30) {
        const read = await call(collectors[0]!, `/api/websites/${site}/stats?startAt=${before - 60_000}&endAt=${Date.now()}`);
        readStatus = read.status;
        retryAfter = read.headers.get('retry-after');
        heartbeat = (await call(collectors[0]!, '/api/heartbeat')).body;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(readStatus).toBe(503);
    expect(retryAfter).toBe('5');
    expect(heartbeat).toMatchObject({ ok: true, storage: { ok: false, error: expect.stringMatching(/ECONNREFUSED|connect/) } });
    expect(heartbeat.backlog.rows).toBeGreaterThan(0);

    await server.start();
    const stored = () => count("SELECT count() AS n FROM website_event WHERE website_id = {site:UUID} AND startsWith(url_path, '/outage/')", { site });
    // Inserts back off up to INSERT_RETRY_MAX_MS while the server is away; they catch up at their next try.
    await expect.poll(stored, { timeout: 120_000, interval: 500 }).toBe(acked);
    expect(
      await count("SELECT uniqExact(event_id) AS n FROM website_event WHERE website_id = {site:UUID} AND startsWith(url_path, '/outage/')", { site }),
    ).toBe(acked);
    await expect.poll(async () => (await call(collectors[0]!, '/api/heartbeat')).body.storage, { timeout: 60_000 }).toEqual({ ok: true });
  });
});
