import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { openStorage } from './client';
import { insertLines } from './batch-insert';
import { canRaisePriority, insertPriority, isStatementThread, lowerEnginePriority } from './engine-priority';
import { removeTempDir } from '../../../test-support/temp-dir';

/** name and nice value of every thread of this process (field 19 of /proc/…/stat, after the name in parentheses). */
function threads(): { tid: string; name: string; nice: number }[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return [{ tid, name: readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(), nice: Number(fields[16]) }];
    } catch {
      return [];
    }
  });
}

const isNodeThread = (name: string, nodeName: string) => name === nodeName || name.startsWith('libuv') || name.startsWith('V8');

/** Samples this process's threads until `done` settles; returns every (name, nice) seen on the way. */
async function sampleWhile(done: Promise<unknown>): Promise<{ name: string; nice: number }[]> {
  let settled = false;
  void done.finally(() => (settled = true));
  const seen: { name: string; nice: number }[] = [];
  while (!settled) {
    seen.push(...threads());
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return seen;
}

describe.runIf(process.platform === 'linux')('the embedded engine’s priority', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'engine-priority-'));
  let db: ClickHouseClient | null = null;
  afterAll(async () => {
    await db?.close();
    removeTempDir(dataDir);
  });

  it('is lowered for the engine’s background threads, including threads it starts later', async () => {
    db = await openStorage(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    await db.query({ query: 'SELECT 1' });
    const nodeName = readFileSync('/proc/self/comm', 'utf8').trim();
    const stop = lowerEnginePriority(7, 50);
    // Where the engine can raise a statement's threads back, statement threads keep Node's
    // priority until a statement asks for less; elsewhere they are lowered with the rest.
    const statementNice = canRaisePriority() ? 0 : 7;
    try {
      // Work that needs the engine's pools, so it may start threads after the first pass.
      await db.command({ query: 'CREATE TABLE t (n UInt64) ENGINE = MergeTree ORDER BY n' });
      for (let i = 0; i < 5; i++) await db.command({ query: `INSERT INTO t SELECT number FROM numbers(${(i + 1) * 100000})` });
      await db.query({ query: 'SELECT sum(n) FROM t' });
      const expected = (name: string) => (isStatementThread(name) ? statementNice : 7);
      let engine: ReturnType<typeof threads> = [];
      for (let waited = 0; waited < 100; waited++) {
        engine = threads().filter((t) => !isNodeThread(t.name, nodeName));
        if (engine.length > 0 && engine.every((t) => t.nice === expected(t.name))) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(engine.filter((t) => !isStatementThread(t.name)).length).toBeGreaterThan(3);
      expect(engine.filter((t) => t.nice !== expected(t.name))).toEqual([]);
      // Node's own threads (the event loop first) keep their priority.
      const main = threads().find((t) => t.tid === String(process.pid))!;
      expect(main.nice).toBe(0);
      expect(threads().filter((t) => t.name === nodeName && t.nice !== 0)).toEqual([]);
    } finally {
      stop();
    }
  });

  it.runIf(canRaisePriority())(
    'runs a batch insert below Node’s threads, and a read at their priority',
    async () => {
      db ??= await openStorage(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
      await db.command({ query: 'CREATE TABLE slow_insert (id UInt64, text String) ENGINE = MergeTree ORDER BY id' });
      const lines = Array.from({ length: 1_000_000 }, (_, id) => Buffer.from(JSON.stringify({ id, text: `row ${id}` })));
      const duringInsert = await sampleWhile(insertLines(db, insertPriority(5))('slow_insert', lines, crypto.randomUUID()));
      // The thread running the insert (one of libuv's, which the engine borrows) among them.
      expect(duringInsert.filter((t) => t.nice === 5).length).toBeGreaterThan(0);
      // And raised back once it is done (the first test left the background threads at 7).
      expect(threads().filter((t) => t.nice === 5)).toEqual([]);

      const read = db.query({ query: 'SELECT count() FROM numbers(100000000) WHERE sipHash64(number) % 7 = 1 SETTINGS max_threads = 2' });
      const duringRead = await sampleWhile(read);
      expect(duringRead.filter((t) => isStatementThread(t.name)).length).toBeGreaterThan(0);
      const nodeName = readFileSync('/proc/self/comm', 'utf8').trim();
      expect(duringRead.filter((t) => (isStatementThread(t.name) || isNodeThread(t.name, nodeName)) && t.nice !== 0)).toEqual([]);
    },
    120_000,
  );
});
