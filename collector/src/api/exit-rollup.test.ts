import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEvents } from '../../../bench/seed-events';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';
import { expectSamePoints } from '../../../test-support/same-answers';
import { ExitRollup, validExitBuilds } from '../storage/exit-rollup';
import { queryMetric, type Scope } from './analytics-queries';
import { buildFilters } from './filters';

/**
 * The exit pages' rollup (built by a job, not a view) must answer as the events do: for visits
 * wholly inside a day, for visits crossing midnight (their last page in the range may be on
 * either side), when events arrive for a day after it was built, and when two collectors build
 * the same days at once.
 */
let collector: TestCollector;
let seeded: string;
let fixture: string;
const day = 86_400_000;
const today = Math.floor(Date.now() / day) * day;
const D = today - 5 * day; // a past day of the fixture

const exits = (websiteId: string, startAt: number, endAt: number, rollups = true) =>
  queryMetric(collector.db, { websiteId, startAt, endAt, filter: buildFilters({}) }, 'exit', { limit: 1000, offset: 0, rollups });
const byPath = (points: { x: string; y: number }[]) => Object.fromEntries(points.map((p) => [p.x, p.y]));
const builtDays = async (websiteId: string, from: number, to: number) => (await validExitBuilds(collector.db, websiteId, from, to)).size;
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

const pageview = (session: string, visit: string, time: number, path: string) => ({
  website_id: fixture,
  session_id: session,
  visit_id: visit,
  event_id: randomUUID(),
  created_at: time,
  event_type: 1,
  hostname: 'example.com',
  url_path: path,
});

// Three visitors: A crosses midnight (/a at 23:50, /b at 00:10), B is inside day D (/c),
// C inside day D+1 (/d then /e).
const [sA, sB, sC, vA, vB, vC] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];

beforeAll(async () => {
  collector = await startTestCollector({ EXIT_ROLLUP_INTERVAL_MS: '0' });
  const token = await collector.login();
  seeded = await collector.createWebsite(token, 'seeded');
  fixture = await collector.createWebsite(token, 'fixture');
  await seedEvents(collector.db, seeded, { events: 30_000, days: 20, now: today - 3600_000 });
  await collector.db.insert({
    table: 'website_event',
    format: 'JSONEachRow',
    values: [
      pageview(sA, vA, D + day - 600_000, '/a'),
      pageview(sA, vA, D + day + 600_000, '/b'),
      pageview(sB, vB, D + 36_000_000, '/c'),
      pageview(sC, vC, D + day + 18_000_000, '/d'),
      pageview(sC, vC, D + day + 18_600_000, '/e'),
    ],
  });
  await settle();
});
afterAll(() => collector?.destroy());

