import { afterAll, describe, expect, it } from 'vitest';
import { seedEvents } from '../../../bench/seed-events';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';
import { rows } from '../storage/client';
import { zipStream } from '../shared/zip-stream';

/**
 * Plausible's CSV export imported (issue 28): a website exported from one instance and imported
 * into a fresh one gives the same daily figures (totals, the chart, the ranked lists) with
 * `imported=true`; an archive as Plausible writes it (its names, BOM, CRLF, quoted fields) reads
 * as its CSV sums say; importing twice changes nothing; a bad archive or line is a 400 that
 * imports nothing.
 */
const day = 86_400_000;
const today = Math.floor(Date.now() / day) * day;
let collector: TestCollector | undefined;
afterAll(() => collector?.destroy());

/** The lists whose imported visitors are exact: the export's files group them by that value alone. */
const exactTypes = ['path', 'entry', 'exit', 'browser', 'os', 'device', 'country', 'event'] as const;
/** The lists whose imported visitors are the sum of the sources file's rows (as Plausible sums them). */
const summedTypes = ['referrer', 'utmSource'] as const;

type Point = { x: string; y: number };
type Answers = Record<string, unknown>;
interface Event {
  session_id: string;
  visit_id: string;
  at: number;
  event_type: number;
  event_name: string;
  url_path: string;
  browser: string;
  os: string;
  device: string;
  country: string;
}

const ranked = (counts: Map<string, number>): Point[] =>
  [...counts].map(([x, y]) => ({ x, y })).sort((a, b) => b.y - a.y || (a.x < b.x ? -1 : a.x > b.x ? 1 : 0));

/** Per UTC day, each exact list as the export's files hold it, computed here from the raw events. */
function reference(events: Event[], from: number): Record<(typeof exactTypes)[number], Point[]> {
  const inDay = events.filter((e) => e.at >= from && e.at < from + day);
  const views = inDay.filter((e) => e.event_type === 1);
  const visitorsBy = (pick: (e: Event) => string, of: Event[]) => {
    const sessions = new Map<string, Set<string>>();
    for (const e of of) {
      const key = pick(e);
      if (!sessions.has(key)) sessions.set(key, new Set());
      sessions.get(key)!.add(e.session_id);
    }
    return ranked(new Map([...sessions].map(([x, set]) => [x, set.size])));
  };
  const visits = new Map<string, Event[]>();
  for (const e of views) visits.set(e.visit_id, [...(visits.get(e.visit_id) ?? []), e]);
  const ends = [...visits.values()].map((v) => v.sort((a, b) => a.at - b.at));
  const events_ = new Map<string, number>();
  for (const e of inDay.filter((e) => e.event_type === 2)) events_.set(e.event_name, (events_.get(e.event_name) ?? 0) + 1);
  return {
    path: visitorsBy((e) => e.url_path, views),
    entry: visitorsBy(
      (e) => e.url_path,
      ends.map((v) => v[0]!),
    ),
    exit: visitorsBy(
      (e) => e.url_path,
      ends.map((v) => v.at(-1)!),
    ),
    browser: visitorsBy((e) => e.browser, views),
    os: visitorsBy((e) => e.os, views),
    device: visitorsBy((e) => e.device, views),
    country: visitorsBy((e) => e.country, views),
    event: ranked(events_),
  };
}

/** Per UTC day of the seed: the stats, the day's bucket of the chart, and each ranked list. */
async function dailyAnswers(c: TestCollector, token: string, site: string, days: number[], extra: string): Promise<Answers> {
  const answers: Answers = {};
  for (const from of days) {
    const range = `startAt=${from}&endAt=${from + day - 1}${extra}`;
    const get = async (path: string) => {
      const response = await c.request(`/api/websites/${site}/${path}`, { token });
      expect(response.status, path).toBe(200);
      return response.json();
    };
    const { comparison: _, ...stats } = (await get(`stats?${range}`)) as Record<string, unknown>;
    const series = (await get(`pageviews?${range}&unit=day&timezone=UTC`)) as { pageviews: Point[]; sessions: Point[] };
    answers[`${from} stats`] = stats;
    answers[`${from} pageviews`] = series.pageviews;
    answers[`${from} sessions`] = series.sessions;
    for (const type of [...exactTypes, ...summedTypes, 'hostname']) answers[`${from} ${type}`] = await get(`metrics?${range}&type=${type}&limit=500`);
  }
  return answers;
}

/** Native lists count visitors with uniqCombined(12) (about 1.6% off); an imported sum counts a visitor once per row. */
function near(imported: Point[], native: Point[], label: string) {
  expect(imported.map((p) => p.x).sort(), label).toEqual(native.map((p) => p.x).sort());
  const nativeY = new Map(native.map((p) => [p.x, p.y]));
  for (const p of imported) expect(Math.abs(p.y - nativeY.get(p.x)!), `${label} ${p.x}`).toBeLessThanOrEqual(Math.max(3, nativeY.get(p.x)! * 0.15));
}

