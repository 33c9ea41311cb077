import { randomUUID } from 'node:crypto';
import { UmamiClient } from '@umami/api-client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';
import { parseCsv } from '../../../test-support/csv';
import { hostileText } from '../../../test-support/hostile-strings';
import { unzip } from '../../../test-support/unzip';
import { cleanJson, cleanText } from '../ingest/clean-text';
import { exportedEventColumns } from '../storage/website-export';

/** The website export: its raw events re-read equal the events stored, and its metric files equal the read API's answers. */
let collector: TestCollector;
let token: string;

beforeAll(async () => {
  collector = await startTestCollector();
  token = await collector.login();
});
afterAll(() => collector?.destroy());

const day = 86_400_000;

async function exported(site: string, query: string) {
  const response = await collector.request(`/api/websites/${site}/export${query}`, { token });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-length')).toBeNull();
  const { zip } = (await response.json()) as { zip: string };
  return unzip(Buffer.from(zip, 'base64'));
}

describe('the website export', () => {
  it('holds every stored event of the range, hostile text and all, re-read exactly as stored', { timeout: 180_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            daysAgo: fc.integer({ min: 0, max: 6 }),
            ms: fc.integer({ min: 0, max: day - 1 }),
            path: hostileText(),
            title: hostileText(),
            custom: fc.boolean(),
            data: fc.dictionary(fc.constantFrom('plan', 'a,b', 'q"uote'), fc.oneof(hostileText(), fc.integer())),
          }),
          { maxLength: 25 },
        ),
        async (events) => {
          const site = await collector.createWebsite(token, 'export');
          const start = Math.floor(Date.now() / day) * day - 6 * day;
          const rows = events.map((e) => ({
            website_id: site,
            session_id: randomUUID(),
            visit_id: randomUUID(),
            event_id: randomUUID(),
            created_at: start + (6 - e.daysAgo) * day + e.ms,
            event_type: e.custom ? 2 : 1,
            event_name: e.custom ? 'signup' : '',
            // As ingest stores them: cleaned (no lone surrogates or control characters).
            url_path: cleanText(e.path),
            page_title: cleanText(e.title),
            event_data: e.custom ? JSON.stringify(cleanJson(e.data)) : '',
          }));
          if (rows.length > 0) await collector.db.insert({ table: 'website_event', values: rows, format: 'JSONEachRow' });
          const files = await exported(site, `?startAt=${start}&endAt=${start + 7 * day - 1}`);
          expect([...files.keys()]).toEqual([
            'events.csv',
            'pages.csv',
            'referrers.csv',
            'browsers.csv',
            'os.csv',
            'devices.csv',
            'countries.csv',
            'website_event.csv',
          ]);
          const [heading, ...lines] = parseCsv(files.get('website_event.csv')!.toString('utf8'));
          expect(heading).toEqual([...exportedEventColumns]);
          const read = lines.map((line) => Object.fromEntries(heading!.map((name, i) => [name, line[i]])));
          // What the engine stores (the insert cleaned nothing: these rows went in directly).
          const stored = (await (
            await collector.db.query({
              // Ordered as the export orders: by time, then by the UUID (an alias named event_id would order by its text instead).
              query: `SELECT toString(event_id) AS id, url_path, page_title, event_data, toUnixTimestamp64Milli(created_at) AS at FROM website_event
                WHERE website_id = {site:UUID} ORDER BY created_at, event_id`,
              query_params: { site },
              format: 'JSONEachRow',
            })
          ).json()) as { id: string; url_path: string; page_title: string; event_data: string; at: number }[];
          expect(read.map((r) => [r.event_id, r.url_path, r.page_title, r.event_data, Date.parse(r.created_at!)])).toEqual(
            stored.map((s) => [s.id, s.url_path, s.page_title, s.event_data, Number(s.at)]),
          );
        },
      ),
      { numRuns: 15 },
    );
  });

  it("holds Umami's metric files as the read API answers them, and answers the official client", async () => {
    const site = await collector.createWebsite(token, 'export-metrics');
    const at = Date.now() - 3600_000;
    const rows = ['/', '/', '/pricing', '=HYPERLINK("x")'].map((path, i) => ({
      website_id: site,
      session_id: randomUUID(),
      visit_id: randomUUID(),
      event_id: randomUUID(),
      created_at: at + i,
      event_type: 1,
      url_path: path,
      browser: 'firefox',
    }));
    await collector.db.insert({ table: 'website_event', values: rows, format: 'JSONEachRow' });
    const range = `startAt=${at - 1000}&endAt=${Date.now()}`;
    const files = await exported(site, `?${range}`);
    const metric = async (type: string) => (await (await collector.request(`/api/websites/${site}/metrics?${range}&type=${type}`, { token })).json()) as any[];
    const pages = parseCsv(files.get('pages.csv')!.toString('utf8'));
    // A value a spreadsheet would run as a formula is written with a leading apostrophe.
    expect(pages).toEqual([['x', 'y'], ...(await metric('path')).map((p) => [p.x.startsWith('=') ? `'${p.x}` : p.x, String(p.y)])]);
    expect(parseCsv(files.get('browsers.csv')!.toString('utf8'))).toEqual([
      ['x', 'y'],
      ['firefox', '4'],
    ]);

    // Without a range: the whole history.
    expect(parseCsv((await exported(site, '')).get('website_event.csv')!.toString('utf8'))).toHaveLength(5);
    const client = new UmamiClient({ baseUrl: `${collector.url}/api` }).withToken(token);
    const answer = (await client.exportWebsite({ websiteId: site })) as { zip: string };
    expect(unzip(Buffer.from(answer.zip, 'base64')).get('website_event.csv')!.toString('utf8').split('\n')).toHaveLength(6);
  });
});
