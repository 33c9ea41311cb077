import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectorApi } from '../../../test-support/child-api';
import { spawnCollector } from '../../../test-support/child-collector';
import { allTime, pageview } from '../../../test-support/collector';
import { removeTempDir } from '../../../test-support/temp-dir';

const dataDir = mkdtempSync(join(tmpdir(), 'collector-restarts-'));
afterAll(() => removeTempDir(dataDir));

const password = 'restarts-password';
const env = { DATA_DIR: dataDir, ADMIN_PASSWORD: password, BATCH_INTERVAL_MS: '50', VISIT_ROLLUP_INTERVAL_MS: '0' };

describe('a data directory over several lives', () => {
  // The spool is empty at each stop, so every start numbers its segments from the beginning again:
  // a deduplication token that repeated would make ClickHouse drop the later batches silently.
  it('stores the events of every run after SIGTERM and SIGKILL restarts', { timeout: 120_000 }, async () => {
    let site = '';
    const signals = ['SIGTERM', 'SIGKILL', 'SIGTERM', 'SIGKILL', 'SIGTERM'] as const;
    for (const [run, signal] of signals.entries()) {
      const child = await spawnCollector(env);
      const api = collectorApi(child.url, password);
      if (run === 0) site = await api.createWebsite(await api.login());
      for (let i = 0; i < 10; i++) expect(await api.send(pageview(site, `/run/${run}/${i}`))).toBe(200);
      await api.drained();
      await child.kill(signal);
    }
    const last = await spawnCollector(env);
    try {
      const api = collectorApi(last.url, password);
      const stats = await api.get<{ pageviews: number }>(await api.login(), `/api/websites/${site}/stats?${allTime}`);
      expect(stats.pageviews).toBe(10 * signals.length);
    } finally {
      await last.kill('SIGTERM');
    }
  });
});
