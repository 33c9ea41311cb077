import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCollector, type ChildCollector } from '../../../test-support/child-collector';
import { chromeUA, pageview } from '../../../test-support/collector';
import { removeTempDir } from '../../../test-support/temp-dir';

/**
 * The collector as `npm start` runs it, in a child process, loaded by parallel senders and then
 * killed. Every event it acknowledged must be stored exactly once after a restart.
 */
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) removeTempDir(dir);
});

const password = 'crash-test-password';

async function token(url: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  return ((await response.json()) as { token: string }).token;
}

/** Sends beacons from `senders` parallel loops until told to stop; records which were acknowledged. */
function load(url: string, site: string, senders: number) {
  const acked: string[] = [];
  let sent = 0;
  let stopped = false;
  const loops = Array.from({ length: senders }, async (_, s) => {
    for (let i = 0; !stopped; i++) {
      const path = `/load/${s}/${i}`;
      sent += 1;
      try {
        const response = await fetch(`${url}/api/send`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', 'user-agent': chromeUA },
          body: JSON.stringify(pageview(site, path)),
        });
        if (response.status === 200) acked.push(path);
        await response.arrayBuffer();
      } catch {
        return; // the collector is gone
      }
    }
  });
  return {
    acked,
    sent: () => sent,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** Every stored path of the website, read through the API once the spool has drained. */
async function storedPaths(collector: ChildCollector, site: string): Promise<string[]> {
  for (let waited = 0; ; waited += 100) {
    const { backlog } = (await (await fetch(`${collector.url}/api/heartbeat`)).json()) as { backlog: { rows: number } };
    if (backlog.rows === 0) break;
    if (waited > 30_000) throw new Error('spool did not drain');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const auth = { authorization: `Bearer ${await token(collector.url)}` };
  const paths: string[] = [];
  const range = `startAt=${Date.now() - 3600_000}&endAt=${Date.now() + 60_000}`;
  for (let page = 1; ; page++) {
    const response = await fetch(`${collector.url}/api/websites/${site}/events?${range}&page=${page}&pageSize=1000`, { headers: auth });
    const { data } = (await response.json()) as { data: { urlPath: string }[] };
    paths.push(...data.map((e) => e.urlPath));
    if (data.length < 1000) return paths.sort();
  }
}

async function crashRun(signal: 'SIGKILL' | 'SIGTERM') {
  const dataDir = mkdtempSync(join(tmpdir(), `collector-${signal}-`));
  dirs.push(dataDir);
  // Batches by size or every 200 ms: at any moment some acknowledged events are only in the spool.
  const env = { DATA_DIR: dataDir, ADMIN_PASSWORD: password, BATCH_MAX_ROWS: '100', BATCH_INTERVAL_MS: '200' };
  const first = await spawnCollector(env);
  const created = await fetch(`${first.url}/api/websites`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await token(first.url)}` },
    body: JSON.stringify({ name: 'crash', domain: 'example.com' }),
  });
  const { id: site } = (await created.json()) as { id: string };
  const traffic = load(first.url, site, 8);
  while (traffic.acked.length < 600) await new Promise((resolve) => setTimeout(resolve, 20));
  const code = await Promise.race([
    first.kill(signal),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit 30 s after ${signal}:\n${first.output()}`)), 30_000)),
  ]);
  await traffic.stop();
  const leftInSpool = readdirSync(join(dataDir, 'spool')).filter((name) => name.startsWith('segment-'));

  const second = await spawnCollector(env);
  try {
    const stored = await storedPaths(second, site);
    return { code, acked: traffic.acked, sent: traffic.sent(), stored, leftInSpool };
  } finally {
    await second.kill('SIGTERM');
  }
}

describe('crashes and restarts', () => {
  // Two collector starts, a load and a drain: generous limits, since CI runs other test files beside it.
  it('SIGKILL under load: after a restart every acknowledged event is stored exactly once', { timeout: 90_000 }, async () => {
    const { code, acked, sent, stored, leftInSpool } = await crashRun('SIGKILL');
    expect(code).toBeNull(); // killed, no clean exit
    expect(leftInSpool.length).toBeGreaterThan(0); // some acknowledged events were only in the spool
    expect(new Set(stored).size).toBe(stored.length); // no duplicates
    const storedSet = new Set(stored);
    expect(acked.filter((path) => !storedSet.has(path))).toEqual([]); // nothing acknowledged is lost
    // Only events that were sent can be stored (some sent at the kill were stored but not acknowledged).
    expect(stored.length).toBeLessThanOrEqual(sent);
    expect(acked.length).toBeGreaterThanOrEqual(600);
  });

  it('SIGTERM under load: drains in-flight requests and the spool, exits 0, and the next start finds everything once', { timeout: 90_000 }, async () => {
    const { code, acked, stored, leftInSpool } = await crashRun('SIGTERM');
    expect(code).toBe(0);
    expect(new Set(stored).size).toBe(stored.length);
    const storedSet = new Set(stored);
    expect(acked.filter((path) => !storedSet.has(path))).toEqual([]);
    expect(leftInSpool).toEqual([]); // the drain inserted everything before exiting
  });
});
