// npm run bench -- --profile [--duration 12 --connections 32]
// Where each microsecond of a beacon goes: the bare route and the collector each run under
// `node --cpu-prof` while wrk drives them (a warm-up, then the measured run), and the summary
// divides their time by the requests served: each thread's CPU (user and kernel, from /proc) and
// the event loop's samples by kind of code and by function. The profiler slows both a little.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCollector } from '../test-support/child-collector';
import { startBareRoute } from './bare-process';
import { createBenchSite, signIn } from './bench-site';
import { type CpuProfile, kinds, type ProfileSummary, summarize } from './cpu-profile';
import { settingsFromEnv } from './settings-env';
import { cpuBetween, type CpuSplit, threadTimes } from './thread-cpu';
import { beaconScript, runWrk, type WrkResult } from './wrk';

interface Measured {
  name: string;
  wrk: WrkResult;
  cpu: CpuSplit;
  /** The measured run, microseconds on the monotonic clock (the profile's). */
  from: number;
  to: number;
  profileDir: string;
  /** The whole machine's idle share during the run. */
  idle: number;
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** Idle share of the whole machine's CPU between two readings of /proc/stat. */
function machineIdle(before: number[], after: number[]): number {
  const delta = after.map((value, i) => value - before[i]!);
  const total = delta.reduce((sum, value) => sum + value, 0);
  return total > 0 ? (delta[3]! + (delta[4] ?? 0)) / total : 0;
}
const procStat = () => readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);

async function measure(name: string, pid: number, url: string, script: string, seconds: number, connections: number, profileDir: string) {
  await runWrk(url, script, Math.min(5, seconds), connections);
  const before = threadTimes(pid);
  const machineBefore = procStat();
  const from = nowUs();
  const wrk = await runWrk(url, script, seconds, connections);
  const to = nowUs();
  const cpu = cpuBetween(pid, before, threadTimes(pid));
  return { name, wrk, cpu, from, to, profileDir, idle: machineIdle(machineBefore, procStat()) } satisfies Measured;
}

function readProfile(dir: string): CpuProfile {
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no CPU profile was written to ${dir}`);
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
}

const us = (value: number) => value.toFixed(1);

function report(runs: { measured: Measured; summary: ProfileSummary }[]): void {
  console.log(`\n${availableParallelism()} cores; one wrk thread; each target measured for the same time after a warm-up, under the CPU profiler\n`);
  console.log(`| per request, µs | ${runs.map((r) => r.measured.name).join(' | ')} |`);
  console.log(`|---|${runs.map(() => '---:').join('|')}|`);
  const line = (label: string, value: (r: (typeof runs)[number]) => string) => console.log(`| ${label} | ${runs.map(value).join(' | ')} |`);
  const per = (r: (typeof runs)[number], seconds: number) => us((seconds * 1e6) / r.measured.wrk.requests);
  line('req/s (under the profiler)', (r) => r.measured.wrk.requestsPerSecond.toFixed(0));
  line('**event loop thread, user CPU**', (r) => per(r, r.measured.cpu.main.user));
  line('**event loop thread, kernel CPU** (system calls, the loopback network)', (r) => per(r, r.measured.cpu.main.system));
  line('other threads of the process (engine, GC helpers, libuv)', (r) =>
    per(
      r,
      r.measured.cpu.others.reduce((sum, t) => sum + t.seconds, 0),
    ),
  );
  line('machine idle during the run', (r) => `${(r.measured.idle * 100).toFixed(0)}%`);
  console.log(`| *event loop samples (wall clock) by kind of code:* | ${runs.map(() => '').join(' | ')} |`);
  for (const kind of kinds) line(kind, (r) => us(r.summary.byKind[kind]));
  for (const r of runs) {
    console.log(
      `\n${r.measured.name}: other threads, CPU seconds over the run: ${
        r.measured.cpu.others
          .slice(0, 6)
          .map((t) => `${t.name} ${t.seconds.toFixed(2)}`)
          .join(', ') || 'none'
      }`,
    );
    console.log(`${r.measured.name}: functions with the most event-loop samples, µs per request (${r.summary.windowMs.toFixed(0)} ms sampled):`);
    for (const entry of r.summary.top) console.log(`  ${us(entry.usPerRequest).padStart(6)}  ${entry.kind.padEnd(22)} ${entry.name}`);
  }
}

export async function runProfile({ seconds, connections }: { seconds: number; connections: number }): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'ingest-profile-'));
  const bareDir = join(work, 'bare-profile');
  const oursDir = join(work, 'collector-profile');
  mkdirSync(bareDir);
  mkdirSync(oursDir);
  const bare = await startBareRoute({ nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${bareDir}`] });
  const password = 'bench-password';
  const collector = await spawnCollector({ DATA_DIR: join(work, 'data'), ADMIN_PASSWORD: password, ...settingsFromEnv() }, [
    '--cpu-prof',
    `--cpu-prof-dir=${oursDir}`,
  ]).catch(async (error: unknown) => {
    await bare.stop();
    throw error;
  });
  try {
    const site = await createBenchSite(collector.url, await signIn(collector.url, 'admin', password));
    const script = join(work, 'beacons.lua');
    beaconScript(site, script);
    const bareRun = await measure('bare Fastify route', bare.process.pid!, `http://127.0.0.1:${bare.port}/api/send`, script, seconds, connections, bareDir);
    const oursRun = await measure('collector /api/send', collector.process.pid!, `${collector.url}/api/send`, script, seconds, connections, oursDir);
    // The profiles are written as the processes exit.
    await bare.stop();
    await collector.kill('SIGTERM');
    report(
      [bareRun, oursRun].map((measured) => ({
        measured,
        summary: summarize(readProfile(measured.profileDir), {
          from: measured.from,
          to: measured.to,
          requests: measured.wrk.requests,
          ourBundle: 'collector.mjs',
        }),
      })),
    );
  } finally {
    await bare.stop();
    await collector.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}
