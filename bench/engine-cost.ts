// npm run bench:engine [-- --events 100000]
// The embedded engine's CPU per stored event, by what runs on each insert: the materialized views
// (none, each alone, all) and the batch size. Real beacons go through the collector once and
// their spooled JSON lines are kept; then, for each variant, a fresh engine in its own process
// (chDB binds one data directory per process) inserts those same lines in batches as the spool
// writer does, and reports the process's CPU time (every thread: parsing, views, merges) from the
// first insert until background merges are idle, with the merges ClickHouse counted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ClickHouseClient } from '@clickhouse/client';
import { loadConfig } from '../collector/src/config';
import { insertLines, type Insert, type InsertSettings } from '../collector/src/storage/batch-insert';
import { openStorage } from '../collector/src/storage/client';
import { migrate } from '../collector/src/storage/migrate';
import { startCollector } from '../collector/src/start';
import { createBenchSite, signIn } from './bench-site';
import { beaconMix } from './wrk';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    // Internal: one variant, run in a child process.
    variant: { type: 'string' },
    batch: { type: 'string' },
    lines: { type: 'string' },
    settings: { type: 'string', default: '' },
    rounds: { type: 'string', default: '3' },
  },
});

const views = ['daily_metrics_view', 'daily_stats_view', 'daily_event_data_view', 'hourly_pageviews_view', 'event_hours_view'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const count = async (db: ClickHouseClient, sql: string) =>
  Number(((await (await db.query({ query: sql, format: 'JSONEachRow' })).json()) as [{ n: number }])[0].n);

interface Result {
  variant: string;
  batch: number;
  events: number;
  cpuMs: number;
  wallMs: number;
  merges: number;
  mergedRows: number;
  parts: number;
}

/** One variant in this process: a fresh engine, the views it keeps, the lines inserted in batches. */
async function runVariant(variant: string, batch: number, linesFile: string, settings: InsertSettings): Promise<Result> {
  const dataDir = mkdtempSync(join(tmpdir(), 'engine-cost-'));
  try {
    const db = await openStorage(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    await migrate(db);
    const keep = variant.startsWith('all views') ? views : variant === 'no views' ? [] : [variant];
    for (const view of views) if (!keep.includes(view)) await db.command({ query: `DROP VIEW IF EXISTS ${view}` });
    const lines = readFileSync(linesFile, 'utf8').split('\n').filter(Boolean);
    const rows = lines.map((line) => Buffer.from(line));
    // "statement text": the rows inside the INSERT's text, as @clickhouse/client sends them
    // (and as the collector inserted into the embedded engine before its raw insert).
    const insert: Insert = variant.includes('statement text')
      ? (table, batchLines, token) =>
          db
            .command({
              query: `INSERT INTO ${table} SETTINGS insert_deduplication_token = '${token}', deduplicate_blocks_in_dependent_materialized_views = 1, min_insert_block_size_rows = ${2 ** 40}, min_insert_block_size_bytes = ${2 ** 40}, input_format_parallel_parsing = 0 FORMAT JSONEachRow\n${batchLines.join('\n')}`,
            })
            .then(() => undefined)
      : insertLines(db, settings);
    const events = async (name: string) => count(db, `SELECT toUInt64(sum(value)) AS n FROM system.events WHERE event = '${name}'`);
    const [merges0, merged0] = [await events('Merge'), await events('MergedRows')];
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    for (let i = 0; i < lines.length; i += batch) await insert('website_event', rows.slice(i, i + batch), `bench-${i}`);
    // Until background merges are idle (they are part of the cost of each insert).
    for (let idle = 0, waited = 0; idle < 3 && waited < 120; waited++) {
      idle = (await count(db, 'SELECT count() AS n FROM system.merges')) === 0 ? idle + 1 : 0;
      await sleep(500);
    }
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - wall0 - 1500;
    const result = {
      variant,
      batch,
      events: lines.length,
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs,
      merges: (await events('Merge')) - merges0,
      mergedRows: (await events('MergedRows')) - merged0,
      parts: await count(db, 'SELECT count() AS n FROM system.parts WHERE active AND database = currentDatabase()'),
    };
    await db.close();
    return result;
  } finally {
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

/** Real beacons through the collector once; the JSON lines it would insert into website_event. */
async function captureLines(events: number, file: string): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'engine-cost-capture-'));
  const captured: string[] = [];
  const collector = await startCollector(
    loadConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_PASSWORD: 'engine-cost-password',
      LOG_LEVEL: 'silent',
      TRUST_PROXY: 'true',
      BATCH_INTERVAL_MS: '100',
    }),
    readFileSync(new URL('./tracker.js', import.meta.url)),
    { insert: async (table, lines) => void (table === 'website_event' && captured.push(...lines.map((line) => line.toString()))) },
  );
  try {
    const id = await createBenchSite(collector.url, await signIn(collector.url, 'admin', 'engine-cost-password'));
    const { agents, bodies } = beaconMix(id);
    // Visitors from many addresses (TRUST_PROXY), a few pageviews each: sessions as on a real site.
    for (let i = 0; i < events; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, events - i) }, (_, j) => {
          const n = i + j;
          return fetch(`${collector.url}/api/send`, {
            method: 'POST',
            headers: {
              'content-type': 'text/plain',
              'user-agent': agents[n % agents.length]!,
              'x-forwarded-for': `10.${(n >> 16) & 255}.${(Math.floor(n / 4) >> 8) & 255}.${Math.floor(n / 4) & 255}`,
            },
            body: bodies[(n * 7) % bodies.length],
          });
        }),
      );
    }
    for (let waited = 0; captured.length < events && waited < 200; waited++) await sleep(100);
  } finally {
    await collector.stop();
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
  writeFileSync(file, captured.join('\n'));
}

