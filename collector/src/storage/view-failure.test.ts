import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';
import { insertLines } from './batch-insert';
import { rows } from './client';

/**
 * An insert into website_event also runs every materialized view. When one view's insert fails,
 * the table has already stored the block: the retry under the same deduplication token must skip
 * the table and the views that took it, and fill the view that did not. Each view's target is made
 * to fail in turn (a constraint no row meets), then healed; afterwards every target holds exactly
 * what its view computes from the events.
 */
let collector: TestCollector;
let site: string;
const refusals: string[] = [];

beforeAll(async () => {
  let started: TestCollector | null = null;
  started = await startTestCollector(
    { BATCH_INTERVAL_MS: '20' },
    {
      insert: async (table, lines, token) => {
        try {
          await insertLines(started!.db)(table, lines, token);
        } catch (error) {
          refusals.push(String((error as Error).message));
          throw error;
        }
      },
    },
  );
  collector = started;
  site = await collector.createWebsite(await collector.login());
});
afterAll(() => collector?.destroy());

interface View {
  name: string;
  target: string;
  select: string;
}

async function views(): Promise<View[]> {
  const found = await rows<{ name: string; as_select: string; create_table_query: string }>(
    collector.db,
    "SELECT name, as_select, create_table_query FROM system.tables WHERE database = currentDatabase() AND engine = 'MaterializedView' ORDER BY name",
  );
  return found.map((v) => ({ name: v.name, select: v.as_select, target: /\bTO (\S+)/.exec(v.create_table_query)![1]!.replace(/^default\./, '') }));
}

/** A table's rows, merged (FINAL) and with aggregate states finalized, in a stable order; insert times left out. */
async function contents(table: string): Promise<unknown[]> {
  const columns = await rows<{ name: string; type: string }>(collector.db, `DESCRIBE TABLE ${table}`);
  const list = columns
    .filter((c) => c.name !== 'inserted_at')
    .map((c) => (c.type.startsWith('AggregateFunction') ? `finalizeAggregation(${c.name}) AS ${c.name}` : c.name));
  return rows(collector.db, `SELECT ${list.join(', ')} FROM ${table} FINAL ORDER BY ${list.map((_, i) => i + 1).join(', ')}`);
}

/** What a view's target would hold if every insert had reached it once: its SELECT over all events, in a copy. */
async function expected(view: View): Promise<unknown[]> {
  const copy = `expected_${view.target}`;
  await collector.db.command({ query: `DROP TABLE IF EXISTS ${copy}` });
  await collector.db.command({ query: `CREATE TABLE ${copy} AS ${view.target}` });
  await collector.db.command({ query: `INSERT INTO ${copy} ${view.select}` });
  return contents(copy);
}

const heartbeat = async () => ((await (await collector.request('/api/heartbeat')).json()) as { backlog: { rows: number } }).backlog;

async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a materialized view whose insert fails after the table stored the block', () => {
  it('is filled by the retry, once, and the table keeps each event once', { timeout: 120_000 }, async () => {
    const all = await views();
    expect(all.map((v) => v.target).sort()).toEqual([
      'daily_custom_events',
      'daily_event_data',
      'daily_metrics',
      'daily_stats',
      'event_hours',
      'hourly_pageviews',
    ]);
    for (const [round, view] of all.entries()) {
      await collector.db.command({ query: `ALTER TABLE ${view.target} ADD CONSTRAINT refuse_all CHECK 0` });
      const before = refusals.length;
      for (let i = 0; i < 6; i++) {
        const extra = i % 2 ? { name: 'signup', data: { plan: `p${i}`, round } } : {};
        expect((await collector.send(pageview(site, `/round/${round}/${i}`, extra), { 'x-forwarded-for': `192.0.2.${i}` })).status).toBe(200);
      }
      await waitFor(() => refusals.slice(before).some((m) => m.includes(`while pushing to view default.${view.name}`)), `${view.name} to fail`);
      // The table stored the block on the first try: the events are readable while the view lags.
      await waitFor(
        async () => (await rows(collector.db, `SELECT 1 FROM website_event WHERE url_path LIKE '/round/${round}/%' LIMIT 1`)).length === 1,
        'the table',
      );
      expect((await heartbeat()).rows).toBeGreaterThan(0);
      await collector.db.command({ query: `ALTER TABLE ${view.target} DROP CONSTRAINT refuse_all` });
      await waitFor(async () => (await heartbeat()).rows === 0, 'the spool to drain');
    }
    const [{ events, ids } = { events: -1, ids: -1 }] = await rows<{ events: number; ids: number }>(
      collector.db,
      'SELECT count() AS events, uniqExact(event_id) AS ids FROM website_event',
    );
    expect({ events, ids }).toEqual({ events: 6 * all.length, ids: 6 * all.length });
    for (const view of all) expect({ view: view.name, rows: await contents(view.target) }).toEqual({ view: view.name, rows: await expected(view) });
  });
});
