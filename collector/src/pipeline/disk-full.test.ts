import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chromeUA, pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';
import { mountSmallDisk, type SmallDisk } from '../../../test-support/small-disk';
import { rows } from '../storage/client';
import { Spool } from './spool';

/**
 * A full disk (issue 28): /api/send refuses events (503 `disk-full`, Retry-After) before a spool
 * write can fail, reads keep working, the heartbeat says why, events are taken again once space
 * returns, and every event acknowledged before, during and after is stored. On a tmpfs of its
 * own where one can be mounted (root); otherwise through the free-space seam (the test says which).
 */
const disks: SmallDisk[] = [];
let collector: TestCollector | null = null;
afterAll(async () => {
  await collector?.destroy();
  for (const disk of disks) disk.unmount();
});

const mb = 1024 * 1024;

/** Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN, as CI runs). */
const canMount = (() => {
  const probe = mountSmallDisk(1);
  probe?.unmount();
  return probe !== null;
})();

describe('a full disk', () => {
  it('refuses events before the spool write fails, keeps reads, reports it, and takes events again: nothing acknowledged is lost', {
    timeout: 120_000,
  }, async () => {
    const disk = mountSmallDisk(192);
    if (disk) disks.push(disk);
    let seamFree = Number.POSITIVE_INFINITY;
    console.info(disk ? 'full disk: a tmpfs of 192 MB' : 'full disk: no tmpfs could be mounted, the free-space seam stands in');
    const dataDir = disk ? join(disk.dir, 'data') : undefined;
    if (dataDir) mkdirSync(dataDir);
    collector = await startTestCollector({ MIN_FREE_DISK_MB: '16', BATCH_INTERVAL_MS: '100' }, { dataDir, freeSpace: disk ? undefined : () => seamFree });
    const token = await collector.login();
    const site = await collector.createWebsite(token);
    const acknowledged: string[] = [];
    let n = 0;
    const send = async () => {
      const path = `/page-${n++}`;
      const response = await collector!.send(pageview(site, path), { 'user-agent': chromeUA });
      if (response.status === 200) acknowledged.push(path);
      return response;
    };
    for (let i = 0; i < 10; i++) expect((await send()).status).toBe(200);

    // The disk fills up (another program's files): below MIN_FREE_DISK_MB events are refused.
    if (disk) disk.fill(8 * mb);
    else seamFree = 8 * mb;
    await expect.poll(async () => (await send()).status, { timeout: 10_000, interval: 100 }).toBe(503);
    const refused = await send();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('disk-full');
    const heartbeat = await collector.request('/api/heartbeat');
    expect(heartbeat.status).toBe(503);
    expect(await heartbeat.json()).toMatchObject({ ok: false, disk: { ok: false, minFreeBytes: 16 * mb } });
    const range = `startAt=${Date.now() - 3600_000}&endAt=${Date.now() + 60_000}`;
    const read = await collector.request(`/api/websites/${site}/stats?${range}`, { token });
    expect(read.status).toBe(200);

    // Space returns: events are taken again, by themselves.
    if (disk) disk.emptyFiller();
    else seamFree = Number.POSITIVE_INFINITY;
    await expect.poll(async () => (await send()).status, { timeout: 10_000, interval: 100 }).toBe(200);
    expect((await collector.request('/api/heartbeat')).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await send()).status).toBe(200);

    await collector.flush();
    const stored = await rows<{ path: string }>(collector.db, 'SELECT url_path AS path FROM website_event WHERE website_id = {site:UUID}', { site });
    expect(stored.map((row) => row.path).sort()).toEqual([...acknowledged].sort());
    expect(acknowledged.length).toBeGreaterThanOrEqual(21);
  });

  // Needs a filesystem that really fills up: skipped (and so reported) where none can be mounted.
  it.skipIf(!canMount)('a spool write that fails for want of space leaves nothing of itself, and the next one succeeds once space returns', async () => {
    const disk = mountSmallDisk(4)!;
    disks.push(disk);
    const spool = new Spool(disk.dir, { maxBytes: 64 * mb, fsyncMs: 0 });
    expect(await spool.append('website_event', { path: '/before' })).toBe(true);
    disk.fill(0);
    const big = { path: '/x'.repeat(200_000) };
    await expect(spool.append('website_event', big)).rejects.toMatchObject({ code: 'ENOSPC' });
    const rowsNow = spool.openRows;
    expect(rowsNow).toBe(1);
    disk.emptyFiller();
    expect(await spool.append('website_event', { path: '/after' })).toBe(true);
    spool.seal();
    const [segment] = spool.sealed;
    expect(statSync(segment!.path).size).toBe(segment!.bytes);
    const { website_event } = await spool.rowsOf(segment!);
    expect(website_event.map((line) => JSON.parse(line.toString()).path)).toEqual(['/before', '/after']);
  });
});