describe('exit pages rollup', () => {
  it('builds every past day, and then nothing until events arrive', async () => {
    const job = new ExitRollup(collector.db);
    const first = await job.runOnce({ settleMs: 0 });
    // The seeded days, up to the day before yesterday at least (yesterday waits for 01:00 UTC today).
    expect(first.built).toBeGreaterThanOrEqual(19);
    expect((await job.runOnce({ settleMs: 0 })).built).toBe(0);
    expect(await builtDays(seeded, today - 18 * day, today - day)).toBe(17);
  });

  it('answers as the events do over every kind of range', async () => {
    const ranges: [string, number, number][] = [
      ['partial days at both ends', Date.now() - 10 * day - 12_345, Date.now()],
      ['whole days only', today - 12 * day, today - 3 * day - 1],
      ['from ten minutes before midnight', today - 8 * day - 600_000, today - 2 * day + 300_000],
      ['within one day', today - 5 * day + 3600_000, today - 5 * day + 7200_000],
    ];
    for (const [label, startAt, endAt] of ranges) {
      const fromRollup = await exits(seeded, startAt, endAt);
      expect(fromRollup.length).toBeGreaterThan(0);
      expectSamePoints(label, fromRollup, await exits(seeded, startAt, endAt, false));
    }
    const scope: Scope = { websiteId: seeded, startAt: today - 12 * day, endAt: today - 1, filter: buildFilters({}) };
    const searched = await queryMetric(collector.db, scope, 'exit', { limit: 3, offset: 1, search: 'PRIC' });
    expect(searched).toEqual(await queryMetric(collector.db, scope, 'exit', { limit: 3, offset: 1, search: 'PRIC', rollups: false }));
  });

  it('takes the last page in the range of visits that cross midnight (hand-computed)', async () => {
    expect(await builtDays(fixture, D, D + 2 * day)).toBe(2);
    // Both days: A left from /b (after midnight), B from /c, C from /e.
    expect(byPath(await exits(fixture, D, D + 2 * day - 1))).toEqual({ '/b': 1, '/c': 1, '/e': 1 });
    // Day D alone: A's last page in the range is /a.
    expect(byPath(await exits(fixture, D, D + day - 1))).toEqual({ '/a': 1, '/c': 1 });
    // Day D+1 alone: A entered and left on /b.
    expect(byPath(await exits(fixture, D + day, D + 2 * day - 1))).toEqual({ '/b': 1, '/e': 1 });
    // From noon on D (a partial first day, read from the events) to the end of D+1 (built).
    expect(byPath(await exits(fixture, D + day / 2, D + 2 * day - 1))).toEqual({ '/b': 1, '/e': 1 });
    // From D (built) to 00:05 on D+1 (partial): A's /b at 00:10 is outside.
    expect(byPath(await exits(fixture, D, D + day + 300_000))).toEqual({ '/a': 1, '/c': 1 });
  });

  it('reads the events for a day that received events after its build, until it is built again', async () => {
    // B comes back at 23:55 on D (same visit): the build of D, and of D+1 (whose first visits
    // may begin in D's last hour), no longer hold.
    await collector.db.insert({ table: 'website_event', format: 'JSONEachRow', values: [pageview(sB, vB, D + day - 300_000, '/late')] });
    await settle();
    expect(await builtDays(fixture, D - day, D + 3 * day)).toBe(2);
    const expected = { '/b': 1, '/late': 1, '/e': 1 };
    expect(byPath(await exits(fixture, D, D + 2 * day - 1))).toEqual(expected);
    // Two collectors rebuild at once: the newest build is read, nothing is counted twice.
    const runs = await Promise.all([new ExitRollup(collector.db).runOnce({ settleMs: 0 }), new ExitRollup(collector.db).runOnce({ settleMs: 0 })]);
    // (Each sees the days unbuilt when their queries interleave, as they do on one engine.)
    expect(runs.map((run) => run.built)).toEqual([2, 2]);
    expect(await builtDays(fixture, D - day, D + 3 * day)).toBe(4);
    expect(byPath(await exits(fixture, D, D + 2 * day - 1))).toEqual(expected);
    expect(byPath(await exits(fixture, D, D + day - 1))).toEqual({ '/a': 1, '/late': 1 });
    // The day before keeps its first build, whose id also named the replaced builds of D and D+1
    // (where B left from /c): those must not be read with it.
    expect(await builtDays(fixture, D - day, D)).toBe(1);
    expect(byPath(await exits(fixture, D - day, D + 2 * day - 1))).toEqual(expected);
  });

  it('deletes superseded builds once no query can still be using them', async () => {
    const builds = async () => {
      const result = await collector.db.query({ query: 'SELECT count() AS builds, uniqExact(day) AS days FROM exit_builds', format: 'JSONEachRow' });
      return (await result.json<{ builds: number; days: number }>())[0]!;
    };
    const before = await builds();
    expect(before.builds).toBeGreaterThan(before.days);
    const job = new ExitRollup(collector.db);
    expect((await job.runOnce()).deletedBuilds).toBe(0); // replaced just now: kept
    const later = await job.runOnce({ now: Date.now() + 20 * 60_000, settleMs: 20 * 60_000 });
    expect(later.deletedBuilds).toBeGreaterThan(0);
    const after = await builds();
    expect(after.builds).toBe(after.days);
    expect(byPath(await exits(fixture, D, D + 2 * day - 1))).toEqual({ '/b': 1, '/late': 1, '/e': 1 });
    expectSamePoints('after deleting', await exits(seeded, today - 12 * day, today - 1), await exits(seeded, today - 12 * day, today - 1, false));
  });

  it('reset empties the exits', async () => {
    const token = await collector.login();
    expect((await collector.request(`/api/websites/${fixture}/reset`, { method: 'POST', token })).status).toBe(200);
    expect(await exits(fixture, D, D + 2 * day - 1)).toEqual([]);
    const { rows } = await collector.db
      .query({ query: 'SELECT count() AS rows FROM daily_exits WHERE website_id = {fixture:UUID}', query_params: { fixture }, format: 'JSONEachRow' })
      .then((r) => r.json<{ rows: number }>())
      .then(([row]) => row!);
    expect(rows).toBe(0);
  });
});
