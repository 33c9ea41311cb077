// npm run bench:retention [-- --months 2]
// What enforcing a retention costs the readers and the beacons: on a COPY of DATA_DIR's seeded
// site (npm run seed; the copy is deleted after), times a stats read and a beacon (p50 of 40
// each) alone, then while the retention job's deletes of everything older than `months` run,
// and how long ClickHouse takes to finish them. Prints the core count and both baselines.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromeUA, pageview } from '../test-support/collector';
import { removeTempDir } from '../test-support/temp-dir';
import { seededSite } from './seeded-site';
import { loadConfig } from '../collector/src/config';
import { startCollector } from '../collector/src/start';
import { rows } from '../collector/src/storage/client';

const { values } = parseArgs({ options: { months: { type: 'string', default: '2' } } });
const source = loadConfig().dataDir;
const copy = mkdtempSync(join(tmpdir(), 'retention-bench-'));
execFileSync('cp', ['-a', `${source}/.`, copy]);
const collector = await startCollector(
  { ...loadConfig({ DATA_DIR: copy, RETENTION_INTERVAL_MS: '0', VISIT_ROLLUP_INTERVAL_MS: '0', LOG_LEVEL: 'warn' }), port: 0, host: '127.0.0.1' },
  readFileSync(new URL('./tracker.js', import.meta.url)),
);
try {
  const site = await seededSite(collector);
  const { token } = site;
  const now = Date.now();
  const timeOf = async (call: () => Promise<Response>) => {
    const started = performance.now();
    const response = await call();
    await response.text();
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    return performance.now() - started;
  };
  const stats = () =>
    fetch(`${collector.url}/api/websites/${site.id}/stats?startAt=${now - 30 * 86_400_000}&endAt=${now}`, { headers: { authorization: `Bearer ${token}` } });
  let n = 0;
  const beacon = () =>
    fetch(`${collector.url}/api/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': chromeUA, 'x-forwarded-for': `198.51.100.${(n++ % 200) + 1}` },
      body: JSON.stringify(pageview(site.id, '/retention-bench')),
    });
  const p50 = async (call: () => Promise<Response>) => {
    const times: number[] = [];
    for (let i = 0; i < 40; i++) times.push(await timeOf(call));
    return times.sort((a, b) => a - b)[20]!;
  };
  const [events] = await rows<{ n: number }>(collector.db, 'SELECT count() AS n FROM website_event WHERE website_id = {id:UUID}', { id: site.id });
  const alone = { stats: await p50(stats), beacon: await p50(beacon) };
  console.log(
    `${availableParallelism()} cores; ${Number(events?.n).toLocaleString('en')} events; alone: stats ${alone.stats.toFixed(0)} ms, beacon ${alone.beacon.toFixed(1)} ms (p50 of 40)`,
  );

  const website = (await collector.websites.get(site.id))!;
  await collector.websites.update(website, { retentionMonths: Number(values.months) });
  const started = performance.now();
  const asked = await collector.retention.runOnce();
  const askedMs = performance.now() - started;
  const during = { stats: await p50(stats), beacon: await p50(beacon) };
  const pending = async () => Number((await rows<{ n: number }>(collector.db, 'SELECT count() AS n FROM system.mutations WHERE is_done = 0'))[0]?.n ?? 0);
  const stillRunning = await pending();
  while ((await pending()) > 0) await new Promise((resolve) => setTimeout(resolve, 200));
  const finishedS = (performance.now() - started) / 1000;
  const [left] = await rows<{ n: number }>(collector.db, 'SELECT count() AS n FROM website_event WHERE website_id = {id:UUID}', { id: site.id });
  console.log(
    `retention ${values.months} months: deletes asked in ${askedMs.toFixed(0)} ms on ${[...asked.values()][0]?.length ?? 0} tables; ${stillRunning} still running while measured`,
  );
  console.log(
    `during: stats ${during.stats.toFixed(0)} ms (${(during.stats / alone.stats).toFixed(2)}x), beacon ${during.beacon.toFixed(1)} ms (${(during.beacon / alone.beacon).toFixed(2)}x)`,
  );
  console.log(`all deletes done ${finishedS.toFixed(1)} s after the run began; ${Number(left?.n).toLocaleString('en')} events left`);
} finally {
  await collector.stop();
  removeTempDir(copy);
}
