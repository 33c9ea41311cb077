import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chromeUA, pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';
import { runCli } from '../../../test-support/run-cli';
import { removeTempDir } from '../../../test-support/temp-dir';
import { rows } from './client';

/**
 * Backups of the embedded engine (issue 28), taken while beacons keep arriving: restored into a
 * new data directory, every event acknowledged before the backup began is there, once; the
 * command line takes one through the running collector, and restores.
 */
const collectors: TestCollector[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const collector of collectors) await collector.destroy();
  for (const dir of dirs) removeTempDir(dir);
});

const cli = (env: Record<string, string>, args: string[]) => runCli('backup.mjs', args, env);

describe('backups', () => {
  it('taken while events arrive, restore every event acknowledged before the backup began, once', { timeout: 180_000 }, async () => {
    const backupDir = mkdtempSync(join(tmpdir(), 'backups-'));
    dirs.push(backupDir);
    const env = { BACKUP_DIR: backupDir, BATCH_INTERVAL_MS: '50' };
    const collector = await startTestCollector(env);
    collectors.push(collector);
    const token = await collector.login();
    const site = await collector.createWebsite(token);

    // Beacons keep coming, each path once, from a few visitors.
    const acknowledged: { path: string; at: number }[] = [];
    let sending = true;
    let n = 0;
    const sender = (async () => {
      while (sending) {
        const path = `/p-${n++}`;
        const response = await collector.send(pageview(site, path), { 'user-agent': chromeUA, 'x-forwarded-for': `198.51.100.${n % 7}` });
        if (response.status === 200) acknowledged.push({ path, at: performance.now() });
      }
    })();
    await expect.poll(() => acknowledged.length, { timeout: 30_000 }).toBeGreaterThan(200);

    const began = performance.now();
    const taken = await collector.request('/api/admin/backups', { method: 'POST', token, json: { name: 'during-ingest' } });
    const answer = (await taken.json()) as { dir: string; segments: string[]; spooledRows: number; seconds: number };
    expect(taken.status, JSON.stringify(answer)).toBe(200);
    expect(answer.dir).toBe(join(backupDir, 'during-ingest'));
    await expect.poll(() => acknowledged.filter((a) => a.at > began).length, { timeout: 30_000 }).toBeGreaterThan(50);
    sending = false;
    await sender;
    const before = new Set(acknowledged.filter((a) => a.at < began).map((a) => a.path));

    // What may not take one: no credentials, a user who is no admin, a path outside BACKUP_DIR, a used directory.
    expect((await collector.request('/api/admin/backups', { method: 'POST', json: { name: 'x' } })).status).toBe(401);
    await collector.users.create('plain-user', 'plain-user-password', 'user');
    const userToken = await collector.login('plain-user', 'plain-user-password');
    expect((await collector.request('/api/admin/backups', { method: 'POST', token: userToken, json: { name: 'x' } })).status).toBe(403);
    expect((await collector.request('/api/admin/backups', { method: 'POST', token, json: { name: '../outside' } })).status).toBe(400);
    const again = await collector.request('/api/admin/backups', { method: 'POST', token, json: { name: 'during-ingest' } });
    expect([again.status, ((await again.json()) as { error: { message: string } }).error.message]).toEqual([400, expect.stringContaining('not empty')]);

    // The command line, while the collector runs: it asks the collector (signed with the app secret).
    const running = await cli({ ...env, DATA_DIR: collector.dataDir, PORT: new URL(collector.url).port, HOST: '127.0.0.1' }, [
      'backup',
      join(backupDir, 'by-cli'),
    ]);
    // (chDB itself prints its refusal to open the busy data directory on stderr.)
    expect([running.code, running.stdout]).toEqual([0, expect.stringContaining('by the running collector')]);
    const outside = await cli({ ...env, DATA_DIR: collector.dataDir, PORT: new URL(collector.url).port }, ['backup', join(tmpdir(), 'elsewhere')]);
    expect([outside.code, outside.stderr]).toEqual([2, expect.stringContaining('BACKUP_DIR')]);

    // Restored into a new data directory (one engine per process: the first collector goes), refused into a used one.
    await collector.destroy();
    collectors.splice(collectors.indexOf(collector), 1);
    const fresh = mkdtempSync(join(tmpdir(), 'restored-'));
    dirs.push(fresh);
    const restored = await cli({ DATA_DIR: fresh }, ['restore', answer.dir]);
    expect([restored.code, restored.stderr]).toEqual([0, '']);
    expect((await cli({ DATA_DIR: fresh }, ['restore', answer.dir])).stderr).toContain('not empty');
    const back = await startTestCollector({}, { dataDir: fresh });
    collectors.push(back);
    await back.flush();
    const stored = await rows<{ path: string; n: number }>(
      back.db,
      'SELECT url_path AS path, count() AS n FROM website_event WHERE website_id = {site:UUID} GROUP BY path',
      {
        site,
      },
    );
    const paths = new Map(stored.map((row) => [row.path, Number(row.n)]));
    expect([...before].filter((path) => !paths.has(path))).toEqual([]);
    expect([...paths].filter(([, count]) => count > 1)).toEqual([]);
    // Nothing after the backup ended, and nothing never acknowledged, came back.
    const sent = new Set(acknowledged.map((a) => a.path));
    expect([...paths.keys()].filter((path) => !sent.has(path))).toEqual([]);
    // The same app secret: the admin's token of the first collector signs in to the restored one.
    expect((await back.request(`/api/websites/${site}`, { token })).status).toBe(200);
  });
});
