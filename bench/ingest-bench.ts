// npm run bench [-- --duration 20 --connections 32 --server]   |   npm run bench -- --mixed [--events 1000000 --runs 30]
// npm run bench -- --profile [--duration 12]: where a beacon's CPU goes (ingest-profile.ts)
// npm run bench -- --framework [--duration 40]: what a real app's framework setup costs a bare route (framework-cost.ts)
// Drives POST /api/send with wrk and a realistic mix of beacons, and in the same run drives a bare
// Fastify route that only parses the same JSON body; prints both, their ratio, and the collector's
// resident memory over its run. With --server, also three collectors on the test ClickHouse server
// (test-support/clickhouse-server), the load split across them. Needs wrk (apt-get install -y wrk).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnCollector, type ChildCollector } from '../test-support/child-collector';
import { startTestClickHouse, type TestClickHouse } from '../test-support/clickhouse-server/process';
import { startBareRoute } from './bare-process';
import { createBenchSite, signIn } from './bench-site';
import { runFrameworkCost } from './framework-cost';
import { runProfile } from './ingest-profile';
import { runMixed } from './mixed';
import { settingsFromEnv } from './settings-env';
import { beaconScript, runWrk, type WrkResult } from './wrk';

const { values } = parseArgs({
  options: {
    duration: { type: 'string' },
    connections: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
    server: { type: 'boolean', default: false },
    mixed: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    framework: { type: 'boolean', default: false },
    events: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '30' },
  },
});
const seconds = Number(values.duration ?? (values.profile ? 12 : 30));
const rounds = Math.max(1, Number(values.rounds));
const connections = Number(values.connections);
if (spawnSync('wrk', ['--version']).error) {
  console.error('npm run bench needs wrk: apt-get install -y wrk');
  process.exit(1);
}

