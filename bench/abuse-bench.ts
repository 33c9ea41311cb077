// npm run bench:abuse [-- --seconds 10 --events 300000 --rounds 3]
// What one hostile client costs everybody else (issue 31, findings 2 and 4), measured as the
// review measured it: the JSON parser's cost per byte at each body limit; /api/send's latency
// alone and while 8 connections post 1 MB of nested JSON to /api/2fa/verify; another user's
// 24-hour stats alone and while one share link (or one signed-in user) sends 32 or 128 heavy reads.
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Users } from '../collector/src/auth/users';
import { loadConfig } from '../collector/src/config';
import { openStorage } from '../collector/src/storage/client';
import { migrate } from '../collector/src/storage/migrate';
import { Websites } from '../collector/src/websites/websites';
import { chromeUA, pageview } from '../test-support/collector';
import { spawnCollector } from '../test-support/child-collector';
import { measureParseCost, parseLimits } from './parse-cost';
import { seedEvents } from './seed-events';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    events: { type: 'string', default: '300000' },
    rounds: { type: 'string', default: '3' },
  },
});
const seconds = Number(values.seconds);
const rounds = Math.max(1, Number(values.rounds));
const day = 86_400_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? Number.NaN;
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

console.log(`bench:abuse on ${availableParallelism()} cores, Node ${process.version}`);

// 1. The parser's cost per byte for what still reaches it.
console.log('\nJSON parser (nesting scan + Fastify’s parser), median of 31 parses per shape:');
console.log('| route (body limit) | shape | bytes | µs | ns/byte | outcome |\n|---|---|---:|---:|---:|---|');
for (const { name, bytes } of parseLimits) {
  for (const cost of measureParseCost(bytes)) {
    console.log(`| ${name} | ${cost.shape} | ${cost.bytes} | ${cost.micros.toFixed(0)} | ${cost.nsPerByte.toFixed(1)} | ${cost.outcome} |`);
  }
}

