// A ClickHouse HTTP server for tests and benchmarks, never for users: it answers ClickHouse's HTTP
// interface, as @clickhouse/client speaks it, by running each query on one embedded chDB engine.
// See README.md beside this file for what it implements and what it does not.
//
//   node dist/clickhouse-test-server.mjs --path DIR [--port 0] [--user default] [--password ''] [--host 127.0.0.1]
//
// Prints `listening http://host:port` on stdout once it accepts queries.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Session } from 'chdb';
import { clickhouseStatus } from './status';
import { unescapeParam } from './params';

const { values } = parseArgs({
  options: {
    path: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    user: { type: 'string', default: 'default' },
    password: { type: 'string', default: '' },
    // A ClickHouse configuration file for the engine (e.g. remote_servers for a one-node cluster).
    config: { type: 'string' },
  },
});
if (!values.path) throw new Error('--path is required');
const session = new Session(values.path, values.config ? { connectionArgs: [`--config-file=${values.config}`] } : undefined);

/** URL parameters that are the HTTP interface's own, not settings. */
const interfaceParams = new Set([
  'query',
  'database',
  'default_format',
  'query_id',
  'session_id',
  'session_timeout',
  'session_check',
  'user',
  'password',
  'quota_key',
  'role',
  'compress',
  'decompress',
]);
/** Settings the HTTP layer acts on itself (compression) or that only shape the answer's timing; not passed to the engine. */
const httpSettings = new Set([
  'enable_http_compression',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'wait_end_of_query',
  'http_response_buffer_size',
  'cancel_http_readonly_queries_on_client_close',
]);

/** One query at a time: the session's database and settings are per query, set before it and reset after. */
let queue: Promise<unknown> = Promise.resolve();
const oneAtATime = <T>(run: () => Promise<T>): Promise<T> => {
  const next = queue.then(run, run);
  queue = next.catch(() => {});
  return next;
};

class ClickHouseFailure extends Error {
  constructor(
    readonly code: number,
    readonly type: string,
    message: string,
  ) {
    super(`Code: ${code}. DB::Exception: ${message}. (${type}) (test server)`);
  }
}

/** The user and password of a request: basic auth, ClickHouse's headers, or the URL. */
function credentials(request: IncomingMessage, url: URL): { user: string; password: string } {
  const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const user = header(request, 'x-clickhouse-user') ?? url.searchParams.get('user') ?? 'default';
  const password = header(request, 'x-clickhouse-key') ?? url.searchParams.get('password') ?? '';
  return { user, password };
}

const header = (request: IncomingMessage, name: string) => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
};

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

/** The query's first keyword decides whether it may run from a GET (ClickHouse's readonly GETs). */
const readsOnly = (sql: string) => /^\s*(SELECT|WITH|SHOW|DESCRIBE|DESC|EXISTS)\b/i.test(sql);

async function run(request: IncomingMessage, url: URL): Promise<{ body: Buffer; format: string; summary: Record<string, string> }> {
  const { user, password } = credentials(request, url);
  if (user !== values.user || password !== values.password) {
    throw new ClickHouseFailure(516, 'AUTHENTICATION_FAILED', `${user}: Authentication failed: password is incorrect, or there is no user with such name`);
  }
  const body = request.method === 'POST' ? (await readBody(request)).toString('utf8') : '';
  const sql = [url.searchParams.get('query') ?? '', body].filter((part) => part !== '').join('\n');
  if (!sql.trim()) throw new ClickHouseFailure(62, 'SYNTAX_ERROR', 'Empty query');
  if (request.method === 'GET' && !readsOnly(sql)) throw new ClickHouseFailure(164, 'READONLY', 'Cannot execute query in readonly mode');

  const params: Record<string, string | null> = {};
  const settings: [string, string][] = [];
  for (const [key, value] of url.searchParams) {
    if (key.startsWith('param_')) params[key.slice(6)] = unescapeParam(value);
    else if (!interfaceParams.has(key) && !httpSettings.has(key)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new ClickHouseFailure(115, 'UNKNOWN_SETTING', `Unknown setting ${key}`);
      settings.push([key, value]);
    }
  }
  const database = url.searchParams.get('database') ?? header(request, 'x-clickhouse-database') ?? 'default';
  const format = url.searchParams.get('default_format') ?? header(request, 'x-clickhouse-format') ?? 'TabSeparated';

  return oneAtATime(async () => {
    await session.queryAsync(`USE ${quoteIdentifier(database)}`);
    for (const [name, value] of settings) await session.queryAsync(`SET ${name} = ${quoteSetting(value)}`);
    try {
      const started = process.hrtime.bigint();
      const result = Object.keys(params).length > 0 ? await session.queryBindAsync(sql, params, { format }) : await session.queryAsync(sql, { format });
      const written = /^\s*INSERT\b/i.test(sql) ? String(Math.max(0, sql.split('\n').filter((line) => line.trim().startsWith('{')).length)) : '0';
      return {
        body: Buffer.from(result.bytes()),
        format,
        summary: {
          read_rows: String(result.rowsRead ?? 0),
          read_bytes: String(result.bytesRead ?? 0),
          written_rows: written,
          written_bytes: '0',
          total_rows_to_read: String(result.rowsRead ?? 0),
          result_rows: '0',
          result_bytes: String(result.bytes().length),
          elapsed_ns: String(process.hrtime.bigint() - started),
        },
      };
    } finally {
      for (const [name] of settings) await session.queryAsync(`SET ${name} = DEFAULT`).catch(() => {});
    }
  });
}

