import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEvents } from '../../../bench/seed-events';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';
import { parseCsv } from '../../../test-support/csv';
import { unzip } from '../../../test-support/unzip';

/**
 * The export in Plausible's CSV format (issue 28): the file names and columns Plausible's CSV
 * importer reads, daily totals equal to our stats of each day, breakdowns that add up to them,
 * and the raw events beside.
 */
let collector: TestCollector;
let token: string;
let site: string;
const day = 86_400_000;
const today = Math.floor(Date.now() / day) * day;

beforeAll(async () => {
  collector = await startTestCollector();
  token = await collector.login();
  site = await collector.createWebsite(token, 'plausible');
  await seedEvents(collector.db, site, { events: 6_000, days: 4, now: today - 3600_000 });
});
afterAll(() => collector?.destroy());

// Plausible's CSV importer's columns per table (lib/plausible/imported/csv_importer.ex).
const importerColumns: Record<string, string> = {
  imported_visitors: 'date,visitors,pageviews,bounces,visits,visit_duration',
  imported_sources: 'date,source,referrer,utm_source,utm_medium,utm_campaign,utm_content,utm_term,pageviews,visitors,visits,visit_duration,bounces',
  imported_pages: 'date,hostname,page,visits,visitors,pageviews,scroll_depth,pageleave_visitors',
  imported_entry_pages: 'date,entry_page,visitors,entrances,visit_duration,bounces,pageviews',
  imported_exit_pages: 'date,exit_page,visitors,visit_duration,exits,bounces,pageviews',
  imported_custom_events: 'date,name,link_url,path,visitors,events',
  imported_locations: 'date,country,region,city,visitors,visits,visit_duration,bounces,pageviews',
  imported_browsers: 'date,browser,browser_version,visitors,visits,visit_duration,bounces,pageviews',
  imported_devices: 'date,device,visitors,visits,visit_duration,bounces,pageviews',
  imported_operating_systems: 'date,operating_system,operating_system_version,visitors,visits,visit_duration,bounces,pageviews',
};

describe('the export in Plausible’s format', () => {
  it('holds Plausible’s files with its columns, our daily figures, and the raw events', { timeout: 120_000 }, async () => {
    const startAt = today - 5 * day;
    const endAt = today - 1;
    const response = await collector.request(`/api/websites/${site}/export/plausible?startAt=${startAt}&endAt=${endAt}`, { token });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    const files = unzip(Buffer.from(await response.arrayBuffer()));
    const first = new Date(startAt).toISOString().slice(0, 10).replaceAll('-', '');
    const last = new Date(endAt).toISOString().slice(0, 10).replaceAll('-', '');
    expect([...files.keys()].sort()).toEqual([...Object.keys(importerColumns).map((t) => `${t}_${first}_${last}.csv`), 'website_event.csv'].sort());
    const table = (name: string) => {
      const [header, ...rows] = parseCsv(files.get(`${name}_${first}_${last}.csv`)!.toString());
      expect(header!.join(','), name).toBe(importerColumns[name]);
      return rows.map((row) => Object.fromEntries(header!.map((column, i) => [column, row[i]!])));
    };

    const visitors = table('imported_visitors');
    expect(visitors.length).toBeGreaterThanOrEqual(4);
    const sum = (rows: Record<string, string>[], column: string) => rows.reduce((n, row) => n + Number(row[column]), 0);
    for (const row of visitors) {
      const from = Date.parse(row.date!);
      const stats = (await (await collector.request(`/api/websites/${site}/stats?startAt=${from}&endAt=${from + day - 1}`, { token })).json()) as Record<
        string,
        number
      >;
      expect({
        day: row.date,
        visitors: Number(row.visitors),
        pageviews: Number(row.pageviews),
        bounces: Number(row.bounces),
        visits: Number(row.visits),
        time: Number(row.visit_duration),
      }).toEqual({
        day: row.date,
        visitors: stats.visitors,
        pageviews: stats.pageviews,
        bounces: stats.bounces,
        visits: stats.visits,
        time: stats.totaltime,
      });
      // Every page view of the day is in the pages file; every custom event in the events file.
      const ofDay = (name: string) => table(name).filter((r) => r.date === row.date);
      expect(sum(ofDay('imported_pages'), 'pageviews')).toBe(stats.pageviews);
      const events = (await (await collector.request(`/api/websites/${site}/events/stats?startAt=${from}&endAt=${from + day - 1}`, { token })).json()) as {
        data: { events: number };
      };
      expect(sum(ofDay('imported_custom_events'), 'events')).toBe(events.data.events);
      // The visit breakdowns each hold the day's visits once.
      const visitsOfDay = sum(ofDay('imported_browsers'), 'visits');
      for (const name of ['imported_devices', 'imported_operating_systems', 'imported_locations', 'imported_sources'])
        expect(sum(ofDay(name), 'visits'), `${name} ${row.date}`).toBe(visitsOfDay);
      expect(sum(ofDay('imported_entry_pages'), 'entrances')).toBe(visitsOfDay);
      expect(sum(ofDay('imported_exit_pages'), 'exits')).toBe(visitsOfDay);
    }
    const raw = parseCsv(files.get('website_event.csv')!.toString());
    const [counted] = (await (
      await collector.db.query({
        query: `SELECT count() AS n FROM website_event WHERE website_id = {site:UUID} AND created_at BETWEEN fromUnixTimestamp64Milli({startAt:Int64}) AND fromUnixTimestamp64Milli({endAt:Int64})`,
        query_params: { site, startAt, endAt },
        format: 'JSONEachRow',
      })
    ).json()) as { n: number }[];
    expect(raw.length - 1).toBe(Number(counted!.n));
  });
});
