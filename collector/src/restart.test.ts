import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCollector, runCollectorToExit } from '../../test-support/child-collector';
import { allTime, chromeUA, pageview } from '../../test-support/collector';
import { removeTempDir } from '../../test-support/temp-dir';

const dataDir = mkdtempSync(join(tmpdir(), 'collector-restart-'));
afterAll(() => removeTempDir(dataDir));

async function login(url: string, password: string): Promise<Response> {
  return fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
}

describe('the collector process (dist/launch.cjs, as npm start runs it)', () => {
  // 10–12 s alone or beside a CPU hog; past 30 s once with the machine three times oversubscribed.
  it('prints a generated admin password once, flushes queued events on SIGTERM, and keeps data across restarts', { timeout: 90_000 }, async () => {
    // A minute-long batch interval: only the SIGTERM drain can get these events stored.
    const env = { DATA_DIR: dataDir, BATCH_INTERVAL_MS: '60000' };
    const first = await spawnCollector(env);
    const password = /admin \/ (\S+)/.exec(first.output())?.[1];
    expect(password).toBeTruthy();
    const { token } = (await (await login(first.url, password!)).json()) as { token: string };
    const post = (path: string, body: unknown, method = 'POST') =>
      fetch(`${first.url}${path}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    // A password someone read in a log is not the admin's own: nothing else works until they choose one.
    const refused = await post('/api/websites', { name: 'Restart', domain: 'example.com' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('password-change-required');
    const ownPassword = 'tulip garden lamp river';
    expect((await post('/api/auth/me/password', { currentPassword: password, newPassword: ownPassword }, 'PUT')).status).toBe(200);
    const created = await fetch(`${first.url}/api/websites`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'Restart', domain: 'example.com' }),
    });
    const { id: site } = (await created.json()) as { id: string };
    for (const url of ['/', '/a', '/b']) {
      const response = await fetch(`${first.url}/api/send`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'user-agent': chromeUA },
        body: JSON.stringify(pageview(site, url)),
      });
      expect(response.status).toBe(200);
    }
    expect(await first.kill('SIGTERM')).toBe(0);

    const second = await spawnCollector({ ...env, ADMIN_PASSWORD: 'a-different-password' });
    try {
      expect(second.output()).not.toContain('admin /');
      // ADMIN_PASSWORD only seeds the first start; the existing admin keeps its password.
      expect((await login(second.url, 'a-different-password')).status).toBe(401);
      expect((await login(second.url, password!)).status).toBe(401);
      const again = (await (await login(second.url, ownPassword)).json()) as { token: string };
      const stats = await fetch(`${second.url}/api/websites/${site}/stats?${allTime}`, {
        headers: { authorization: `Bearer ${again.token}` },
      });
      expect(await stats.json()).toMatchObject({ pageviews: 3, visitors: 1, visits: 1 });
    } finally {
      expect(await second.kill('SIGTERM')).toBe(0);
    }
  });

  it('stops at start with one clear line on a bad setting', async () => {
    for (const [env, message] of [
      [{ PORT: 'eighty' }, 'PORT must be a whole number'],
      [{ ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD must be 8 to 256 characters'],
      [{ CLICKHOUSE_URL: 'ftp://x' }, 'CLICKHOUSE_URL must be http:// or https://'],
      [{ BATCH_MAX_ROWS: '0' }, 'BATCH_MAX_ROWS must be between'],
    ] as const) {
      const { code, stderr } = await runCollectorToExit({ DATA_DIR: dataDir, ...env });
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain(message);
    }
  });
});
