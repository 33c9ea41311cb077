import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEvents } from '../../../bench/seed-events';
import { removalDone, startTestCollector, type TestCollector } from '../../../test-support/collector';
import { expectSamePoints, expectSameStats } from '../../../test-support/same-answers';
import { VisitRollups, validBuilds } from '../storage/visit-rollups';
import { queryExpanded } from '../reads/expanded-query';
import { queryMetric } from '../reads/metric-query';
import type { Scope } from '../reads/query-vocabulary';
import { visitRollupsSplit, statsSource } from '../reads/rollup-choice';
import { journeys } from '../reads/journey-reads';
import { wholeDaysOf } from '../reads/whole-days';
import { queryStats } from '../reads/stats-query';
import { buildFilters } from '../reads/filters';

/**
 * The visit rollups (exit pages, and stats with one page filter; built by a job, not a view) must
 * answer as the events do: for visits wholly inside a day, for visits crossing midnight (their
 * last page in the range may be on either side), when events arrive for a day after it was
 * built, and when two collectors build the same days at once.
 */
let collector: TestCollector;
let seeded: string;
let fixture: string;
const day = 86_400_000;
const today = Math.floor(Date.now() / day) * day;
const D = today - 5 * day; // a past day of the fixture

const exits = (websiteId: string, startAt: number, endAt: number, rollups = true) =>
  queryMetric(collector.db, { websiteId, startAt, endAt, filter: buildFilters({}), eventsOnly: !rollups }, 'exit', { limit: 1000, offset: 0 });
const stats = (websiteId: string, startAt: number, endAt: number, filters: Record<string, string>, rollups = true) =>
  queryStats(collector.db, { websiteId, startAt, endAt, filter: buildFilters(filters), eventsOnly: !rollups });
/** Journeys of `steps` over a range, from the built days (`rollups`) or the events alone; whether the rollups were used. */
const journeysOf = async (websiteId: string, startAt: number, endAt: number, steps: number, rollups = true) => {
  const filter = buildFilters({});
  const split = rollups ? await visitRollupsSplit(collector.db, { websiteId, startAt, endAt, filter }) : null;
  const answer = await journeys(collector.db, { websiteId, startAt, endAt, filter, steps, split });
  return { answer, usedRollups: split !== null };
};
const byPath = (points: { x: string; y: number }[]) => Object.fromEntries(points.map((p) => [p.x, p.y]));
const builtDays = async (websiteId: string, from: number, to: number) => (await validBuilds(collector.db, websiteId, from, to)).size;
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

// Five visitors, one visit each: A crosses midnight (/a at 23:50, /b at 00:10); B is inside day
// D (/c at 10:00); C inside D+1 (/d then /e at 05:00 and 05:10); E inside D (/c twice, 12:00 and
// 12:05); F crosses midnight on one page (/m at 23:55 and 00:05).
const [sA, sB, sC, sE, sF] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
const [vA, vB, vC, vE, vF] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];

beforeAll(async () => {
  collector = await startTestCollector({ VISIT_ROLLUP_INTERVAL_MS: '0' });
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
      pageview(sE, vE, D + 43_200_000, '/c'),
      pageview(sE, vE, D + 43_500_000, '/c'),
      pageview(sF, vF, D + day - 300_000, '/m'),
      pageview(sF, vF, D + day + 300_000, '/m'),
    ],
  });
  await settle();
});
afterAll(() => collector?.destroy());

