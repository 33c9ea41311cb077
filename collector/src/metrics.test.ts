import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { rows } from './storage/client';
import { pageview, startTestCollector, type TestCollector } from '../../test-support/collector';

/** GET /metrics (issue 29): behind METRICS_TOKEN, and its counts equal what the test sent. */
let collector: TestCollector | undefined;
afterAll(() => collector?.destroy());

const token = 'metrics-token-of-the-test';

/** The value of one sample of Prometheus' text format (`name{labels}`), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('is absent without METRICS_TOKEN and refuses a short one', async () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 16 characters/);
    expect(loadConfig({}).metricsToken).toBeNull();
  });

  it('counts beacons by outcome, inserts, reads by route and sessions as they happened', { timeout: 60_000 }, async () => {
    collector = await startTestCollector({ METRICS_TOKEN: token, TRUST_PROXY: 'true' });
    const signedIn = await collector.login();
    const site = await collector.createWebsite(signedIn, 'metrics');
    const accepted = 7;
    for (let i = 0; i < accepted; i++) {
      // Three visitors (addresses), so three visits begin.
      const response = await collector.send(pageview(site, `/page-${i}`), { 'x-forwarded-for': `203.0.113.${i % 3}` });
      expect(response.status).toBe(200);
    }
    const curl = { 'user-agent': 'curl/8.5.0' };
    for (let i = 0; i < 2; i++) expect((await collector.send(pageview(site), curl)).status).toBe(200);
    expect((await collector.send(pageview('not-a-website-id'))).status).toBe(400);
    expect((await collector.send(pageview('00000000-0000-4000-8000-000000000000'))).status).toBe(400);
    expect((await collector.send({ type: 'event' })).status).toBe(400);
    const reads = 3;
    for (let i = 0; i < reads; i++) {
      const stats = await collector.request(`/api/websites/${site}/stats?startAt=${Date.now() - 86_400_000}&endAt=${Date.now()}`, { token: signedIn });
      expect(stats.status).toBe(200);
    }
    await collector.flush();

    expect((await collector.request('/metrics')).status).toBe(401);
    expect((await collector.request('/metrics', { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
    const response = await collector.request('/metrics', { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(sample(text, 'analytics_beacons_total{result="accepted",reason=""}')).toBe(accepted);
    expect(sample(text, 'analytics_beacons_total{result="dropped",reason="bot"}')).toBe(2);
    expect(sample(text, 'analytics_beacons_total{result="refused",reason="invalid-website"}')).toBe(1);
    expect(sample(text, 'analytics_beacons_total{result="refused",reason="unknown-website"}')).toBe(1);
    expect(sample(text, 'analytics_beacons_total{result="refused",reason="bad-request"}')).toBe(1);
    expect(sample(text, 'analytics_insert_rows_total{table="website_event"}')).toBe(accepted);
    expect(sample(text, 'analytics_insert_batches_total{table="website_event",result="ok"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'analytics_read_duration_seconds_count{route="/api/websites/:websiteId/stats",status="200"}')).toBe(reads);
    expect(sample(text, 'analytics_spool_backlog_rows')).toBe(0);
    expect(sample(text, 'analytics_storage_up')).toBe(1);
    expect(sample(text, 'analytics_quarantine_rows')).toBe(0);
    expect(sample(text, 'analytics_disk_accepting')).toBe(1);
    expect(sample(text, 'analytics_active_sessions')).toBe(3);
    expect(sample(text, 'analytics_visits_started_total')).toBe(3);
    expect(sample(text, 'analytics_engine_memory_bytes')).toBeGreaterThan(0);
    // A statement running in the engine while /metrics is scraped is counted in flight.
    const slow = rows(collector.db, 'SELECT sleepEachRow(0.4) AS s FROM numbers(2) SETTINGS max_block_size = 1');
    const during = await (await collector.request('/metrics', { headers: { authorization: `Bearer ${token}` } })).text();
    expect(sample(during, 'analytics_engine_statements_in_flight')).toBeGreaterThanOrEqual(1);
    await slow;
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);

    // Every series the Grafana dashboard in docs/ queries is one the collector exposes.
    const dashboard = readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8');
    const queried = new Set([...dashboard.matchAll(/\b((?:analytics|nodejs|process)_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, '')));
    expect(queried.size).toBeGreaterThan(10);
    for (const name of queried) expect(text, name).toContain(`# TYPE ${name} `);
  });
});
