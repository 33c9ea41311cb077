import type { FreeSpace } from '../collector/src/pipeline/disk-guard';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import type { ClickHouseClient } from '@clickhouse/client';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../collector/src/config';
import type { ScryptCost } from '../collector/src/auth/passwords';
import type { Insert } from '../collector/src/storage/batch-insert';
import { startCollector, type RunningCollector } from '../collector/src/start';
import { copyEngineTemplate } from './engine-template';
import { removeTempDir } from './temp-dir';

export const adminPassword = 'test-admin-password';
export const chromeUA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
export const firefoxUA = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
export const iphoneUA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

export const distDir = new URL('../dist/', import.meta.url);

/**
 * scrypt at 1/32 of OWASP's memory cost (about 7 ms a hash instead of 300): tests log in hundreds
 * of times, often in parallel, and full-cost hashing on a busy 2-core machine made login tests time out.
 */
export const testPasswordCost: ScryptCost = { N: 2 ** 12, r: 8, p: 1 };

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export interface TestCollector extends RunningCollector {
  dataDir: string;
  /** fetch against the collector, with JSON helpers. */
  request(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  /** request() with its answer read: the status, the headers and the JSON body (null when empty). */
  call(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Answer>;
  /** The JSON body of a GET that must answer 200 (else it throws with the status and the body). */
  read(path: string, token: string): Promise<any>;
  /** Logs in and returns the token. */
  login(username?: string, password?: string): Promise<string>;
  /** Creates a website as `token`'s user and returns its id. */
  createWebsite(token: string, name?: string): Promise<string>;
  /** Sends one beacon as a browser would (a real User-Agent unless given). */
  send(body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Stops the collector and deletes its data directory. */
  destroy(): Promise<void>;
  stopKeepingData(): Promise<void>;
}

/** Starts a real collector on loopback, on the embedded engine, in a fresh data directory. */
export async function startTestCollector(
  env: Record<string, string> = {},
  options: { dataDir?: string; insert?: Insert; passwordCost?: ScryptCost; hashingCapacity?: number; freeSpace?: FreeSpace } = {},
): Promise<TestCollector> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'collector-test-'));
  // A data directory without an engine yet starts from the migrated template (engine-template.ts),
  // unless the test runs without the global setup that makes it.
  const template = process.env.TEST_ENGINE_TEMPLATE;
  if (template && !existsSync(join(dataDir, 'clickhouse'))) copyEngineTemplate(template, dataDir);
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    ADMIN_PASSWORD: adminPassword,
    // TEST_LOG_LEVEL=error shows the collector's errors while debugging a test.
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const running = await startCollector(config, readFileSync(new URL('tracker.js', distDir)), {
    trackerExtras: readFileSync(new URL('tracker-extras.js', distDir)),
    insert: options.insert,
    passwordCost: options.passwordCost ?? testPasswordCost,
    hashingCapacity: options.hashingCapacity,
    dashboardDir: new URL('dashboard/', distDir),
    checkResponses: true,
    freeSpace: options.freeSpace,
  });

  const request: TestCollector['request'] = (path, init = {}) => {
    const { token, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(running.url + path, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
  };

  const call: TestCollector['call'] = async (path, init) => {
    const response = await request(path, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  };

  return {
    ...running,
    dataDir,
    request,
    call,
    async read(path, token) {
      const { status, body } = await call(path, { token });
      if (status !== 200) throw new Error(`${path}: ${status} ${JSON.stringify(body).slice(0, 300)}`);
      return body;
    },
    async login(username = 'admin', password = adminPassword) {
      const response = await request('/api/auth/login', { method: 'POST', json: { username, password } });
      if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { token: string }).token;
    },
    async createWebsite(token, name = 'Example') {
      const response = await request('/api/websites', { method: 'POST', token, json: { name, domain: 'example.com' } });
      if (response.status !== 200) throw new Error(`create website failed: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { id: string }).id;
    },
    send(body, headers = {}) {
      return request('/api/send', {
        method: 'POST',
        headers: { 'user-agent': chromeUA, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
    async destroy() {
      await running.stop();
      removeTempDir(dataDir);
    },
    /** Stops the collector and keeps its data directory (for a restart on it). */
    async stopKeepingData() {
      await running.stop();
    },
  };
}

/** A pageview beacon for `website`, in Umami's wire format. */
export function pageview(website: string, url = '/', extra: Record<string, unknown> = {}) {
  return {
    type: 'event',
    payload: {
      website,
      hostname: 'example.com',
      language: 'en-US',
      referrer: '',
      screen: '1920x1080',
      title: 'Example',
      url,
      ...extra,
    },
  };
}

/** A range around now wide enough to read back everything a test sent (queries allow 10 years at most). */
export const allTime = `startAt=${Date.now() - 365 * 24 * 3600_000}&endAt=${Date.now() + 24 * 3600_000}`;

/** Waits until ClickHouse has finished the deletes a website reset or delete asked for. */
export async function removalDone(db: ClickHouseClient, websiteId: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await db.query({
      query: `SELECT count() AS n FROM system.mutations WHERE NOT is_done AND database = currentDatabase() AND position(command, {id:String}) > 0`,
      query_params: { id: websiteId },
      format: 'JSONEachRow',
    });
    if (((await result.json<{ n: number }>())[0]?.n ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error(`the deletes of website ${websiteId} did not finish`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
