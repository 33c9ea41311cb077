import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDir } from '../../../test-support/temp-dir';
import { loadConfig } from '../config';
import { openStorage, rows } from './client';

/**
 * The embedded engine's statements run side by side on several connections, with their
 * parameters written into the SQL (chDB's binding runs parameterized statements one at a time
 * for the whole process). The answers must be those of the engine's own parameter binding.
 */
let dir: string;
let db: ClickHouseClient;
let bound: ClickHouseClient;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'engine-connections-'));
  db = await openStorage(loadConfig({ DATA_DIR: dir, ENGINE_CONNECTIONS: '3' }));
  // The reference: one connection to the same engine that binds parameters the engine's way.
  const connection = createChdbConnection({ path: join(dir, 'clickhouse') });
  bound = createClient({ connection: connection as never, clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
  await db.command({
    query: 'CREATE TABLE hostile (id UInt32, text String, lc LowCardinality(String), day Date, uuid UUID) ENGINE = MergeTree ORDER BY (text, id)',
  });
});
afterAll(async () => {
  await bound?.close();
  await db?.close();
  removeTempDir(dir);
});

const day = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2149-06-05T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const values = fc.record({
  text: fc.string({ unit: 'binary', maxLength: 40 }),
  texts: fc.array(fc.string({ unit: 'binary', maxLength: 10 }), { maxLength: 5 }),
  uuid: fc.uuid(),
  uuids: fc.array(fc.uuid(), { maxLength: 3 }),
  signed: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  small: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  day,
  days: fc.array(day, { maxLength: 3 }),
});

const query =
  'SELECT {text:String} AS text, {texts:Array(String)} AS texts, {uuid:UUID} AS uuid, {uuids:Array(UUID)} AS uuids, ' +
  'toString({signed:Int64}) AS signed, {small:UInt32} AS small, {day:Date} AS day, {days:Array(Date)} AS days, ' +
  "length({text:String}) AS bytes, {text:String} = '' AS empty";

describe('statements on several engine connections', () => {
  it("answer what the engine's own parameter binding answers, for hostile strings and every type the queries use", async () => {
    await fc.assert(
      fc.asyncProperty(values, async (params) => {
        const [inlined] = await rows<Record<string, unknown>>(db, query, params);
        const [reference] = await rows<Record<string, unknown>>(bound, query, params);
        expect(inlined).toEqual(reference);
      }),
      { numRuns: 150 },
    );
  });

  it('find rows by hostile values as the bound parameters do', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { minLength: 1, maxLength: 8 }), async (texts) => {
        await db.command({ query: 'TRUNCATE TABLE hostile' });
        await db.insert({
          table: 'hostile',
          values: texts.map((text, id) => ({ id, text, lc: text, day: '2026-12-07', uuid: '00000000-0000-4000-8000-000000000000' })),
          format: 'JSONEachRow',
        });
        for (const text of texts) {
          const find = 'SELECT groupArray(id) AS ids FROM (SELECT id FROM hostile WHERE text = {t:String} AND lc = {t:String} ORDER BY id)';
          const [inlined] = await rows<{ ids: number[] }>(db, find, { t: text });
          const [reference] = await rows<{ ids: number[] }>(bound, find, { t: text });
          expect(inlined).toEqual(reference);
          expect(inlined!.ids.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('answer a quick parameterized read while a slow parameterized one is running', async () => {
    let slowDone = false;
    // Four rows, half a second each: two seconds in the engine.
    const slow = rows(db, 'SELECT sleepEachRow({pause:Float64}) AS s FROM numbers(4) SETTINGS max_block_size = 1', { pause: 0.5 }).then(
      () => (slowDone = true),
    );
    // Until the engine lists the slow statement as running.
    let running = 0;
    while (running === 0 && !slowDone) {
      [{ running } = { running: 0 }] = await rows<{ running: number }>(
        db,
        "SELECT count() AS running FROM system.processes WHERE query LIKE '%sleepEachRow%numbers(4)%'",
      );
    }
    expect(slowDone).toBe(false);
    const [answer] = await rows<{ n: number }>(db, 'SELECT count() AS n FROM numbers({count:UInt32})', { count: 10 });
    expect(answer!.n).toBe(10);
    // Answered while the slow one still ran (through one connection, it would have waited for it).
    expect(slowDone).toBe(false);
    await slow;
  });

  it('share one statement among identical reads in flight at once, but not across a write', async () => {
    await db.command({ query: 'CREATE TABLE IF NOT EXISTS counted (id UInt32) ENGINE = MergeTree ORDER BY id' });
    // The count is taken before the statement reads its first row; the sleeps make it last 1 s.
    const read = () =>
      rows<{ n: number }>(
        db,
        "SELECT (SELECT count() FROM counted) AS n, sum(sleepEachRow({pause:Float64})) AS s, 'shared' AS tag FROM numbers(2) SETTINGS max_block_size = 1",
        {
          pause: 0.5,
        },
      );
    const five = [read(), read(), read(), read(), read()];
    // Until the engine runs the statement past its count (it has read a row): then the count is 0.
    let seen = { running: 0, progressed: 0 };
    while (seen.running === 0 || seen.progressed === 0) {
      [seen = { running: 0, progressed: 0 }] = await rows<{ running: number; progressed: number }>(
        db,
        "SELECT count() AS running, max(read_rows) AS progressed FROM system.processes WHERE query LIKE '%\\'shared\\' AS tag%'",
      );
    }
    // One statement for the five (the engine lists it once).
    expect(seen.running).toBe(1);
    // A row written now: a read sent after the write ends does not join the statement begun before it.
    await db.insert({ table: 'counted', values: [{ id: 1 }], format: 'JSONEachRow' });
    const after = read();
    const answers = await Promise.all(five);
    expect(answers.map(([row]) => row!.n)).toEqual([0, 0, 0, 0, 0]);
    expect((await after)[0]!.n).toBe(1);
  });

  it('never run a statement cancelled while it waited for a connection', async () => {
    await db.command({ query: 'CREATE TABLE IF NOT EXISTS cancelled_writes (id UInt32) ENGINE = MergeTree ORDER BY id' });
    // Three slow statements (three different ones: identical reads would share one) hold the three connections.
    const slow = [0.3, 0.31, 0.32].map((pause) => rows(db, 'SELECT sleepEachRow({pause:Float64}) AS s FROM numbers(3) SETTINGS max_block_size = 1', { pause }));
    const controller = new AbortController();
    const write = db.command({ query: 'INSERT INTO cancelled_writes VALUES ({id:UInt32})', query_params: { id: 7 }, abort_signal: controller.signal });
    controller.abort();
    await expect(write).rejects.toMatchObject({ name: 'AbortError' });
    await Promise.all(slow);
    const [{ n } = { n: -1 }] = await rows<{ n: number }>(db, 'SELECT count() AS n FROM cancelled_writes');
    expect(n).toBe(0);
    // And the connection it waited for serves the next statement.
    await db.command({ query: 'INSERT INTO cancelled_writes VALUES ({id:UInt32})', query_params: { id: 8 } });
    expect(await rows(db, 'SELECT id FROM cancelled_writes')).toEqual([{ id: 8 }]);
  });
});
