import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../collector/src/config';
import { Users } from '../collector/src/auth/users';
import { openStorage } from '../collector/src/storage/client';
import { migrate } from '../collector/src/storage/migrate';
import { VisitRollups } from '../collector/src/storage/visit-rollups';
import { startCollector } from '../collector/src/start';
import { Websites } from '../collector/src/websites/websites';
import { seedEvents } from '../bench/seed-events';

const events = Number(process.argv[2] ?? 1_000_000);
const dataDir = mkdtempSync(join(tmpdir(), 'reqtimes-'));
const password = 'bench-dashboard-password';
const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ADMIN_PASSWORD: password, LOG_LEVEL: 'warn', VISIT_ROLLUP_INTERVAL_MS: '0' });
const db = await openStorage(config);
await migrate(db);
const users = new Users(db);
await users.ensureFirstAdmin(password);
const admin = (await users.list(1, 10)).data[0]!;
const websiteId = (await new Websites(db).create(admin.id, 'Seeded site', 'example.com')).id;
await seedEvents(db, websiteId, { events, days: 90, now: Date.now() });
await new VisitRollups(db).runOnce({ settleMs: 0 });
await db.close();
const c = await startCollector(config, readFileSync('dist/tracker.js'), { dashboardDir: new URL('../dist/dashboard/', import.meta.url) });
const { token } = (await (await fetch(`${c.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) })).json()) as { token: string };
const day = 86400000;
const start = new Date(); start.setHours(0,0,0,0);
const q = `startAt=${start.getTime() - 29 * day}&endAt=${Date.now()}`;
const paths = ['/api/heartbeat', '/api/me', `/api/websites/${websiteId}`, `/api/websites/${websiteId}/stats?${q}`, `/api/websites/${websiteId}/pageviews?${q}&unit=day&timezone=UTC`,
  ...['path', 'referrer', 'country', 'browser', 'language', 'event'].map((t) => `/api/websites/${websiteId}/metrics?${q}&type=${t}&limit=10`), `/api/websites/${websiteId}/active`, `/api/realtime/${websiteId}`];
for (let round = 0; round < 4; round++) {
  const out: string[] = [];
  let total = 0;
  for (const p of paths) {
    const t = performance.now();
    const r = await fetch(c.url + p, { headers: { authorization: `Bearer ${token}` } });
    await r.text();
    const ms = performance.now() - t; total += ms;
    out.push(`${p.replace(/.*websites\/[^/?]+/, 'w').replace(/\?.*type=(\w+).*/, ':$1').replace(/\?.*/, '')} ${ms.toFixed(0)}`);
  }
  console.log(`total ${total.toFixed(0)} | ${out.join(', ')}`);
}
await c.stop();
