// npm run seed -- --events 10000000 [--days 90]
// Fills a new website ("Seeded site", owned by the first admin) in the collector's database
// (DATA_DIR, or CLICKHOUSE_URL). Stop the collector first when it uses the embedded engine.
import { parseArgs } from 'node:util';
import { loadConfig } from '../collector/src/config';
import { migrate } from '../collector/src/storage/migrate';
import { openStorage } from '../collector/src/storage/client';
import { VisitRollups } from '../collector/src/storage/visit-rollups';
import { Users } from '../collector/src/auth/users';
import { Websites } from '../collector/src/websites/websites';
import { seedEvents } from './seed-events';

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, days: { type: 'string', default: '90' } } });
const events = Number(values.events);
const days = Number(values.days);
if (!(events > 0) || !(days > 0)) throw new Error('--events and --days must be positive numbers');

const config = loadConfig();
const db = await openStorage(config);
try {
  await migrate(db);
  const users = new Users(db);
  await users.ensureFirstAdmin(config.adminPassword);
  const admin = (await users.list(1, 1000)).data.find((u) => u.role === 'admin');
  if (!admin) throw new Error('no admin user');
  const website = await new Websites(db).create(admin.id, 'Seeded site', 'example.com');
  const started = performance.now();
  const stored = await seedEvents(db, website.id, { events, days, now: Date.now() });
  console.log(`seeded ${stored} events over ${days} days in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  // Nothing else is inserting, so the past days' visit rollups can be built at once (no settle time).
  const rolling = performance.now();
  const { built } = await new VisitRollups(db).runOnce({ settleMs: 0 });
  console.log(`built the visit rollups of ${built} days in ${((performance.now() - rolling) / 1000).toFixed(1)} s`);
  console.log(`website id: ${website.id}`);
} finally {
  await db.close();
}