async function* text(content: string) {
  yield content;
}
const archiveOf = async (files: Record<string, string>) => {
  const chunks: Buffer[] = [];
  for await (const chunk of zipStream(Object.entries(files).map(([name, content]) => ({ name, chunks: text(content) })))) chunks.push(chunk);
  return Buffer.concat(chunks);
};
const upload = (c: TestCollector, token: string, site: string, body: Buffer, type = 'application/zip') =>
  c.request(`/api/websites/${site}/import/plausible`, { method: 'POST', token, body: new Uint8Array(body), headers: { 'content-type': type } });

describe('importing Plausible’s export', () => {
  it('round-trips: exported, imported into a fresh instance, the same daily figures', { timeout: 240_000 }, async () => {
    collector = await startTestCollector();
    let token = await collector.login();
    const source = await collector.createWebsite(token, 'source');
    await seedEvents(collector.db, source, { events: 3_000, days: 3, now: today - 3600_000 });
    const days = [today - 3 * day, today - 2 * day, today - day];
    const native = await dailyAnswers(collector, token, source, days, '');
    const events = await rows<Event>(
      collector.db,
      `SELECT toString(session_id) AS session_id, toString(visit_id) AS visit_id, toUnixTimestamp64Milli(created_at) AS at, event_type, event_name,
         url_path, browser, os, device, country FROM website_event WHERE website_id = {site:UUID}`,
      { site: source },
    );
    for (const e of events) e.at = Number(e.at);
    const exported = await collector.request(`/api/websites/${source}/export/plausible?startAt=${days[0]}&endAt=${today - 1}`, { token });
    expect(exported.status).toBe(200);
    const archive = Buffer.from(await exported.arrayBuffer());
    await collector.destroy();

    collector = await startTestCollector({ IMPORT_MAX_MB: '1' });
    token = await collector.login();
    const site = await collector.createWebsite(token, 'moved in');
    const imported = await upload(collector, token, site, archive);
    expect(imported.status).toBe(200);
    const summary = (await imported.json()) as { files: { table: string; rows: number }[]; skipped: string[] };
    expect(summary.files.map((f) => f.table).sort()).toEqual(
      ['browsers', 'custom_events', 'devices', 'entry_pages', 'exit_pages', 'locations', 'operating_systems', 'pages', 'sources', 'visitors'].sort(),
    );
    expect(summary.skipped).toEqual(['website_event.csv']);
    const check = async () => {
      const moved = await dailyAnswers(collector!, token, site, days, '&imported=true');
      for (const from of days) {
        // The day's figures: equal to the source's.
        expect(moved[`${from} stats`], 'stats').toEqual(native[`${from} stats`]);
        expect(moved[`${from} pageviews`], 'pageviews').toEqual(native[`${from} pageviews`]);
        const visitors = (native[`${from} stats`] as { visitors: number }).visitors;
        expect(moved[`${from} sessions`], 'sessions').toEqual([{ x: (native[`${from} pageviews`] as Point[])[0]!.x, y: visitors }]);
        // Lists: exact against the reference, near the source's own (approximate) answers.
        const exact = reference(events, from);
        for (const type of exactTypes) {
          expect(moved[`${from} ${type}`], type).toEqual(exact[type]);
          near(moved[`${from} ${type}`] as Point[], native[`${from} ${type}`] as Point[], type);
        }
        for (const type of summedTypes) near(moved[`${from} ${type}`] as Point[], native[`${from} ${type}`] as Point[], type);
        // Hostnames cannot be summed from pages: none imported.
        expect(moved[`${from} hostname`]).toEqual([]);
      }
    };
    await check();
    // Twice: the same figures, not twice them.
    expect((await upload(collector, token, site, archive)).status).toBe(200);
    await check();

    // Without imported=true, and under a filter, the answers are the site's own: none.
    const all = `startAt=${days[0]}&endAt=${today - 1}`;
    const stats = async (query: string) =>
      (await (await collector!.request(`/api/websites/${site}/stats?${query}`, { token })).json()) as { pageviews: number };
    expect((await stats(all)).pageviews).toBe(0);
    expect((await stats(`${all}&imported=true&browser=eq.chrome`)).pageviews).toBe(0);
    const total = (native[`${days[0]} stats`] as { pageviews: number }).pageviews;
    expect((await stats(`${all}&imported=true`)).pageviews).toBeGreaterThan(total);
    // The chart marks the imported buckets.
    const chart = (await (await collector.request(`/api/websites/${site}/pageviews?${all}&unit=day&timezone=UTC&imported=true`, { token })).json()) as {
      imported: { pageviews: { x: string; y: number }[] };
    };
    expect(chart.imported.pageviews.map((p) => p.x)).toEqual(days.map((d) => `${new Date(d).toISOString().slice(0, 10)} 00:00:00`));

    // What is imported, and its removal.
    const listed = (await (await collector.request(`/api/websites/${site}/imported`, { token })).json()) as { data: { source: string; days: number }[] };
    expect(listed.data).toMatchObject([{ source: 'plausible', days: 3 }]);
    expect((await collector.request(`/api/websites/${site}/imported`, { method: 'DELETE', token })).status).toBe(200);
    expect((await stats(`${all}&imported=true`)).pageviews).toBe(0);
    expect(((await (await collector.request(`/api/websites/${site}/imported`, { token })).json()) as { data: unknown[] }).data).toEqual([]);
  });

  it('reads an archive as Plausible writes it, and refuses a bad one with a 400 that imports nothing', { timeout: 120_000 }, async () => {
    collector ??= await startTestCollector({ IMPORT_MAX_MB: '1' });
    const token = await collector.login();
    const site = await collector.createWebsite(token, 'from plausible');
    const plausible = await archiveOf({
      'imported_visitors_20240301_20240302.csv':
        '\ufeffdate,visitors,pageviews,bounces,visits,visit_duration\r\n2024-03-01,10,30,4,12,600\r\n2024-03-02,5,9,1,6,120\r\n',
      'imported_devices_20240301_20240302.csv':
        'date,device,visitors,visits,visit_duration,bounces,pageviews\n2024-03-01,Desktop,7,8,400,2,20\n2024-03-01,Mobile,3,4,200,2,10\n2024-03-02,Desktop,5,6,120,1,9\n',
      'imported_sources_20240301_20240302.csv':
        'date,source,referrer,utm_source,utm_medium,utm_campaign,utm_content,utm_term,pageviews,visitors,visits,visit_duration,bounces\n' +
        '2024-03-01,Direct / None,,,,,,,10,4,5,100,2\n2024-03-01,Hacker News,news.ycombinator.com/item,,,,,,20,6,7,500,2\n' +
        '2024-03-02,"Some, Site",some.example/a,"camp ""x""",,,,,9,5,6,120,1\n',
      'imported_pages_20240301_20240302.csv':
        'date,hostname,page,visits,visitors,pageviews,scroll_depth,pageleave_visitors\n2024-03-01,example.com,/,12,10,30,,0\n2024-03-02,example.com,"/a,b",6,5,9,40,2\n',
    });
    expect((await upload(collector, token, site, plausible)).status).toBe(200);
    const range = `startAt=${Date.parse('2024-03-01')}&endAt=${Date.parse('2024-03-03') - 1}&imported=true`;
    const get = async (path: string) => (await collector!.request(`/api/websites/${site}/${path}`, { token })).json();
    expect(await get(`stats?${range}`)).toMatchObject({ visitors: 15, pageviews: 39, bounces: 5, visits: 18, totaltime: 720 });
    expect(await get(`metrics?${range}&type=device`)).toEqual([
      { x: 'desktop', y: 12 },
      { x: 'mobile', y: 3 },
    ]);
    expect(await get(`metrics?${range}&type=referrer`)).toEqual([
      { x: 'news.ycombinator.com', y: 6 },
      { x: 'some.example', y: 5 },
    ]);
    expect(await get(`metrics?${range}&type=utmSource`)).toEqual([{ x: 'camp "x"', y: 5 }]);
    expect(await get(`metrics?${range}&type=path`)).toEqual([
      { x: '/', y: 10 },
      { x: '/a,b', y: 5 },
    ]);
    // A range that holds 1 March only in part (noon to noon) has no whole imported day.
    const half = `startAt=${Date.parse('2024-03-01T12:00:00Z')}&endAt=${Date.parse('2024-03-02T12:00:00Z')}&imported=true`;
    expect(await get(`stats?${half}`)).toMatchObject({ pageviews: 0 });
    // A Berlin day (23:00 UTC to 23:00 UTC) holds the imported day of its date.
    const berlin = `startAt=${Date.parse('2024-02-29T23:00:00Z')}&endAt=${Date.parse('2024-03-01T23:00:00Z') - 1}&imported=true&timezone=Europe/Berlin`;
    expect(await get(`stats?${berlin}`)).toMatchObject({ pageviews: 30 });

    const before = await get(`stats?${range}`);
    const refused = async (body: Buffer, message: RegExp, status = 400) => {
      const response = await upload(collector!, token, site, body);
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    };
    await refused(Buffer.from('not a zip at all'), /not a zip archive/);
    await refused(await archiveOf({ 'notes.txt': 'hello' }), /none of Plausible's export files/);
    await refused(
      await archiveOf({
        'imported_visitors_20240301_20240302.csv': 'date,visitors,pageviews,bounces,visits,visit_duration\n2024-03-01,1,1,1,1,1\n',
        'imported_pages_20240301_20240302.csv': 'date,hostname,page,visits,visitors,pageviews\n2024-03-01,example.com,/,1,1,x\n',
      }),
      /imported_pages_20240301_20240302.csv line 2: pageviews "x" is not a whole number/,
    );
    await refused(await archiveOf({ 'imported_visitors_20240301_20240302.csv': 'date,visitors\n2024-03-05,1\n' }), /outside the file's days/);
    // Nothing of the refused archives was imported.
    expect(await get(`stats?${range}`)).toEqual(before);
    // Larger than IMPORT_MAX_MB: 413, a JSON error.
    const big = await upload(collector, token, site, Buffer.alloc(1024 * 1024 + 1));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: expect.any(Object) });
  });
});
