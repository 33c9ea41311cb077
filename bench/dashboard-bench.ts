// npm run bench:dashboard [-- --events 10000000 --rounds 5]   |   DATA_DIR=… npm run bench:dashboard -- --seeded
// Seeds a fresh data directory (or, with --seeded, uses DATA_DIR's newest "Seeded site" from
// npm run seed, e.g. the 100 M seed), starts the collector on it, and times the dashboard in
// Chromium: from navigation to the overview of the last 30 days fully drawn (figures, chart, every panel).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../collector/src/config';
import { Users } from '../collector/src/auth/users';
import { openStorage, rows } from '../collector/src/storage/client';
import { migrate } from '../collector/src/storage/migrate';
import { VisitRollups } from '../collector/src/storage/visit-rollups';
import { startCollector } from '../collector/src/start';
import { Websites } from '../collector/src/websites/websites';
import { signIn } from './bench-site';
import { launchChromium } from '../e2e/browser';
import { seedEvents } from './seed-events';
import { seededSite } from './seeded-site';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '10000000' }, rounds: { type: 'string', default: '5' }, seeded: { type: 'boolean', default: false } },
});
const rounds = Number(values.rounds);
const password = 'bench-dashboard-password';
const dataDir = values.seeded ? loadConfig().dataDir : mkdtempSync(join(tmpdir(), 'bench-dashboard-'));
let events = Number(values.events);
const dist = new URL('./', import.meta.url);

try {
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ADMIN_PASSWORD: password, LOG_LEVEL: 'warn', VISIT_ROLLUP_INTERVAL_MS: '0' });
  let websiteId = '';
  const db = values.seeded ? null : await openStorage(config);
  if (db)
    try {
      await migrate(db);
      const users = new Users(db);
      await users.ensureFirstAdmin(password);
      const admin = (await users.list(1, 10)).data[0]!;
      websiteId = (await new Websites(db).create(admin.id, 'Seeded site', 'example.com')).id;
      const started = performance.now();
      await seedEvents(db, websiteId, { events, days: 90, now: Date.now() });
      await new VisitRollups(db).runOnce({ settleMs: 0 });
      console.log(`seeded ${events} events over 90 days and rolled them up in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    } finally {
      await db.close();
    }

  const collector = await startCollector(config, readFileSync(new URL('tracker.js', dist)), { dashboardDir: new URL('dashboard/', dist) });
  // Timed on a settled engine, as a site's data is most of the time: the seed's merges done first.
  for (let waited = 0; waited < 120_000; waited += 1000) {
    const [{ merges }] = (await (await collector.db.query({ query: 'SELECT count() AS merges FROM system.merges', format: 'JSONEachRow' })).json()) as [
      { merges: string },
    ];
    if (Number(merges) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const browser = await launchChromium();
  // An existing seed: its largest site, read by a bench admin of its own (deleted after).
  const seeded = values.seeded ? await seededSite(collector) : null;
  if (seeded) {
    websiteId = seeded.id;
    const [row] = await rows<{ n: number }>(collector.db, 'SELECT count() AS n FROM website_event WHERE website_id = {id:UUID}', { id: websiteId });
    events = row?.n ?? 0;
  }
  try {
    const token = seeded ? seeded.token : await signIn(collector.url, 'admin', password);
    const times: number[] = [];
    /** The same rounds timed from outside the browser, Playwright's navigation overhead included. */
    const outside: number[] = [];
    for (let round = 0; round < rounds + 1; round++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addInitScript((t) => sessionStorage.setItem('analytics.token', t), token);
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(`${collector.url}/#/websites/${websiteId}?range=30d`);
      // Fully drawn: the figures, the chart, and no panel still loading; the page's own clock says
      // when, counted from the navigation's start (Playwright's own overhead is left out).
      const drawn = await page.waitForFunction(
        () =>
          document.querySelector('.chart canvas') !== null &&
          document.querySelector('[data-figure]') !== null &&
          document.querySelectorAll('[aria-busy="true"]').length === 0 &&
          performance.now(),
        undefined,
        { timeout: 120_000, polling: 'raf' },
      );
      const ms = (await drawn.jsonValue()) as number;
      outside.push(performance.now() - started);
      if (round === rounds) {
        // The last round's API requests, slowest first: where the time goes.
        const requests = await page.evaluate(() =>
          performance
            .getEntriesByType('resource')
            .filter((e) => e.name.includes('/api/'))
            .map((e) => ({
              path: new URL(e.name).pathname.replace(/[0-9a-f-]{36}/, ':id') + (/type=(\w+)/.exec(e.name)?.[1] ?? ''),
              ms: Math.round(e.duration),
            }))
            .sort((a, b) => b.ms - a.ms),
        );
        console.log(`API requests of the last round (ms): ${requests.map((r) => `${r.path} ${r.ms}`).join(', ')}`);
        const phases = await page.evaluate(() => {
          const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
          const api = resources.filter((e) => e.name.includes('/api/'));
          const scripts = resources.filter((e) => e.name.includes('/dashboard/'));
          const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
          return {
            html: navigation.responseEnd,
            scripts: Math.max(...scripts.map((e) => e.responseEnd)),
            firstRequest: Math.min(...api.map((e) => e.startTime)),
            lastResponse: Math.max(...api.filter((e) => !/active|realtime/.test(e.name)).map((e) => e.responseEnd)),
          };
        });
        console.log(
          `timeline of the last round (ms since navigation): ${Object.entries(phases)
            .map(([k, v]) => `${k} ${Math.round(v)}`)
            .join(', ')}`,
        );
      }
      // The first round warms the engine's caches and is not counted.
      if (round > 0) times.push(ms);
      await context.close();
    }
    const median = medianOf(times);
    console.log(
      `dashboard overview, last 30 days of ${events} events, ${availableParallelism()} cores: median ${median.toFixed(0)} ms ` +
        `from navigation to fully drawn (goal < 1500; rounds ${times.map((t) => t.toFixed(0)).join(', ')}); ` +
        `seen from outside the browser, with Playwright's overhead: median ${medianOf(outside.slice(1)).toFixed(0)} ms`,
    );
  } finally {
    if (seeded) await collector.users.delete(seeded.user);
    await browser.close();
    await collector.stop();
  }
} finally {
  if (!values.seeded) rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
