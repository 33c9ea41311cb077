import { ClickHouseError, createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileStrings } from '../hostile-strings';
import { startTestClickHouse, type TestClickHouse } from './process';

/**
 * The test ClickHouse server as @clickhouse/client sees it: the calls the collector makes
 * (command, query with parameters, insert, ping), the database option, settings per query,
 * credentials, errors with ClickHouse's codes, and compressed answers.
 */
let server: TestClickHouse;
let client: ClickHouseClient;

beforeAll(async () => {
  server = await startTestClickHouse();
  const admin = createClient({ url: server.url, username: server.user, password: server.password });
  await admin.command({ query: 'CREATE DATABASE IF NOT EXISTS analytics' });
  await admin.close();
  client = createClient({ url: server.url, username: server.user, password: server.password, database: 'analytics' });
});
afterAll(async () => {
  await client?.close();
  await server?.destroy();
});

describe('the test ClickHouse server', () => {
  it('answers ping, and GET / with Ok.', async () => {
    expect((await client.ping()).success).toBe(true);
    expect(await (await fetch(server.url + '/')).text()).toBe('Ok.\n');
  });

  it('runs commands, inserts and queries in the client database', async () => {
    await client.command({ query: 'CREATE TABLE IF NOT EXISTS t (id UInt32, name String) ENGINE = MergeTree ORDER BY id' });
    await client.insert({
      table: 't',
      values: [
        { id: 1, name: 'one' },
        { id: 2, name: 'two' },
      ],
      format: 'JSONEachRow',
    });
    const result = await client.query({ query: 'SELECT currentDatabase() AS db, toUInt32(count()) AS n FROM t', format: 'JSONEachRow' });
    expect(await result.json()).toEqual([{ db: 'analytics', n: 2 }]);
  });

  it('binds parameters as the client escapes them: hostile strings come back unchanged', async () => {
    // Lone surrogates cannot travel in a URL (they become U+FFFD on the way to any server).
    const wellFormed = hostileStrings.filter((s) => s.isWellFormed());
    for (const value of [...wellFormed, 'tab\there', "it's", 'back\\slash', '\\N', 'line\nbreak\r\n']) {
      const result = await client.query({ query: 'SELECT {s:String} AS s, {n:UInt32} + 1 AS n', query_params: { s: value, n: 41 }, format: 'JSONEachRow' });
      expect(await result.json()).toEqual([{ s: value, n: 42 }]);
    }
  });

  it('applies settings to their query only', async () => {
    const setting = async (settings?: Record<string, number>) =>
      (
        await (
          await client.query({ query: "SELECT getSetting('max_threads') AS v", format: 'JSONEachRow', clickhouse_settings: settings })
        ).json<{ v: number }>()
      )[0]!.v;
    const normal = await setting();
    expect(await setting({ max_threads: 1 })).toBe(1);
    expect(await setting()).toBe(normal);
  });

  it('refuses wrong credentials as ClickHouse does (403, code 516), by basic auth or its headers', async () => {
    const wrong = createClient({ url: server.url, username: server.user, password: 'not it' });
    const error = await wrong.query({ query: 'SELECT 1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClickHouseError);
    expect((error as ClickHouseError).code).toBe('516');
    await wrong.close();
    const byHeaders = await fetch(server.url + '/?query=SELECT%201', { headers: { 'x-clickhouse-user': server.user, 'x-clickhouse-key': 'not it' } });
    expect(byHeaders.status).toBe(403);
    expect(byHeaders.headers.get('x-clickhouse-exception-code')).toBe('516');
    const right = await fetch(server.url + '/?query=SELECT%201', { headers: { 'x-clickhouse-user': server.user, 'x-clickhouse-key': server.password } });
    expect(await right.text()).toBe('1\n');
  });

  it("answers errors with ClickHouse's status, code header and message, which the client parses", async () => {
    const missing = await client.query({ query: 'SELECT * FROM no_such_table' }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });
    const auth = `Basic ${Buffer.from(`${server.user}:${server.password}`).toString('base64')}`;
    const syntax = await fetch(server.url + '/', { method: 'POST', body: 'SELEC 1', headers: { authorization: auth } });
    expect(syntax.status).toBe(400);
    expect(syntax.headers.get('x-clickhouse-exception-code')).toBe('62');
    expect(await syntax.text()).toMatch(/^Code: 62\. DB::Exception: .*\(SYNTAX_ERROR\)/);
    const noDatabase = await fetch(server.url + '/?database=nowhere&query=SELECT%201', { headers: { authorization: auth } });
    expect(noDatabase.status).toBe(404);
    expect(noDatabase.headers.get('x-clickhouse-exception-code')).toBe('81');
    // A GET may only read.
    const write = await fetch(server.url + '/?query=' + encodeURIComponent('CREATE TABLE x (a UInt8) ENGINE = Memory'), { headers: { authorization: auth } });
    expect(write.status).toBe(403);
  });

  it('sends the summary and query id headers, and gzips the answer when asked', async () => {
    const auth = `Basic ${Buffer.from(`${server.user}:${server.password}`).toString('base64')}`;
    const response = await fetch(server.url + '/?database=analytics&query_id=q-1&enable_http_compression=1', {
      method: 'POST',
      body: 'SELECT number FROM numbers(1000) FORMAT JSONEachRow',
      headers: { authorization: auth, 'accept-encoding': 'gzip' },
    });
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(response.headers.get('x-clickhouse-query-id')).toBe('q-1');
    expect(JSON.parse(response.headers.get('x-clickhouse-summary')!)).toMatchObject({ read_rows: '1000' });
    expect((await response.text()).trim().split('\n')).toHaveLength(1000);
  });

  it('keeps its data across a restart on the same port', async () => {
    await server.stop();
    expect(await client.ping().then((p) => p.success)).toBe(false);
    await server.start();
    const result = await client.query({ query: 'SELECT toUInt32(count()) AS n FROM t', format: 'JSONEachRow' });
    expect(await result.json()).toEqual([{ n: 2 }]);
  });
});
