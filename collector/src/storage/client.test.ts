import type { ClickHouseClient } from '@clickhouse/client';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDir } from '../../../test-support/temp-dir';
import { loadConfig } from '../config';
import { insertLines } from './batch-insert';
import { openStorage, rows } from './client';

/**
 * The embedded engine runs one statement at a time per connection. When batch inserts and reads
 * shared one, a read arriving during an insert waited for the whole insert, and under load every
 * dashboard read paid for one (npm run bench -- --mixed: p95 three to five times the idle figure).
 */
let dir: string;
let db: ClickHouseClient;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'storage-client-'));
  db = await openStorage(loadConfig({ DATA_DIR: dir }));
  await db.command({ query: 'CREATE TABLE slow_insert (id UInt64, text String) ENGINE = MergeTree ORDER BY id' });
});
afterAll(async () => {
  await db?.close();
  removeTempDir(dir);
});

describe('the embedded storage', () => {
  it('answers a read while a batch insert is running', async () => {
    // A batch that takes the engine a second or more to parse and write, even on a fast machine.
    const lines = Array.from({ length: 1_500_000 }, (_, id) => Buffer.from(JSON.stringify({ id, text: `row ${id} ${'x'.repeat(40)}` })));
    let insertDone = false;
    const insert = insertLines(db)('slow_insert', lines, crypto.randomUUID()).then(() => (insertDone = true));
    // Until the engine lists the insert as running (a read made to wait for it gets its turn only
    // once it has ended, and then sees it no more).
    let running = 0;
    while (running === 0 && !insertDone) {
      [{ running } = { running: 0 }] = await rows<{ running: number }>(
        db,
        "SELECT count() AS running FROM system.processes WHERE query LIKE 'INSERT INTO slow_insert%'",
      );
    }
    const [answer] = await rows<{ value: number }>(db, 'SELECT {value:UInt32} AS value', { value: 7 });
    const readEndedBeforeInsert = !insertDone;
    await insert;
    expect(running).toBeGreaterThan(0);
    expect(answer).toEqual({ value: 7 });
    expect(readEndedBeforeInsert).toBe(true);
    const [stored] = await rows<{ count: number }>(db, 'SELECT count() AS count FROM slow_insert');
    expect(stored).toEqual({ count: 1_500_000 });
  }, 120_000);
});
