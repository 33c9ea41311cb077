// npm run seed -- --events 10000000 [--days 90] [--sites 1] [--flush-at 2000000]
// Fills new websites (owned by the first admin) in the collector's database (DATA_DIR, or
// CLICKHOUSE_URL). Stop the collector first when it uses the embedded engine. With --sites N the
// events are shared out in a long tail (see siteSizes); the largest site is "Seeded site", the
// one the read benches measure, the others "Seeded site #2" and on. On one engine or server the
// events are staged and the views' tables filled at once, every --flush-at staged events
// (seed-staged.ts); the visit rollups are built at the end, each span's inserts side by side.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { loadConfig } from '../collector/src/config';
import { migrate } from '../collector/src/storage/migrate';
import { openStorage } from '../collector/src/storage/client';
import { VisitRollups } from '../collector/src/storage/visit-rollups';
import { Users } from '../collector/src/auth/users';
import { Websites } from '../collector/src/websites/websites';
import { siteSizes, seedEvents } from './seed-events';
import { StagedSeed } from './seed-staged';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '90' },
    sites: { type: 'string', default: '1' },
    'flush-at': { type: 'string', default: '2000000' },
  },
});
const events = Number(values.events);
const days = Number(values.days);
const sites = Number(values.sites);
if (!(events > 0) || !(days > 0) || !Number.isInteger(sites) || sites < 1)
  throw new Error('--events and --days must be positive numbers, --sites a positive integer');

const config = loadConfig();
const db = await openStorage(config);
try {
  await migrate(db);
  const users = new Users(db);
  await users.ensureFirstAdmin(config.adminPassword);
  const admin = (await users.list(1, 1000)).data.find((u) => u.role === 'admin');
  if (!admin) throw new Error('no admin user');
  const sizes = siteSizes(events, sites);
  // Staged (seed-staged.ts) unless on a cluster, whose tables are distributed.
  const staged = config.clickhouse?.cluster ? null : await StagedSeed.open(db, { flushAt: Number(values['flush-at']) });
  const started = performance.now();
  let stored = 0;
  let largest = '';
  // The smaller sites first, so the largest is the newest "Seeded site".
  for (let k = sizes.length - 1; k >= 0; k--) {
    const website = await new Websites(db).create(admin.id, k === 0 ? 'Seeded site' : `Seeded site #${k + 1}`, `site-${k + 1}.example.com`);
    const options = { events: sizes[k]!, days, now: Date.now() };
    stored += await (staged ? staged.seed(website.id, options) : seedEvents(db, website.id, options));
    if (k === 0) largest = website.id;
  }
  await staged?.close();
  const seconds = (performance.now() - started) / 1000;
  const spread = sites > 1 ? ` on ${sites} sites (largest ${sizes[0]}, median ${sizes[Math.floor(sites / 2)]}, smallest ${sizes[sites - 1]})` : '';
  console.log(`seeded ${stored} events${spread} over ${days} days in ${seconds.toFixed(1)} s`);
  // Nothing else is inserting, so the past days' visit rollups can be built at once (no settle time).
  const rolling = performance.now();
  const { built } = await new VisitRollups(db).runOnce({ settleMs: 0, sideBySide: true });
  console.log(`built the visit rollups of ${built} days in ${((performance.now() - rolling) / 1000).toFixed(1)} s`);
  if (!config.clickhouse) console.log(`disk: ${execFileSync('du', ['-sh', `${config.dataDir}/clickhouse`], { encoding: 'utf8' }).split('\t')[0]}`);
  console.log(`RSS at the end: ${(process.memoryUsage().rss / 1024 ** 2).toFixed(0)} MB (the embedded engine runs in this process)`);
  console.log(`website id: ${largest}`);
} finally {
  await db.close();
}
