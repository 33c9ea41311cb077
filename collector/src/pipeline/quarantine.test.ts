import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';
import { insertLines, type Insert } from '../storage/batch-insert';

/**
 * Rows ClickHouse refuses for their content, as a spool written by an older version (or a bug of
 * ours) could hold: they are isolated and quarantined, every other row is stored once, and the
 * writer goes on. The refusals are the real engine's; only outages are injected.
 */
let collector: TestCollector | null = null;
afterEach(async () => {
  if (collector) await collector.destroy();
  collector = null;
});

const heartbeat = async (c: TestCollector) =>
  (await (await c.request('/api/heartbeat')).json()) as {
    backlog: { rows: number };
    quarantine: { rows: number; bytes: number; discardedRows: number };
  };

async function drained(c: TestCollector, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await heartbeat(c)).backlog.rows > 0) {
    if (Date.now() > deadline) throw new Error('spool did not drain');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function storedPaths(c: TestCollector, site: string): Promise<string[]> {
  const result = await c.db.query({
    query: 'SELECT url_path FROM website_event WHERE website_id = {id:UUID} ORDER BY url_path',
    query_params: { id: site },
    format: 'JSONEachRow',
  });
  return (await result.json<{ url_path: string }>()).map((r) => r.url_path);
}

/** Ways to spoil a spooled event row so that ClickHouse refuses it. */
const spoilers: Record<string, (row: Record<string, unknown>) => string> = {
  'lone surrogate': (row) => JSON.stringify({ ...row, page_title: '@@' }).replace('"@@"', '"\\ud800"'),
  'bad uuid': (row) => JSON.stringify({ ...row, event_id: 'not-a-uuid' }),
  'text for a number': (row) => JSON.stringify({ ...row, visit_pageview: 'many' }),
  'negative unsigned': (row) => JSON.stringify({ ...row, visit_gap_ms: -5 }),
  'bad time': (row) => JSON.stringify({ ...row, created_at: 'yesterday at noon' }),
};

/**
 * Spools `good` + spoiled beacons with ClickHouse down, stops, spoils the chosen rows in the
 * segment files, and returns the data directory, site and expectations for the next start.
 */
async function spoolWithSpoiledRows(good: number, spoiled: string[]) {
  const first = await startTestCollector(
    { SHUTDOWN_TIMEOUT_MS: '0', BATCH_MAX_ROWS: '8', INSERT_RETRY_MAX_MS: '1000' },
    {
      insert: async () => {
        throw new Error('injected: ClickHouse is down');
      },
    },
  );
  const site = await first.createWebsite(await first.login());
  // The spoiled rows spread among the good ones, so that batches mix both.
  const paths = Array.from({ length: good }, (_, i) => `/good/${i}`);
  for (const [k, kind] of spoiled.entries()) paths.splice(Math.floor(((k + 0.5) * paths.length) / spoiled.length), 0, `/spoiled/${kind}`);
  for (const path of paths) expect((await first.send(pageview(site, path))).status).toBe(200);
  await first.stopKeepingData();
  const spool = join(first.dataDir, 'spool');
  const spoiledLines: string[] = [];
  for (const name of readdirSync(spool).filter((n) => n.startsWith('segment-'))) {
    const lines = readFileSync(join(spool, name), 'utf8').split('\n');
    const rewritten = lines.map((line) => {
      const match = /"url_path":"\/spoiled\/([^"]+)"/.exec(line);
      if (!match) return line;
      const spoiledLine = spoilers[match[1]!]!(JSON.parse(line.slice(1)));
      spoiledLines.push(spoiledLine);
      return 'e' + spoiledLine;
    });
    writeFileSync(join(spool, name), rewritten.join('\n'));
  }
  expect(spoiledLines).toHaveLength(spoiled.length);
  return { dataDir: first.dataDir, site, spoiledLines, goodPaths: Array.from({ length: good }, (_, i) => `/good/${i}`).sort() };
}

/** Every row the quarantine holds, as spooled. */
function quarantinedRows(dataDir: string): { table: string; error: string; row: unknown }[] {
  const dir = join(dataDir, 'quarantine');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').trim().split('\n'))
    .map((line) => JSON.parse(line));
}

describe('rows ClickHouse refuses for their content', () => {
  it('are quarantined, one by one, while every other row of their batches is stored once', async () => {
    const kinds = Object.keys(spoilers);
    const { dataDir, site, spoiledLines, goodPaths } = await spoolWithSpoiledRows(30, kinds);
    const c = (collector = await startTestCollector({}, { dataDir }));
    await drained(c);
    expect(await storedPaths(c, site)).toEqual(goodPaths);
    const kept = quarantinedRows(dataDir);
    expect(kept.map((k) => JSON.stringify(k.row)).sort()).toEqual(spoiledLines.map((l) => JSON.stringify(JSON.parse(l))).sort());
    expect(new Set(kept.map((k) => k.table))).toEqual(new Set(['website_event']));
    for (const k of kept) expect(k.error).toMatch(/^(CANNOT_PARSE_|[A-Z_]+: )/);
    expect((await heartbeat(c)).quarantine).toMatchObject({ rows: kinds.length, discardedRows: 0 });
    // And ingest goes on.
    expect((await c.send(pageview(site, '/later'))).status).toBe(200);
    await c.flush();
    expect(await storedPaths(c, site)).toContain('/later');
  });

  it('are isolated the same way when an outage interrupts the splitting, with no row stored twice', async () => {
    const { dataDir, site, spoiledLines, goodPaths } = await spoolWithSpoiledRows(40, ['lone surrogate', 'bad uuid', 'bad time']);
    let parts = 0;
    let started: TestCollector | null = null;
    const insert: Insert = async (table, lines, token) => {
      // Outages mid-way through the splitting (a part's token names its range), before ClickHouse
      // stored the part or after; each sends the whole batch back to the retry loop.
      const part = /:\d+-\d+$/.test(token) ? ++parts : 0;
      if (part === 2 || part === 6) throw new Error('injected: connection refused');
      await insertLines(started!.db)(table, lines, token);
      if (part === 3 || part === 9) throw new Error('injected: connection reset after the insert');
    };
    started = collector = await startTestCollector({ BATCH_INTERVAL_MS: '20', INSERT_RETRY_MAX_MS: '1000' }, { dataDir, insert });
    await drained(started);
    expect(await storedPaths(started, site)).toEqual(goodPaths);
    expect(quarantinedRows(dataDir)).toHaveLength(spoiledLines.length);
    expect(parts).toBeGreaterThan(9);
  });

  it('are counted and dropped past QUARANTINE_MAX_BYTES, and the rest is stored', async () => {
    const { dataDir, site, goodPaths } = await spoolWithSpoiledRows(10, ['lone surrogate', 'bad uuid']);
    const c = (collector = await startTestCollector({ QUARANTINE_MAX_BYTES: '0' }, { dataDir }));
    await drained(c);
    expect(await storedPaths(c, site)).toEqual(goodPaths);
    expect((await heartbeat(c)).quarantine).toEqual({ rows: 0, bytes: 0, discardedRows: 2 });
  });

  it('are counted again when an operator deletes a quarantine file', async () => {
    const { dataDir } = await spoolWithSpoiledRows(5, ['bad uuid']);
    const c = (collector = await startTestCollector({}, { dataDir }));
    await drained(c);
    expect((await heartbeat(c)).quarantine.rows).toBe(1);
    rmSync(join(dataDir, 'quarantine'), { recursive: true, force: true });
    expect((await heartbeat(c)).quarantine.rows).toBe(0);
  });
});
