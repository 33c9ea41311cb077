import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';
import { startPostgres, type TestPostgres } from '../../../test-support/postgres';
import { generateHistory, loadHistory, type UmamiHistory, type UmamiVersion } from '../../../test-support/umami-database';
import { parseDatabaseUrl } from '../import/umami-source';
import { rows } from './client';
import { importUmami, type ImportOptions } from './umami-import';

/**
 * Importing an Umami PostgreSQL database (a real PostgreSQL from Debian's package, Umami's v2
 * and v3 schemas, a generated history with hostile strings): our API's answers for the imported
 * days equal a plain reading of the rows loaded; an interrupted import resumes without doubles,
 * and a second run adds nothing.
 */
const day = 86_400_000;
const endDay = Math.floor(Date.now() / day) * day;
let collector: TestCollector;
let token: string;
let admin: string;
const databases: TestPostgres[] = [];

beforeAll(async () => {
  collector = await startTestCollector();
  token = await collector.login();
  const me = (await (await collector.request('/api/auth/verify', { token })).json()) as { id: string };
  admin = me.id;
});
afterAll(async () => {
  await collector?.destroy();
  for (const pg of databases) await pg.stop();
});

async function umamiDatabase(version: UmamiVersion, seed: number): Promise<{ pg: TestPostgres; history: UmamiHistory }> {
  const pg = await startPostgres(`umami_${version}_${seed}`);
  databases.push(pg);
  const history = generateHistory(seed, { endDay });
  loadHistory(pg, version, history);
  return { pg, history };
}

const options = (pg: TestPostgres, extra: Partial<ImportOptions> = {}): ImportOptions => ({
  source: parseDatabaseUrl(pg.url),
  adopt: (website) => collector.websites.adopt(admin, website),
  ...extra,
});

const api = (path: string) => collector.read(path, token);

const range = `startAt=${endDay - 8 * day}&endAt=${endDay - 1}`;
const tally = (keys: string[]) => {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
};
const distinctBy = <T>(items: T[], key: (item: T) => string) => {
  const sets = new Map<string, Set<string>>();
  return (value: (item: T) => string) => {
    sets.clear();
    for (const item of items) sets.set(key(item), (sets.get(key(item)) ?? new Set()).add(value(item)));
    return new Map([...sets].map(([k, v]) => [k, v.size]));
  };
};

/** Every figure we check, for one website, from our API and from the generated rows. */
async function expectSameFigures(history: UmamiHistory, version: UmamiVersion) {
  for (const website of history.websites) {
    const site = `/api/websites/${website.id}`;
    if (website.deleted) {
      expect((await collector.request(site, { token })).status, 'a website deleted in Umami is not imported').toBe(404);
      continue;
    }
    const events = history.events.filter((e) => e.websiteId === website.id);
    const pageviews = events.filter((e) => e.type === 1);
    const custom = events.filter((e) => e.type === 2);
    const visits = new Map<string, number[]>();
    for (const e of pageviews) visits.set(e.visitId, [...(visits.get(e.visitId) ?? []), e.createdAt]);
    const label = `${version} ${website.name}`;
    expect({ label, stats: await api(`${site}/stats?${range}`) }).toMatchObject({
      label,
      stats: {
        pageviews: pageviews.length,
        visitors: new Set(pageviews.map((e) => e.sessionId)).size,
        visits: visits.size,
        bounces: [...visits.values()].filter((times) => times.length === 1).length,
        totaltime: Math.floor([...visits.values()].reduce((n, times) => n + Math.max(...times) - Math.min(...times), 0) / 1000),
      },
    });
    const pairs = (body: { x: string; y: number }[]) => new Map(body.map((p) => [p.x, p.y]));
    expect(pairs(await api(`${site}/metrics?${range}&type=path`))).toEqual(distinctBy(pageviews, (e) => e.path)((e) => e.sessionId));
    expect(pairs(await api(`${site}/metrics?${range}&type=title`))).toEqual(distinctBy(pageviews, (e) => e.title)((e) => e.sessionId));
    expect(pairs(await api(`${site}/metrics?${range}&type=event`))).toEqual(tally(custom.map((e) => e.name)));
    const sessionOf = new Map(history.sessions.map((s) => [s.sessionId, s]));
    expect(pairs(await api(`${site}/metrics?${range}&type=browser`))).toEqual(
      distinctBy(pageviews, (e) => sessionOf.get(e.sessionId)!.browser)((e) => e.sessionId),
    );
    const landed = pageviews.filter((e) => e.utmSource !== '');
    expect(pairs(await api(`${site}/metrics?${range}&type=utmSource`))).toEqual(distinctBy(landed, (e) => e.utmSource)((e) => e.sessionId));
    const withData = custom.filter((e) => e.data);
    const fields = await api(`${site}/event-data/fields?${range}`);
    expect(new Map(fields.map((f: any) => [f.propertyName, f.total]))).toEqual(tally(withData.flatMap((e) => Object.keys(e.data!))));
    for (const f of fields) expect(f.dataType, f.propertyName).toBe({ plan: 1, amount: 2, paid: 3, tags: 5 }[f.propertyName as 'plan']);
    const values = await api(`${site}/event-data/values?${range}&propertyName=plan`);
    expect(new Map(values.map((v: any) => [v.value, v.total]))).toEqual(tally(withData.map((e) => String(e.data!.plan))));
    // Visitor data: the identified sessions active in the range.
    const active = new Set(events.map((e) => e.sessionId));
    const identified = history.sessions.filter((s) => s.websiteId === website.id && s.identify && active.has(s.sessionId));
    const properties = await api(`${site}/session-data/properties?${range}`);
    expect(new Map(properties.map((p: any) => [p.propertyName, p.total]))).toEqual(tally(identified.flatMap((s) => Object.keys(s.identify!))));
    if (version === 'v3') {
      // Ad click ids are put back into the landing page's query; distinct ids tie sessions.
      const [clicks] = await rows<{ n: number }>(
        collector.db,
        "SELECT count() AS n FROM website_event WHERE website_id = {id:UUID} AND extractURLParameter(concat('?', url_query), 'gclid') != ''",
        { id: website.id },
      );
      expect(Number(clicks?.n)).toBe(events.filter((e) => e.gclid !== '' && e.type !== 3).length);
      const someone = history.sessions.find((s) => s.websiteId === website.id && s.distinctId !== '' && pageviews.some((e) => e.sessionId === s.sessionId));
      if (someone) {
        const tied = new Set(history.sessions.filter((s) => s.websiteId === website.id && s.distinctId === someone.distinctId).map((s) => s.sessionId));
        const stats = await api(`${site}/stats?${range}&distinctId=${encodeURIComponent(someone.distinctId)}`);
        expect(stats.visitors).toBe(new Set(pageviews.filter((e) => tied.has(e.sessionId)).map((e) => e.sessionId)).size);
      }
    }
  }
}

