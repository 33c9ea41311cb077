// npm run bench:import [-- --events 1000000 --runs 3]
// Imports a generated Umami v3 database (a throwaway PostgreSQL from Debian's package, filled by
// generate_series: sessions, hourly visits, pageviews and custom events with data over 90 days)
// into a fresh embedded engine, and prints events per second of each run (each into a new data
// directory), with the core count. Issue 28's goal: at least 100,000 events/s on this machine.
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPostgres } from '../test-support/postgres';
import { removeTempDir } from '../test-support/temp-dir';
import { umamiSchemas } from '../test-support/umami-database';
import { Users } from '../collector/src/auth/users';
import { loadConfig } from '../collector/src/config';
import { parseDatabaseUrl } from '../collector/src/import/umami-source';
import { openStorage } from '../collector/src/storage/client';
import { migrate } from '../collector/src/storage/migrate';
import { importUmami } from '../collector/src/storage/umami-import';
import { Websites } from '../collector/src/websites/websites';

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' } } });
const events = Number(values.events);
const pg = await startPostgres('umami_bench');
try {
  let started = performance.now();
  pg.psql(umamiSchemas.v3);
  // About five events per visit, two visits per session, one custom event in ten with two properties.
  pg.psql(`
    INSERT INTO website (website_id, name, domain, created_at) VALUES ('11111111-1111-4111-8111-111111111111', 'Bench site', 'example.com', now());
    INSERT INTO session (session_id, website_id, browser, os, device, screen, language, country, region, city, created_at)
      SELECT md5('s' || i)::uuid, '11111111-1111-4111-8111-111111111111', (ARRAY['chrome','firefox','safari'])[1 + i % 3], 'Linux', 'desktop',
        '1920x1080', 'en-US', (ARRAY['DE','FR','US','GB'])[1 + i % 4], NULL, NULL, now()
      FROM generate_series(0, ${Math.ceil(events / 10)}) AS i;
    INSERT INTO website_event (event_id, website_id, session_id, visit_id, created_at, url_path, url_query, referrer_domain, page_title, event_type, event_name, hostname)
      SELECT md5('e' || i)::uuid, '11111111-1111-4111-8111-111111111111', md5('s' || (i / 10))::uuid, md5('v' || (i / 5))::uuid,
        now() - interval '90 days' + ((i / 5) * interval '90 days' / ${Math.ceil(events / 5)}) + (i % 5) * interval '1 minute',
        '/page-' || (i % 50), CASE WHEN i % 5 = 0 THEN 'utm_source=news' END, CASE WHEN i % 5 = 0 THEN 'google.com' END, 'Page ' || (i % 50),
        CASE WHEN i % 10 = 9 THEN 2 ELSE 1 END, CASE WHEN i % 10 = 9 THEN 'signup' END, 'example.com'
      FROM generate_series(0, ${events - 1}) AS i;
    INSERT INTO event_data (event_data_id, website_id, website_event_id, data_key, string_value, number_value, data_type, created_at)
      SELECT md5('d' || i || k)::uuid, website_id, event_id, k, CASE WHEN k = 'plan' THEN 'pro' END, CASE WHEN k = 'value' THEN i % 100 END,
        CASE WHEN k = 'plan' THEN 1 ELSE 2 END, created_at
      FROM (SELECT row_number() OVER () AS i, website_id, event_id, created_at FROM website_event WHERE event_type = 2) AS e, unnest(ARRAY['plan', 'value']) AS k;
    ANALYZE;`);
  console.log(
    `PostgreSQL filled with ${events.toLocaleString('en')} events in ${((performance.now() - started) / 1000).toFixed(1)} s; ${availableParallelism()} cores`,
  );
  const rates: number[] = [];
  for (let run = 1; run <= Number(values.runs); run++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'import-bench-'));
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const db = await openStorage(config);
    try {
      await migrate(db);
      const admin = await new Users(db).create('bench-admin', 'a-long-bench-password', 'admin');
      const websites = new Websites(db);
      started = performance.now();
      const summary = await importUmami(db, { source: parseDatabaseUrl(pg.url), adopt: (w) => websites.adopt(admin.id, w) });
      const seconds = (performance.now() - started) / 1000;
      rates.push(summary.events / seconds);
      console.log(
        `run ${run}: ${summary.events.toLocaleString('en')} events in ${seconds.toFixed(1)} s: ${Math.round(summary.events / seconds).toLocaleString('en')} events/s`,
      );
    } finally {
      await db.close();
      removeTempDir(dataDir);
    }
  }
  const median = [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)]!;
  console.log(`median ${Math.round(median).toLocaleString('en')} events/s over ${rates.length} runs`);
} finally {
  await pg.stop();
}
