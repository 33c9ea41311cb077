import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';

/**
 * The embedded engine runs every query on one session, and settings passed as
 * `clickhouse_settings` become SETs that stay on it. The writer's deduplication token once
 * stayed there, so a later insert of anyone else's into website_event carried it, and ClickHouse
 * dropped its blocks as duplicates.
 */
let collector: TestCollector;
beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '20' });
});
afterAll(() => collector?.destroy());

describe("the writer's insert settings", () => {
  it('hold for its own insert only', async () => {
    const token = await collector.login();
    const site = await collector.createWebsite(token);
    expect((await collector.send(pageview(site, '/one'))).status).toBe(200);
    await collector.flush();
    const result = await collector.db.query({
      query: "SELECT getSetting('insert_deduplication_token') AS token, getSetting('min_insert_block_size_rows') AS blockRows",
      format: 'JSONEachRow',
    });
    const [settings] = await result.json<{ token: string; blockRows: number }>();
    // ClickHouse's defaults: no token, blocks of about a million rows.
    expect(settings).toEqual({ token: '', blockRows: 1048449 });
    // And two inserts outside the writer store both rows: a stale token would make the second a duplicate.
    for (const path of ['/first', '/second']) {
      const row = {
        website_id: site,
        session_id: crypto.randomUUID(),
        visit_id: crypto.randomUUID(),
        event_id: crypto.randomUUID(),
        created_at: Date.now(),
        event_type: 1,
        url_path: path,
      };
      await collector.db.insert({ table: 'website_event', values: [row], format: 'JSONEachRow' });
    }
    const count = await collector.db.query({ query: "SELECT count() AS n FROM website_event WHERE url_path IN ('/first', '/second')", format: 'JSONEachRow' });
    expect((await count.json<{ n: number }>())[0]?.n).toBe(2);
  });
});