describe('visit rollups', () => {
  it('builds every past day, and then nothing until events arrive', async () => {
    const job = new VisitRollups(collector.db);
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
      // Stats with one eq. filter on each page attribute the rollup keeps, for its commonest values.
      for (const [name, metric] of [
        ['path', 'path'],
        ['title', 'title'],
        ['referrer', 'referrer'],
      ] as const) {
        const top = await queryMetric(collector.db, { websiteId: seeded, startAt, endAt, filter: buildFilters({}) }, metric, { limit: 2, offset: 0 });
        for (const { x } of top) {
          const filters = { [name]: `eq.${x}` };
          const source = await statsSource(collector.db, { websiteId: seeded, startAt, endAt, filter: buildFilters(filters) });
          expect(source.rollup).toBe(wholeDaysOf({ startAt, endAt }) ? 'daily_page_stats' : null);
          const fromRollup = await stats(seeded, startAt, endAt, filters);
          expect(fromRollup.pageviews).toBeGreaterThan(0);
          expectSameStats(`${label} ${name}=${x}`, fromRollup, await stats(seeded, startAt, endAt, filters, false));
        }
      }
      // Expanded metrics of paths and titles: each value's figures as the events give them.
      for (const type of ['path', 'title'] as const) {
        const expanded = (rollups: boolean) =>
          queryExpanded(collector.db, { websiteId: seeded, startAt, endAt, filter: buildFilters({}), eventsOnly: !rollups }, type, {
            limit: 1000,
            offset: 0,
            search: '',
          });
        const [fromRollups, fromEvents] = [await expanded(true), await expanded(false)];
        expect(fromRollups.length).toBeGreaterThan(0);
        expect(fromRollups.map((row) => row.name).sort()).toEqual(fromEvents.map((row) => row.name).sort());
        const byName = new Map(fromEvents.map(({ name, ...figures }) => [name, figures]));
        for (const { name, ...figures } of fromRollups) expectSameStats(`${label} expanded ${type} ${name}`, figures, byName.get(name)!);
      }
    }
    const scope: Scope = { websiteId: seeded, startAt: today - 12 * day, endAt: today - 1, filter: buildFilters({}) };
    for (const [label, startAt, endAt] of ranges) {
      for (const steps of [2, 5, 7]) {
        const fromRollup = await journeysOf(seeded, startAt, endAt, steps);
        expect(fromRollup.usedRollups, label).toBe(wholeDaysOf({ startAt, endAt }) !== null);
        expect(fromRollup.answer.length).toBeGreaterThan(0);
        expect({ label, steps, paths: fromRollup.answer }).toEqual({ label, steps, paths: (await journeysOf(seeded, startAt, endAt, steps, false)).answer });
      }
    }
    const searched = await queryMetric(collector.db, scope, 'exit', { limit: 3, offset: 1, search: 'PRIC' });
    expect(searched).toEqual(await queryMetric(collector.db, { ...scope, eventsOnly: true }, 'exit', { limit: 3, offset: 1, search: 'PRIC' }));
  });

  it('takes the last page in the range of visits that cross midnight (hand-computed)', async () => {
    expect(await builtDays(fixture, D, D + 2 * day)).toBe(2);
    // Both days: A left from /b (after midnight), B and E from /c, C from /e, F from /m.
    expect(byPath(await exits(fixture, D, D + 2 * day - 1))).toEqual({ '/b': 1, '/c': 2, '/e': 1, '/m': 1 });
    // Day D alone: A's last page in the range is /a.
    expect(byPath(await exits(fixture, D, D + day - 1))).toEqual({ '/a': 1, '/c': 2, '/m': 1 });
    // Day D+1 alone: A entered and left on /b.
    expect(byPath(await exits(fixture, D + day, D + 2 * day - 1))).toEqual({ '/b': 1, '/e': 1, '/m': 1 });
    // From 12:10 on D (a partial first day, read from the events) to the end of D+1 (built).
    expect(byPath(await exits(fixture, D + 44_000_000, D + 2 * day - 1))).toEqual({ '/b': 1, '/e': 1, '/m': 1 });
    // From D (built) to 00:05 on D+1 (partial, end included): A's /b at 00:10 is outside.
    expect(byPath(await exits(fixture, D, D + day + 300_000))).toEqual({ '/a': 1, '/c': 2, '/m': 1 });
  });

  it('puts together the journeys of visits that cross midnight (hand-computed)', async () => {
    const paths = async (startAt: number, endAt: number) => {
      const { answer, usedRollups } = await journeysOf(fixture, startAt, endAt, 3);
      expect(usedRollups).toBe(true);
      return answer.map((path) => `${path.items.join(' ')} ×${path.count}`).sort();
    };
    // Both days: A went /a then /b across midnight; B saw /c, E /c twice (shown as one step); F
    // stayed on /m across midnight.
    expect(await paths(D, D + 2 * day - 1)).toEqual(['/a /b ×1', '/c ×1', '/c ×1', '/d /e ×1', '/m ×1']);
    // Day D+1 alone: A's journey in the range starts at /b.
    expect(await paths(D + day, D + 2 * day - 1)).toEqual(['/b ×1', '/d /e ×1', '/m ×1']);
    // From 12:03 on D (partial, from the events) on: B's /c is before it, E's second /c inside.
    expect(await paths(D + 43_380_000, D + 2 * day - 1)).toEqual(['/a /b ×1', '/c ×1', '/d /e ×1', '/m ×1']);
  });

  it('counts stats filtered on one page as the events do (hand-computed)', async () => {
    const filtered = async (startAt: number, endAt: number, path: string) => {
      const fromRollup = await stats(fixture, startAt, endAt, { path });
      expect({ path, startAt, stats: fromRollup }).toEqual({ path, startAt, stats: await stats(fixture, startAt, endAt, { path }, false) });
      return fromRollup;
    };
    // /c: B once (a bounce), E twice 300 s apart.
    expect(await filtered(D, D + 2 * day - 1, '/c')).toEqual({ pageviews: 3, visitors: 2, visits: 2, bounces: 1, totaltime: 300 });
    // /m: F's visit crosses midnight, 600 s on the page over both days, one view on each alone.
    expect(await filtered(D, D + 2 * day - 1, 'eq./m')).toEqual({ pageviews: 2, visitors: 1, visits: 1, bounces: 0, totaltime: 600 });
    expect(await filtered(D, D + day - 1, '/m')).toEqual({ pageviews: 1, visitors: 1, visits: 1, bounces: 1, totaltime: 0 });
    expect(await filtered(D + day, D + 2 * day - 1, '/m')).toEqual({ pageviews: 1, visitors: 1, visits: 1, bounces: 1, totaltime: 0 });
    // Expanded metrics over both days: /m is one visit of 600 s; over D+1 alone a bounce.
    const expanded = (startAt: number, endAt: number) =>
      queryExpanded(collector.db, { websiteId: fixture, startAt, endAt, filter: buildFilters({}) }, 'path', { limit: 100, offset: 0, search: 'm' });
    expect(await expanded(D, D + 2 * day - 1)).toEqual([{ name: '/m', pageviews: 2, visitors: 1, visits: 1, bounces: 0, totaltime: 600 }]);
    expect(await expanded(D + day - 3_600_000, D + 2 * day - 1)).toEqual([{ name: '/m', pageviews: 2, visitors: 1, visits: 1, bounces: 0, totaltime: 600 }]);
    expect(await expanded(D + day, D + 2 * day - 1)).toEqual([{ name: '/m', pageviews: 1, visitors: 1, visits: 1, bounces: 1, totaltime: 0 }]);
    // From 23:00 on D (read from the events) through D+1 (built): F's two views meet again.
    expect(await filtered(D + day - 3_600_000, D + 2 * day - 1, '/m')).toEqual({ pageviews: 2, visitors: 1, visits: 1, bounces: 0, totaltime: 600 });
    expect(await filtered(D, D + 2 * day - 1, '/nowhere')).toEqual({ pageviews: 0, visitors: 0, visits: 0, bounces: 0, totaltime: 0 });
    // Over HTTP, where the range and its comparison period share one look-up of the builds.
    const token = await collector.login();
    const response = await collector.request(`/api/websites/${fixture}/stats?startAt=${D + day}&endAt=${D + 2 * day - 1}&path=eq./m`, { token });
    expect(await response.json()).toEqual({
      pageviews: 1,
      visitors: 1,
      visits: 1,
      bounces: 1,
      totaltime: 0,
      comparison: { pageviews: 1, visitors: 1, visits: 1, bounces: 1, totaltime: 0 },
    });
  });

  it('reads the events for a day that received events after its build, until it is built again', async () => {
    // B comes back at 23:55 on D (same visit): the build of D, and of D+1 (whose first visits
    // may begin in D's last hour), no longer hold.
    await collector.db.insert({ table: 'website_event', format: 'JSONEachRow', values: [pageview(sB, vB, D + day - 300_000, '/late')] });
    await settle();
    expect(await builtDays(fixture, D - day, D + 3 * day)).toBe(2);
    const expected = { '/b': 1, '/late': 1, '/c': 1, '/e': 1, '/m': 1 };
    expect(byPath(await exits(fixture, D, D + 2 * day - 1))).toEqual(expected);
    // Two collectors rebuild at once: the newest build is read, nothing is counted twice.
    const runs = await Promise.all([new VisitRollups(collector.db).runOnce({ settleMs: 0 }), new VisitRollups(collector.db).runOnce({ settleMs: 0 })]);
    // (Each sees the days unbuilt when their queries interleave, as they do on one engine.)
    expect(runs.map((run) => run.built)).toEqual([2, 2]);
    expect(await builtDays(fixture, D - day, D + 3 * day)).toBe(4);
    expect(byPath(await exits(fixture, D, D + 2 * day - 1))).toEqual(expected);
    expect(byPath(await exits(fixture, D, D + day - 1))).toEqual({ '/a': 1, '/late': 1, '/c': 1, '/m': 1 });
    expect(await stats(fixture, D, D + 2 * day - 1, { path: '/c' })).toEqual({ pageviews: 3, visitors: 2, visits: 2, bounces: 1, totaltime: 300 });
    expect(await stats(fixture, D, D + 2 * day - 1, { path: '/late' })).toEqual({ pageviews: 1, visitors: 1, visits: 1, bounces: 1, totaltime: 0 });
    // The day before keeps its first build, whose id also named the replaced builds of D and D+1
    // (where B left from /c): those must not be read with it.
    expect(await builtDays(fixture, D - day, D)).toBe(1);
    expect(byPath(await exits(fixture, D - day, D + 2 * day - 1))).toEqual(expected);
  });

  it('deletes superseded builds once no query can still be using them', async () => {
    const builds = async () => {
      const result = await collector.db.query({ query: 'SELECT count() AS builds, uniqExact(day) AS days FROM rollup_builds', format: 'JSONEachRow' });
      return (await result.json<{ builds: number; days: number }>())[0]!;
    };
    const before = await builds();
    expect(before.builds).toBeGreaterThan(before.days);
    const job = new VisitRollups(collector.db);
    expect((await job.runOnce()).deletedBuilds).toBe(0); // replaced just now: kept
    const later = await job.runOnce({ now: Date.now() + 20 * 60_000, settleMs: 20 * 60_000 });
    expect(later.deletedBuilds).toBeGreaterThan(0);
    const after = await builds();
    expect(after.builds).toBe(after.days);
    expect(byPath(await exits(fixture, D, D + 2 * day - 1))).toEqual({ '/b': 1, '/late': 1, '/c': 1, '/e': 1, '/m': 1 });
    expectSamePoints('after deleting', await exits(seeded, today - 12 * day, today - 1), await exits(seeded, today - 12 * day, today - 1, false));
  });

  it('runs on its timer until stopped, rebuilding a day that events reached', async () => {
    await collector.db.insert({ table: 'website_event', format: 'JSONEachRow', values: [pageview(sB, randomUUID(), D - 2 * day + 3_600_000, '/again')] });
    await settle();
    expect(await builtDays(fixture, D - 2 * day, D - day)).toBe(0);
    const errors: unknown[] = [];
    const job = new VisitRollups(collector.db, { settleMs: 0 });
    job.start(20, (error) => errors.push(error));
    for (let waited = 0; waited < 10_000 && (await builtDays(fixture, D - 2 * day, D - day)) === 0; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await job.stop();
    expect(errors).toEqual([]);
    expect(await builtDays(fixture, D - 2 * day, D - day)).toBe(1);
    expect(byPath(await exits(fixture, D - 2 * day, D - day - 1))).toEqual({ '/again': 1 });
  });

  it('reset empties the rollups, and no build from before it is used again', async () => {
    const token = await collector.login();
    const before = await validBuilds(collector.db, fixture, D, D + 2 * day);
    expect(before.size).toBe(2);
    expect((await collector.request(`/api/websites/${fixture}/reset`, { method: 'POST', token })).status).toBe(200);
    await removalDone(collector.db, fixture);
    const count = async (table: string) => {
      const result = await collector.db.query({
        query: `SELECT count() AS n FROM ${table} WHERE website_id = {fixture:UUID}`,
        query_params: { fixture },
        format: 'JSONEachRow',
      });
      return (await result.json<{ n: number }>())[0]!.n;
    };
    for (const table of ['daily_exits', 'daily_exit_visits', 'daily_page_stats', 'daily_page_visits'])
      expect({ table, rows: await count(table) }).toEqual({ table, rows: 0 });
    // A build that read the events just before the reset writes its rows just after it:
    await collector.db.command({
      query: `INSERT INTO daily_exits SELECT {fixture:UUID}, {day:Date}, {build:UInt64}, '/stale', uniqCombinedState(12)({session:UUID})`,
      query_params: { fixture, day: new Date(D).toISOString().slice(0, 10), build: before.get(D), session: sA },
    });
    expect(await count('daily_exits')).toBe(1);
    expect(await validBuilds(collector.db, fixture, D, D + 2 * day)).toEqual(new Map());
    expect(await exits(fixture, D, D + 2 * day - 1)).toEqual([]);
    expect(await stats(fixture, D, D + 2 * day - 1, { path: '/c' })).toEqual({ pageviews: 0, visitors: 0, visits: 0, bounces: 0, totaltime: 0 });
    // The job builds the days again, empty for this website.
    await settle();
    expect((await new VisitRollups(collector.db).runOnce({ settleMs: 0 })).built).toBeGreaterThanOrEqual(2);
    expect((await validBuilds(collector.db, fixture, D, D + 2 * day)).size).toBe(2);
    expect(await exits(fixture, D, D + 2 * day - 1)).toEqual([]);
    // daterange does not take the emptied hours for the website's first and last.
    expect((await collector.request(`/api/websites/${fixture}/daterange`, { token }).then((r) => r.json())) as unknown).toEqual({
      startDate: null,
      endDate: null,
    });
    await collector.db.insert({ table: 'website_event', format: 'JSONEachRow', values: [pageview(sA, randomUUID(), D + 7_200_000, '/new')] });
    expect((await collector.request(`/api/websites/${fixture}/daterange`, { token }).then((r) => r.json())) as unknown).toEqual({
      startDate: new Date(D + 7_200_000).toISOString(),
      endDate: new Date(D + 7_200_000).toISOString(),
    });
  });
});
