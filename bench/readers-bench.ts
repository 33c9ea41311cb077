// npm run bench:readers [-- --connections 1,4 --rounds 7]
// Many people reading at once (issue 29), on DATA_DIR's newest "Seeded site" (npm run seed; stop
// the collector first), for each ENGINE_CONNECTIONS given, in one launch:
// - one person's view (stats, chart, pages at once) alone, and with 4 and 8 people opening it together;
// - a stats read alone, and arriving behind three heavy filtered reads of other people;
// - a stats read alone, and while a report (retention) runs, and while the visit-rollup job rebuilds.
// Times are medians (p50) and p95 in ms over the rounds; the ratios are to the "alone" figure of
// the same connection count, measured just before.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../collector/src/config';
import { startCollector, type RunningCollector } from '../collector/src/start';
import { statementsInFlight } from '../collector/src/storage/client';
import { markWebsiteChanged } from '../collector/src/storage/visit-rollups';
import { seededSite } from './seeded-site';

const { values } = parseArgs({ options: { connections: { type: 'string', default: '1,4' }, rounds: { type: 'string', default: '7' } } });
const rounds = Number(values.rounds);
const tracker = readFileSync(new URL('./tracker.js', import.meta.url));

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const ms = (x: number) => x.toFixed(0);

/** The time one GET takes, throwing on anything but 200. */
async function timedGet(url: string, token: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${body.slice(0, 200)}`);
  return performance.now() - started;
}

async function measure(collector: RunningCollector, connections: number): Promise<void> {
  // Eight people, each their own client (a person's reads take turns of their own, READS_PER_CLIENT).
  const people: Awaited<ReturnType<typeof seededSite>>[] = [];
  for (let i = 0; i < 8; i++) people.push(await seededSite(collector));
  const site = people[0]!.id;
  const now = Date.now();
  const range = `startAt=${now - 30 * 86400_000}&endAt=${now}`;
  const base = `${collector.url}/api/websites/${site}`;
  // A person's view; `late` ms later than the others' (a view of its own: no statement to share).
  const viewOf = (late: number) => {
    const own = `startAt=${now - 30 * 86400_000}&endAt=${now - late}`;
    return [`${base}/stats?${own}`, `${base}/pageviews?${own}&unit=day&timezone=Europe/Berlin`, `${base}/metrics?${own}&type=path`];
  };
  const view = viewOf(0);
  const heavy = [
    `${base}/stats?${range}&country=DE&path=c.docs`,
    `${base}/metrics?${range}&type=path&path=c.docs`,
    `${base}/pageviews?${range}&unit=day&country=DE&path=c.doc`,
  ];
  const stats = `${base}/stats?${range}`;
  const openView = async (token: string, urls = view) => {
    const started = performance.now();
    await Promise.all(urls.map((url) => timedGet(url, token)));
    return performance.now() - started;
  };
  // Warm every read once.
  for (const url of [...view, ...heavy, `${base}/retention?${range}&unit=day`]) await timedGet(url, people[0]!.token);

  const alone: number[] = [];
  for (let i = 0; i < rounds; i++) alone.push(await openView(people[0]!.token));
  console.log(`| ${connections} | one person's view alone | ${ms(percentile(alone, 50))} | ${ms(percentile(alone, 95))} | 1.00x |`);
  for (const crowd of [4, 8]) {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) times.push(...(await Promise.all(people.slice(0, crowd).map((p) => openView(p.token)))));
    const p50 = percentile(times, 50);
    console.log(
      `| ${connections} | ${crowd} people open it at once | ${ms(p50)} | ${ms(percentile(times, 95))} | ${(p50 / percentile(alone, 50)).toFixed(2)}x |`,
    );
  }
  for (const crowd of [4, 8]) {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      times.push(...(await Promise.all(people.slice(0, crowd).map((p, k) => openView(p.token, viewOf(1000 * (k + 1) + i))))));
    }
    const p50 = percentile(times, 50);
    console.log(
      `| ${connections} | ${crowd} people open it at once, each a range of their own | ${ms(p50)} | ${ms(percentile(times, 95))} | ${(p50 / percentile(alone, 50)).toFixed(2)}x |`,
    );
  }

  const statsAlone: number[] = [];
  for (let i = 0; i < rounds; i++) statsAlone.push(await timedGet(stats, people[0]!.token));
  const statsP50 = percentile(statsAlone, 50);
  console.log(`| ${connections} | stats alone | ${ms(statsP50)} | ${ms(percentile(statsAlone, 95))} | 1.00x |`);

  const heavyAlone: number[] = [];
  for (let i = 0; i < rounds; i++) heavyAlone.push(await timedGet(heavy[0]!, people[1]!.token));
  console.log(
    `| ${connections} | a heavy filtered read alone (stats, path contains + country) | ${ms(percentile(heavyAlone, 50))} | ${ms(percentile(heavyAlone, 95))} | |`,
  );

  // Behind three heavy reads of three other people: sent once the engine is running all three.
  const behind: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const running = heavy.map((url, k) => timedGet(url, people[k + 1]!.token));
    await untilInFlight(collector, 3);
    behind.push(await timedGet(stats, people[0]!.token));
    await Promise.all(running);
  }
  console.log(
    `| ${connections} | stats behind 3 heavy filtered reads | ${ms(percentile(behind, 50))} | ${ms(percentile(behind, 95))} | ${(percentile(behind, 50) / statsP50).toFixed(2)}x |`,
  );

  // While another person's report runs again and again.
  let reporting = true;
  const report = (async () => {
    while (reporting) await timedGet(`${base}/retention?${range}&unit=day`, people[1]!.token);
  })();
  const duringReport: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await untilInFlight(collector, 1);
    duringReport.push(await timedGet(stats, people[0]!.token));
  }
  reporting = false;
  await report;
  const reportP50 = percentile(duringReport, 50);
  console.log(
    `| ${connections} | stats while a retention report runs | ${ms(reportP50)} | ${ms(percentile(duringReport, 95))} | +${ms(reportP50 - statsP50)} ms |`,
  );

  // While the visit-rollup job rebuilds the site's every day.
  await markWebsiteChanged(collector.db, site);
  let rebuilding = true;
  const rebuild = collector.visitRollups.runOnce({ settleMs: 0 }).finally(() => (rebuilding = false));
  const duringRebuild: number[] = [];
  while (rebuilding) duringRebuild.push(await timedGet(stats, people[0]!.token));
  const { built } = await rebuild;
  const rebuildP50 = percentile(duringRebuild, 50);
  console.log(
    `| ${connections} | stats while the visit rollups rebuild (${built} days, ${duringRebuild.length} reads) | ${ms(rebuildP50)} | ${ms(percentile(duringRebuild, 95))} | +${ms(rebuildP50 - statsP50)} ms |`,
  );
  for (const person of people) await collector.users.delete(person.user);
}

/** Until the engine's connections have `count` statements in flight (checked every millisecond). */
async function untilInFlight(collector: RunningCollector, count: number): Promise<void> {
  while (statementsInFlight(collector.db) < count) await new Promise((resolve) => setTimeout(resolve, 1));
}

console.log(`${availableParallelism()} cores; ${rounds} rounds; 30 days of the newest "Seeded site"\n`);
console.log('| ENGINE_CONNECTIONS | what | p50 ms | p95 ms | against alone |');
console.log('|---:|---|---:|---:|---:|');
for (const connections of values.connections.split(',').map(Number)) {
  const config = { ...loadConfig(), port: 0, host: '127.0.0.1', logLevel: 'warn', engineConnections: connections, visitRollupIntervalMs: 0 };
  const collector = await startCollector(config, tracker);
  try {
    await collector.visitRollups.runOnce({ settleMs: 0 });
    await measure(collector, connections);
  } finally {
    await collector.stop();
  }
}