// 2 and 4 against a collector in its own process, with a seeded site to read heavily.
const work = mkdtempSync(join(tmpdir(), 'abuse-bench-'));
const dataDir = join(work, 'data');
const password = 'abuse-bench-password';
let busySite = '';
{
  const db = await openStorage(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
  await migrate(db);
  const users = new Users(db);
  await users.ensureFirstAdmin(password);
  const admin = (await users.list(1, 10)).data[0]!;
  busySite = (await new Websites(db).create(admin.id, 'Busy shared site', 'busy.example')).id;
  await seedEvents(db, busySite, { events: Number(values.events), days: 30, now: Date.now() });
  await db.close();
}
const collector = await spawnCollector({ DATA_DIR: dataDir, ADMIN_PASSWORD: password, BATCH_INTERVAL_MS: '200' });

const api = async (path: string, init: { method?: string; token?: string; json?: unknown; headers?: Record<string, string> } = {}) => {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(collector.url + path, {
    method: init.method ?? 'GET',
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
};
const login = async (username: string, pass: string) =>
  (await api('/api/auth/login', { method: 'POST', json: { username, password: pass } })).body.token as string;

try {
  const admin = await login('admin', password);
  await api('/api/users', { method: 'POST', token: admin, json: { username: 'victim', password: 'quiet harbour lamps', role: 'user' } });
  const victim = await login('victim', 'quiet harbour lamps');
  const victimSite = (await api('/api/websites', { method: 'POST', token: victim, json: { name: 'Victim', domain: 'victim.example' } })).body.id as string;
  const beacon = JSON.stringify(pageview(victimSite, '/'));
  const send = async () => {
    const started = performance.now();
    const response = await fetch(`${collector.url}/api/send`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'user-agent': chromeUA },
      body: beacon,
    });
    if (response.status !== 200) throw new Error(`/api/send answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
    return performance.now() - started;
  };

  // 2. /api/send while 8 connections post 1 MB of nested JSON to /api/2fa/verify.
  const probe = async (forMs: number) => {
    const times: number[] = [];
    const until = performance.now() + forMs;
    while (performance.now() < until) {
      times.push(await send());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return times;
  };
  const bomb = `{"partialToken":${'['.repeat(520_000)}${']'.repeat(520_000)}}`;
  const postBomb = () =>
    new Promise<number>((resolve) => {
      const request = httpRequest(
        `${collector.url}/api/2fa/verify`,
        { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(bomb) } },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('error', () => resolve(0));
      request.end(bomb);
    });
  const attack = async (forMs: number) => {
    const statuses = new Map<number, number>();
    const until = performance.now() + forMs;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (performance.now() < until) {
          const status = await postBomb();
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    return [...statuses].map(([status, n]) => `${n}× ${status || 'connection closed'}`).join(', ');
  };
  await probe(1000);
  const alone = await probe(seconds * 1000);
  const [attacked, answers] = await Promise.all([probe(seconds * 1000), attack(seconds * 1000)]);
  console.log(`\n/api/send, one beacon every 20 ms for ${seconds} s (the review: median 3 ms alone, 2,644 ms under this attack):`);
  console.log(`  alone:                                   median ${ms(median(alone))}, p95 ${ms(percentile(alone, 0.95))} (${alone.length} beacons)`);
  console.log(
    `  8 connections posting 1 MB nested JSON:  median ${ms(median(attacked))}, p95 ${ms(percentile(attacked, 0.95))} (${attacked.length} beacons); attack answered ${answers}`,
  );

  // 4. Another user's 24-hour stats while one client floods the engine with heavy reads.
  await api(`/api/websites/${busySite}`, { method: 'POST', token: admin, json: { shareId: 'abuse-bench-share' } });
  const shareToken = (await api('/api/share/abuse-bench-share')).body.token as string;
  const now = Date.now();
  const heavy = `/api/websites/${busySite}/stats?startAt=${now - 30 * day}&endAt=${now}&path=c.docs&country=eq.DE`;
  const victimRead = async () => {
    const started = performance.now();
    const answer = await api(`/api/websites/${victimSite}/stats?startAt=${now - day}&endAt=${now + 60_000}`, { token: victim });
    if (answer.status !== 200) throw new Error(`victim read answered ${answer.status}`);
    return performance.now() - started;
  };
  const flood = async (n: number, headers: Record<string, string>) => {
    const reads = Array.from({ length: n }, () => api(heavy, { headers }).then((r) => r.status));
    const victimMs = await victimRead();
    const statuses = await Promise.all(reads);
    return { victimMs, served: statuses.filter((s) => s === 200).length, refused: statuses.filter((s) => s === 429).length };
  };
  const heavyAlone: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await api(heavy, { token: admin });
    heavyAlone.push(performance.now() - started);
  }
  const victimAlone: number[] = [];
  for (let i = 0; i < 10; i++) victimAlone.push(await victimRead());
  console.log(
    `\nAnother user's 24-hour stats (the review: 36 ms alone; 2,087 ms beside 32 share reads, 9,360 ms beside 128, 1,477 ms beside a signed-in user's):`,
  );
  console.log(`  alone: median ${ms(median(victimAlone))} of 10; one heavy read alone: median ${ms(median(heavyAlone))} of 5`);
  for (const [label, n, headers] of [
    ['32 heavy reads through a share link', 32, { 'x-umami-share-token': shareToken }],
    ['128 heavy reads through a share link', 128, { 'x-umami-share-token': shareToken }],
    ['128 heavy reads by a signed-in user', 128, { authorization: `Bearer ${admin}` }],
  ] as const) {
    const results = [];
    for (let round = 0; round < rounds; round++) results.push(await flood(n, headers));
    console.log(
      `  beside ${label}: median ${ms(median(results.map((r) => r.victimMs)))} over ${rounds} rounds ` +
        `(${results.map((r) => ms(r.victimMs)).join(', ')}); the flood: ${results.map((r) => `${r.served} served/${r.refused} refused`).join(', ')}`,
    );
  }
} finally {
  await collector.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
