// npm run bench -- --framework [--duration 40 --connections 32]
// What a real app's framework setup costs the same bare route: bare-server.ts with BARE_EXTRAS
// (a logger, root hooks, 200 other routes, all three) against the plain one, all running at once,
// driven in rounds whose order rotates so no variant always goes first.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBareRoute } from './bare-process';
import { beaconScript, runWrk } from './wrk';

const variants = [
  { extras: '', name: 'bare route' },
  { extras: 'L', name: '+ logger (a child logger per request)' },
  { extras: 'H', name: '+ root hooks (guard, preValidation, security headers)' },
  { extras: 'R', name: '+ 200 other routes in 20 plugins with hooks' },
  { extras: 'LHR', name: '+ all three' },
];

export async function runFrameworkCost({ seconds, connections, rounds }: { seconds: number; connections: number; rounds: number }): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'framework-cost-'));
  const servers = await Promise.all(variants.map(({ extras }) => startBareRoute({ extras })));
  try {
    const ports = servers.map((server) => server.port);
    const script = join(work, 'beacons.lua');
    // Any website id: the bare route only checks that one is there.
    beaconScript('00000000-0000-4000-8000-000000000000', script);
    const url = (i: number) => `http://127.0.0.1:${ports[i]}/api/send`;
    for (let i = 0; i < variants.length; i++) await runWrk(url(i), script, 2, connections);
    const slice = Math.max(1, Math.round(seconds / rounds));
    const rates: number[][] = variants.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < variants.length; k++) {
        const i = (round + k) % variants.length;
        rates[i]!.push((await runWrk(url(i), script, slice, connections)).requestsPerSecond);
      }
    }
    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    const plain = mean(rates[0]!);
    console.log(`\n${availableParallelism()} cores; wrk, 1 thread, ${connections} connections; ${rounds} rounds of ${slice} s per variant, order rotating\n`);
    console.log('| variant | req/s (mean of rounds) | per round | of the bare route |');
    console.log('|---|---:|---|---:|');
    variants.forEach(({ name }, i) => {
      const rate = mean(rates[i]!);
      console.log(`| ${name} | ${rate.toFixed(0)} | ${rates[i]!.map((r) => r.toFixed(0)).join(', ')} | ${(rate / plain).toFixed(2)} |`);
    });
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(work, { recursive: true, force: true });
  }
}