if (values.mixed) {
  await runMixed({ events: Number(values.events), runs: Number(values.runs), connections });
  process.exit(0);
}
if (values.profile) {
  await runProfile({ seconds, connections });
  process.exit(0);
}
if (values.framework) {
  await runFrameworkCost({ seconds: Number(values.duration ?? 40), connections, rounds: Math.max(4, rounds) });
  process.exit(0);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const work = mkdtempSync(join(tmpdir(), 'ingest-bench-'));
const bare = await startBareRoute();
const password = 'bench-password';
const passedEnv = settingsFromEnv();
const collector = await spawnCollector({ DATA_DIR: join(work, 'data'), ADMIN_PASSWORD: password, ...passedEnv });
/** With --server: the test ClickHouse server and three collectors on it, each with its own spool. */
let server: TestClickHouse | null = null;
let fleet: ChildCollector[] = [];
if (values.server) {
  server = await startTestClickHouse();
  const shared = {
    CLICKHOUSE_URL: server.url,
    CLICKHOUSE_USER: server.user,
    CLICKHOUSE_PASSWORD: server.password,
    ADMIN_PASSWORD: password,
    APP_SECRET: 'ingest-bench-secret-ingest-bench-secret',
    WORKERS: '1',
    ...passedEnv,
  };
  fleet = await Promise.all([0, 1, 2].map((i) => spawnCollector({ ...shared, DATA_DIR: join(work, `fleet-${i}`) })));
}

try {
  const token = await signIn(collector.url, 'admin', password);
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const site = await createBenchSite(collector.url, token);
  const script = join(work, 'beacons.lua');
  beaconScript(site, script);
  let fleetSite = '';
  let fleetToken = '';
  const fleetScript = join(work, 'fleet-beacons.lua');
  if (fleet.length > 0) {
    fleetToken = await signIn(fleet[0]!.url, 'admin', password);
    fleetSite = await createBenchSite(fleet[0]!.url, fleetToken);
    beaconScript(fleetSite, fleetScript);
  }
  /** The three collectors at once, the connections split among them: summed req/s, the median of their latencies. */
  const runFleet = async (slice: number): Promise<WrkResult> => {
    const runs = await Promise.all(fleet.map((c) => runWrk(`${c.url}/api/send`, fleetScript, slice, Math.max(1, Math.round(connections / fleet.length)))));
    return {
      requestsPerSecond: runs.reduce((sum, r) => sum + r.requestsPerSecond, 0),
      p50Ms: median(runs.map((r) => r.p50Ms)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
      requests: runs.reduce((sum, r) => sum + r.requests, 0),
      non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    };
  };
  const fleetRuns: WrkResult[] = [];

  // Alternate the two targets in rounds, so drift in the machine's speed hits both alike.
  const slice = Math.max(1, Math.round(seconds / rounds));
  const bareRuns: WrkResult[] = [];
  const ourRuns: WrkResult[] = [];
  const rss: number[] = [];
  const sample = () => {
    const status = readFileSync(`/proc/${collector.process.pid}/status`, 'utf8');
    rss.push(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
  };
  sample();
  /** Waits until the collectors' spools are inserted (their heartbeats show no backlog). */
  const drainAll = async (collectors: ChildCollector[]) => {
    for (let i = 0; i < 1200; i++) {
      const backlogs = await Promise.all(
        collectors.map(async (c) => ((await (await fetch(`${c.url}/api/heartbeat`)).json()) as { backlog: { rows: number } }).backlog.rows),
      );
      if (backlogs.every((rows) => rows === 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const drain = () => drainAll([collector]);
  const drainFleet = () => drainAll(fleet);
  for (let round = 0; round < rounds; round++) {
    // The baseline runs with the collector idle: its backlog inserted and background merges settled.
    await drain();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    bareRuns.push(await runWrk(`http://127.0.0.1:${bare.port}/api/send`, script, slice, connections));
    const sampler = setInterval(sample, 1000);
    ourRuns.push(await runWrk(`${collector.url}/api/send`, script, slice, connections));
    clearInterval(sampler);
    if (fleet.length > 0) {
      await drainFleet();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      fleetRuns.push(await runFleet(slice));
    }
  }
  sample();
  const combine = (runs: WrkResult[]): WrkResult => ({
    requestsPerSecond: runs.reduce((sum, r) => sum + r.requestsPerSecond, 0) / runs.length,
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
  });
  const baseline = combine(bareRuns);
  const ours = combine(ourRuns);

  // Everything acknowledged must arrive: wait for the spool to drain, then count.
  await drain();
  const range = `startAt=${Date.now() - 3600_000}&endAt=${Date.now() + 60_000}`;
  const { count } = (await (await fetch(`${collector.url}/api/websites/${site}/events?${range}&pageSize=1`, { headers: auth })).json()) as { count: number };

  const row = (name: string, r: WrkResult) =>
    `| ${name} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.requests} | ${r.non2xx} |`;
  console.log(
    `wrk, 1 thread, ${connections} connections, ${rounds} alternating rounds of ${slice} s per target, realistic beacon mix, ${spawnSync('nproc').stdout.toString().trim()} cores\n`,
  );
  console.log('| target | req/s (mean of rounds) | p50 ms (median) | p99 ms (median) | requests | non-2xx |');
  console.log('|---|---:|---:|---:|---:|---:|');
  console.log(row('bare Fastify route (parse only)', baseline));
  console.log(row('collector POST /api/send', ours));
  // The verdict is the median of the rounds' ratios (each round's two targets ran back to back),
  // with their spread; the bare route's own speed says what kind of machine this was.
  const roundRatios = ourRuns.map((r, i) => r.requestsPerSecond / bareRuns[i]!.requestsPerSecond);
  const roundP99 = ourRuns.map((r, i) => r.p99Ms / bareRuns[i]!.p99Ms);
  const spread = (values: number[]) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
  console.log(
    `\nthroughput ratio ${median(roundRatios).toFixed(2)}, median of ${rounds} rounds (goal ≥ 0.8; spread ${spread(roundRatios)}; per round ${roundRatios.map((r) => r.toFixed(2)).join(', ')}); ` +
      `bare route ${baseline.requestsPerSecond.toFixed(0)} req/s on ${availableParallelism()} cores`,
  );
  console.log(
    `p99 ratio ${median(roundP99).toFixed(2)}, median of rounds (goal ≤ 3; spread ${spread(roundP99)}; per round, ours/bare ms: ${ourRuns.map((r, i) => `${r.p99Ms.toFixed(1)}/${bareRuns[i]!.p99Ms.toFixed(1)}`).join(', ')})`,
  );
  const at = (fraction: number) => rss[Math.min(rss.length - 1, Math.round(fraction * (rss.length - 1)))]!.toFixed(0);
  console.log(
    `collector RSS MB: before ${at(0)}, at 25% ${at(0.25)}, 50% ${at(0.5)}, 75% ${at(0.75)}, end ${at(1)}, max ${Math.max(...rss).toFixed(0)} (${rss.length} samples)`,
  );
  console.log(`events stored ${count} of ${ours.requests - ours.non2xx} acknowledged`);
  if (fleet.length > 0) {
    const theirs = combine(fleetRuns);
    await drainFleet();
    const { count: fleetCount } = (await (
      await fetch(`${fleet[0]!.url}/api/websites/${fleetSite}/events?${range}&pageSize=1`, { headers: { authorization: `Bearer ${fleetToken}` } })
    ).json()) as { count: number };
    console.log('\n| target | req/s (mean of rounds) | p50 ms (median) | p99 ms (median) | requests | non-2xx |');
    console.log('|---|---:|---:|---:|---:|---:|');
    console.log(row('collector, embedded engine (as above)', ours));
    console.log(row('3 collectors on the test ClickHouse server', theirs));
    console.log(
      `three collectors on the test server: ${(theirs.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)} of the bare route, ` +
        `${(theirs.requestsPerSecond / ours.requestsPerSecond).toFixed(2)} of one embedded collector (per round ${fleetRuns.map((r) => r.requestsPerSecond.toFixed(0)).join(', ')} req/s); ` +
        `events stored ${fleetCount} of ${theirs.requests - theirs.non2xx} acknowledged`,
    );
  }
} finally {
  await bare.stop();
  await collector.kill('SIGTERM');
  await Promise.all(fleet.map((c) => c.kill('SIGTERM')));
  await server?.destroy();
  rmSync(work, { recursive: true, force: true });
}
