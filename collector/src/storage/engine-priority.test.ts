import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { openStorage } from './client';
import { lowerEnginePriority } from './engine-priority';
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

describe.runIf(process.platform === 'linux')('the embedded engine’s priority', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'engine-priority-'));
  let db: ClickHouseClient | null = null;
  afterAll(async () => {
    await db?.close();
    removeTempDir(dataDir);
  });

  it('is lowered for the engine’s threads only, including threads it starts later', async () => {
    db = await openStorage(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    await db.query({ query: 'SELECT 1' });
    const nodeName = readFileSync('/proc/self/comm', 'utf8').trim();
    const stop = lowerEnginePriority(7, 50);
    try {
      // Work that needs the engine's pools, so it may start threads after the first pass.
      await db.command({ query: 'CREATE TABLE t (n UInt64) ENGINE = MergeTree ORDER BY n' });
      for (let i = 0; i < 5; i++) await db.command({ query: `INSERT INTO t SELECT number FROM numbers(${(i + 1) * 100000})` });
      await db.query({ query: 'SELECT sum(n) FROM t' });
      let engine: ReturnType<typeof threads> = [];
      for (let waited = 0; waited < 100; waited++) {
        engine = threads().filter((t) => t.name !== nodeName && !t.name.startsWith('libuv') && !t.name.startsWith('V8'));
        if (engine.length > 0 && engine.every((t) => t.nice === 7)) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(engine.length).toBeGreaterThan(3);
      expect(engine.filter((t) => t.nice !== 7)).toEqual([]);
      // Node's own threads (the event loop first) keep their priority.
      const main = threads().find((t) => t.tid === String(process.pid))!;
      expect(main.nice).toBe(0);
      expect(threads().filter((t) => t.name === nodeName && t.nice !== 0)).toEqual([]);
    } finally {
      stop();
    }
  });
});