const quoteIdentifier = (name: string) => `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
/** A setting's value from the URL: numbers and booleans as they are, anything else as a string literal. */
const quoteSetting = (value: string) => (/^-?\d+(\.\d+)?$/.test(value) ? value : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);

function send(response: ServerResponse, request: IncomingMessage, url: URL, status: number, body: Buffer, headers: Record<string, string>) {
  const gzip = url.searchParams.get('enable_http_compression') === '1' && /\bgzip\b/.test(header(request, 'accept-encoding') ?? '');
  response.writeHead(status, { ...headers, ...(gzip ? { 'content-encoding': 'gzip' } : {}), 'x-clickhouse-server-display-name': 'clickhouse-test-server' });
  response.end(gzip ? gzipSync(body) : body);
}

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/ping' || (url.pathname === '/' && request.method === 'GET' && !url.searchParams.has('query'))) {
    response.writeHead(200, { 'content-type': 'text/html; charset=UTF-8' }).end('Ok.\n');
    return;
  }
  if (url.pathname !== '/') {
    response.writeHead(404, { 'content-type': 'text/plain; charset=UTF-8' }).end('There is no handle ' + url.pathname + '\n');
    return;
  }
  const queryId = url.searchParams.get('query_id') || randomUUID();
  run(request, url).then(
    ({ body, format, summary }) =>
      send(response, request, url, 200, body, {
        'content-type': 'text/plain; charset=UTF-8',
        'x-clickhouse-query-id': queryId,
        'x-clickhouse-format': format,
        'x-clickhouse-timezone': 'UTC',
        'x-clickhouse-summary': JSON.stringify(summary),
      }),
    (error: unknown) => {
      const { code, type, message } = describe(error);
      send(response, request, url, clickhouseStatus(code, type), Buffer.from(`${message}\n`), {
        'content-type': 'text/plain; charset=UTF-8',
        'x-clickhouse-query-id': queryId,
        'x-clickhouse-exception-code': String(code),
      });
    },
  );
});

/** ClickHouse's code, name and message of a failure (chDB's errors carry them; anything else is 1001 STD_EXCEPTION). */
function describe(error: unknown): { code: number; type: string; message: string } {
  if (error instanceof ClickHouseFailure) return { code: error.code, type: error.type, message: error.message };
  const { clickhouseCode, message } = error as { clickhouseCode?: number; message?: string };
  const text = String(message ?? error);
  const type = /\(([A-Z0-9_]{3,})\)\s*$/.exec(text.trim())?.[1] ?? 'STD_EXCEPTION';
  const code = typeof clickhouseCode === 'number' && clickhouseCode > 0 ? clickhouseCode : 1001;
  return { code, type, message: text.startsWith('Code:') ? text : `Code: ${code}. DB::Exception: ${text}. (${type})` };
}

server.listen(Number(values.port), values.host, () => {
  const address = server.address() as { port: number };
  console.log(`listening http://${values.host}:${address.port}`);
});

const stop = () => {
  server.close();
  server.closeAllConnections();
  void queue.finally(() => {
    session.close();
    process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