const storedEvents = async (history: UmamiHistory) => {
  const [row] = await rows<{ n: number; ids: number }>(
    collector.db,
    'SELECT count() AS n, uniqExact(event_id) AS ids FROM website_event WHERE website_id IN {ids:Array(UUID)}',
    { ids: history.websites.map((w) => w.id) },
  );
  return { rows: Number(row?.n), distinct: Number(row?.ids) };
};

describe('import from an Umami PostgreSQL database', () => {
  for (const [version, seed] of [
    ['v3', 3],
    ['v2', 2],
  ] as const) {
    it(`brings an Umami ${version} database's websites, events, event data and visitor data, with the same figures`, { timeout: 120_000 }, async () => {
      const { pg, history } = await umamiDatabase(version, seed);
      const summary = await importUmami(collector.db, options(pg));
      const kept = history.events.filter((e) => e.type !== 3 && !history.websites.find((w) => w.id === e.websiteId)!.deleted);
      expect(summary.websites.map((w) => w.created)).toEqual([true, true]);
      expect(summary.events).toBe(kept.length);
      expect(await storedEvents(history)).toEqual({ rows: kept.length, distinct: kept.length });
      await expectSameFigures(history, version);
    });
  }

  it('resumes an interrupted import without doubles, redoes a day left half-written, and adds nothing when run again', { timeout: 180_000 }, async () => {
    const { pg, history } = await umamiDatabase('v3', 7);
    const kept = history.events.filter((e) => e.type !== 3 && !history.websites.find((w) => w.id === e.websiteId)!.deleted);
    // Stopped after the second chunk of about one day each.
    const stop = new AbortController();
    let chunks = 0;
    const first = await importUmami(
      collector.db,
      options(pg, {
        chunkEvents: 1,
        signal: stop.signal,
        onProgress: () => {
          if (++chunks === 2) stop.abort();
        },
      }),
    );
    expect(first.events).toBeGreaterThan(0);
    expect(first.events).toBeLessThan(kept.length);
    expect((await storedEvents(history)).rows).toBe(first.events);

    const second = await importUmami(collector.db, options(pg, { chunkEvents: 1 }));
    expect(second.daysDone).toBe(2);
    expect(await storedEvents(history)).toEqual({ rows: kept.length, distinct: kept.length });
    await expectSameFigures(history, 'v3');

    // A day marked started but not done (a run killed mid-insert): its rows are replaced, not doubled.
    const [firstDay] = await rows<{ day: string; website: string }>(
      collector.db,
      'SELECT toString(day) AS day, toString(website_id) AS website FROM import_progress FINAL ORDER BY day LIMIT 1',
    );
    await collector.db.insert({
      table: 'import_progress',
      values: [{ source: first.source, website_id: firstDay!.website, day: firstDay!.day, state: 'started', events: 0, at: Date.now() }],
      format: 'JSONEachRow',
    });
    const third = await importUmami(collector.db, options(pg));
    expect(third.websites.map((w) => w.created)).toEqual([false, false]);
    expect(await storedEvents(history)).toEqual({ rows: kept.length, distinct: kept.length });
    await expectSameFigures(history, 'v3');
  });
});
