// npm run bench -- --mixed: the read bench's queries while beacons arrive at half the collector's
// measured maximum rate, next to the same queries with the collector idle. A dashboard is read
// while traffic arrives; its speed under load is what people see.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Users } from '../collector/src/auth/users';
import { loadConfig } from '../collector/src/config';
import { openStorage } from '../collector/src/storage/client';
import { migrate } from '../collector/src/storage/migrate';
import { VisitRollups } from '../collector/src/storage/visit-rollups';
import { Websites } from '../collector/src/websites/websites';
import { spawnCollector } from '../test-support/child-collector';
import { signIn } from './bench-site';
import { settingsFromEnv } from './settings-env';
import { benchRead, readEndpoints, type Timing } from './read-bench';
import { seedEvents } from './seed-events';
import { beaconScript, runWrk } from './wrk';

export async function runMixed({ events, runs, connections }: { events: number; runs: number; connections: number }): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'mixed-bench-'));
  const dataDir = join(work, 'data');
  const password = 'mixed-bench-password';
  let seeded = '';
  let ingestSite = '';
  {
    const db = await openStorage(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    await migrate(db);
    const users = new Users(db);
    await users.ensureFirstAdmin(password);
    const admin = (await users.list(1, 10)).data[0]!;
    const websites = new Websites(db);
    seeded = (await websites.create(admin.id, 'Seeded site', 'example.com')).id;
    ingestSite = (await websites.create(admin.id, 'Live site', 'live.example')).id;
    await seedEvents(db, seeded, { events, days: 90, now: Date.now() });
    await new VisitRollups(db).runOnce({ settleMs: 0 });
    await db.close();
  }
  const collector = await spawnCollector({ DATA_DIR: dataDir, ADMIN_PASSWORD: password, LOG_LEVEL: 'info', ...settingsFromEnv() });
  try {
    const token = await signIn(collector.url, 'admin', password);
    const endpoints = readEndpoints(seeded, Date.now());
    const idle = await benchRead(collector.url, token, endpoints, runs);

    const script = join(work, 'beacons.lua');
    beaconScript(ingestSite, script);
    const max = await runWrk(`${collector.url}/api/send`, script, 10, connections);
    const rate = Math.round(max.requestsPerSecond / 2);
    // Let the maximum run's backlog go in before the paced load starts.
    await new Promise((resolve) => setTimeout(resolve, 5000));

    const load = spawn(process.execPath, [fileURLToPath(new URL('./bench-paced.mjs', import.meta.url)), collector.url, ingestSite, String(rate)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let loadOutput = '';
    load.stdout.on('data', (chunk: Buffer) => (loadOutput += chunk.toString()));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const busy = await benchRead(collector.url, token, endpoints, runs);
    const exited = new Promise((resolve) => load.once('exit', resolve));
    load.kill('SIGTERM');
    await exited;
    const [, acked = '0', seconds = '1', cpuMs = '0'] = /acked (\d+) seconds ([\d.]+) cpu (\d+)/.exec(loadOutput) ?? [];
    const achieved = Number(acked) / Number(seconds);
    const generatorShare = Number(cpuMs) / (Number(seconds) * 1000);

    console.log(`reads while ingesting, ${events} seeded events, ${runs} runs per endpoint, ${availableParallelism()} cores`);
    console.log(
      `ingest: maximum ${max.requestsPerSecond.toFixed(0)} req/s (wrk, ${connections} connections, 10 s); paced at ${rate} req/s during the reads, achieved ${achieved.toFixed(0)} req/s (the load generator used ${(generatorShare * 100).toFixed(0)}% of a core)\n`,
    );
    console.log('| endpoint | idle p50 ms | idle p95 ms | under load p50 ms | under load p95 ms | p95 ratio |');
    console.log('|---|---:|---:|---:|---:|---:|');
    const ratios: number[] = [];
    idle.forEach((quiet: Timing, i) => {
      const loaded = busy[i]!;
      const ratio = loaded.p95 / Math.max(quiet.p95, 1);
      ratios.push(ratio);
      console.log(
        `| ${quiet.name} | ${quiet.p50.toFixed(0)} | ${quiet.p95.toFixed(0)} | ${loaded.p50.toFixed(0)} | ${loaded.p95.toFixed(0)} | ${ratio.toFixed(2)} |`,
      );
    });
    const sorted = [...ratios].sort((a, b) => a - b);
    console.log(
      `\np95 under load / idle: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)}, worst ${sorted[sorted.length - 1]!.toFixed(2)} (goal ≤ 2)`,
    );
  } finally {
    await collector.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}