if (values.variant) {
  console.log(
    JSON.stringify(
      await runVariant(
        values.variant,
        Number(values.batch),
        values.lines!,
        Object.fromEntries(
          (values.settings ? values.settings.split(';') : []).map((setting) => {
            const [name, value] = setting.split('=').map((part) => part.trim());
            return [name, Number.isNaN(Number(value)) ? value : Number(value)];
          }),
        ),
      ),
    ),
  );
} else {
  const events = Number(values.events);
  const work = mkdtempSync(join(tmpdir(), 'engine-cost-lines-'));
  const linesFile = join(work, 'website_event.jsonl');
  try {
    await captureLines(events, linesFile);
    // Variants with insert settings name them after ' + '.
    const runs: [string, number][] = [
      ['no views', 5000],
      ...views.map((v): [string, number] => [v, 5000]),
      ['all views', 5000],
      ['all views', 1000],
      ['all views', 20000],
      ['all views, statement text', 5000],
      ['all views + input_format_parallel_parsing = 1', 5000],
      ['all views + max_threads = 1', 5000],
    ];
    const rounds = Math.max(1, Number(values.rounds));
    const perRun: Result[][] = runs.map(() => []);
    // Rounds in alternating order, so drift in the machine's speed does not favour a variant.
    for (let round = 0; round < rounds; round++) {
      const order = runs.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      for (const i of order) {
        const [variant, batch] = runs[i]!;
        const settings = variant.includes(' + ') ? variant.split(' + ')[1]! : '';
        const child = spawnSync(
          process.execPath,
          [fileURLToPath(import.meta.url), '--variant', variant, '--batch', String(batch), '--lines', linesFile, '--settings', settings],
          { encoding: 'utf8', maxBuffer: 1 << 20 },
        );
        const line = child.stdout.trim().split('\n').pop() ?? '';
        if (child.status !== 0 || !line.startsWith('{')) throw new Error(`variant ${variant} failed:\n${child.stderr}`);
        perRun[i]!.push(JSON.parse(line) as Result);
      }
    }
    const medianBy = (list: Result[], key: keyof Result) =>
      [...list].sort((a, b) => (a[key] as number) - (b[key] as number))[Math.floor(list.length / 2)]![key] as number;
    const results = perRun.map((list) => ({
      ...list[0]!,
      cpuMs: medianBy(list, 'cpuMs'),
      wallMs: medianBy(list, 'wallMs'),
      merges: medianBy(list, 'merges'),
      mergedRows: medianBy(list, 'mergedRows'),
      parts: medianBy(list, 'parts'),
      spread: list.map((r) => r.cpuMs),
    }));
    const none = results[0]!.cpuMs;
    console.log(
      `engine CPU per stored event, ${results[0]!.events} events of the beacon mix, ${availableParallelism()} cores; CPU of every thread from the first insert until merges are idle; medians of ${rounds} rounds\n`,
    );
    console.log(
      '| views (+ insert settings) | batch rows | CPU ms | µs per event | vs no views | CPU ms per round | wall ms | merges | merged rows | active parts |',
    );
    console.log('|---|---:|---:|---:|---:|---|---:|---:|---:|---:|');
    for (const r of results) {
      console.log(
        `| ${r.variant} | ${r.batch} | ${r.cpuMs.toFixed(0)} | ${((r.cpuMs * 1000) / r.events).toFixed(1)} | ${(r.cpuMs / none).toFixed(2)}× | ${r.spread.map((c) => c.toFixed(0)).join(', ')} | ${r.wallMs.toFixed(0)} | ${r.merges} | ${r.mergedRows} | ${r.parts} |`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
