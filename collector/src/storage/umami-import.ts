import type { ClickHouseClient } from '@clickhouse/client';
import { describeSource, sourceTable, type UmamiSource } from '../import/umami-source';
import { rows } from './client';
import { adClickIds } from '../shared/channels';
import { deleteFrom, type ClusterTopology } from './cluster-ddl';
import { rebuildDayRollups } from './day-rollups';

// Reads an Umami PostgreSQL database (its v2 schema, from Umami 2.x, or the current v3) into our
// tables, through ClickHouse's postgresql() table function: ClickHouse streams the rows itself, so
// nothing passes through Node. Websites keep their ids; sessions' attributes are copied onto each
// event (we keep them per event); event and visitor data become the JSON objects we store; each
// pageview gets its place in its visit, as ingest records it. Days go in chunks of about
// `chunkEvents` events, each staged in ClickHouse, then inserted; progress is kept per website and
// day, so an interrupted run resumes and a second run adds nothing twice.

/** Which optional columns the source has: its tables' column names. */
export type SourceColumns = Map<string, Set<string>>;

export interface ImportProgress {
  /** Events inserted so far in this run, and how many the run has to import. */
  events: number;
  total: number;
  day: string;
}

export interface ImportSummary {
  source: string;
  websites: { id: string; name: string; created: boolean }[];
  events: number;
  /** Events of other types (links, pixels, vitals) left out, and days skipped as already imported. */
  skipped: number;
  daysDone: number;
  sessionData: number;
  seconds: number;
}

export interface ImportOptions {
  source: UmamiSource;
  /** Only these websites (default: every website not deleted in the source). */
  websiteIds?: string[];
  /** Makes each website of ours: owned by the importing user. */
  adopt: (website: { id: string; name: string; domain: string; createdAt: string }) => Promise<{ created: boolean }>;
  onProgress?: (progress: ImportProgress) => void;
  /** Checked between chunks: an interrupted import resumes where it stopped. */
  signal?: AbortSignal;
  chunkEvents?: number;
  /** On a cluster, deletes run on each shard's local tables. */
  cluster?: ClusterTopology | null;
}

const dayMs = 86_400_000;

/** The source's tables and columns, and a check that it is Umami's. */
export async function sourceColumns(db: ClickHouseClient, source: UmamiSource): Promise<SourceColumns> {
  const found = await rows<{ table: string; column: string }>(
    db,
    `SELECT table_name AS table, column_name AS column FROM ${sourceTable(source, 'columns', 'information_schema')}
      WHERE table_schema = {schema:String} AND table_name IN ('website', 'session', 'website_event', 'event_data', 'session_data')`,
    { schema: source.schema },
  );
  const columns: SourceColumns = new Map();
  for (const { table, column } of found) columns.set(table, (columns.get(table) ?? new Set()).add(column));
  for (const table of ['website', 'session', 'website_event'])
    if (!columns.has(table)) throw new Error(`${describeSource(source)} has no table "${table}": is it Umami's database (and schema)?`);
  return columns;
}

/** A column of the source as non-null text, or '' where this schema version has no such column. */
const text = (columns: SourceColumns, table: string, column: string) => (columns.get(table)?.has(column) ? `ifNull(toString(${column}), '')` : `''`);

/** The first of `names` the table has (columns renamed between versions), or null. */
const either = (columns: SourceColumns, table: string, ...names: string[]) => names.find((name) => columns.get(table)?.has(name)) ?? null;

const stagingTables = [
  `CREATE TABLE IF NOT EXISTS import_sessions (session_id UUID, website_id UUID, hostname String, browser String, os String, device String,
    screen String, language String, country String, region String, city String, distinct_id String, created_at DateTime64(3, 'UTC'))
    ENGINE = MergeTree ORDER BY session_id`,
  `CREATE TABLE IF NOT EXISTS import_events (event_id UUID, website_id UUID, session_id UUID, visit_id UUID, created_at DateTime64(3, 'UTC'),
    event_type UInt8, event_name String, hostname String, url_path String, url_query String, page_title String, referrer_domain String,
    referrer_path String, referrer_query String, utm_source String, utm_medium String, utm_campaign String, utm_content String, utm_term String,
    tag String) ENGINE = Memory`,
  `CREATE TABLE IF NOT EXISTS import_event_data (event_id UUID, data String) ENGINE = Memory`,
];

/** A value of Umami's data rows (data_type 1 string, 2 number, 3 boolean, 4 date, 5 array) as JSON text. */
const jsonValue = (string: string, number: string, date: string, type: string) => `multiIf(
    ${type} = 2, toString(toFloat64(${number})),
    ${type} = 3, if(${string} IN ('true', '1'), 'true', 'false'),
    ${type} = 4, toJSONString(formatDateTime(${date}, '%Y-%m-%dT%H:%i:%S.000Z', 'UTC')),
    ${type} = 5 AND isValidJSON(${string}), ${string},
    toJSONString(${string}))`;

/** Umami's data rows grouped into the JSON object we store, per `key` (an event, or a session and time). */
function dataObject(columns: SourceColumns, table: 'event_data' | 'session_data') {
  const key = either(columns, table, 'data_key', 'event_key', 'session_key');
  const string = either(columns, table, 'string_value', 'event_string_value') ?? 'NULL';
  const number = either(columns, table, 'number_value', 'event_numeric_value') ?? 'NULL';
  const date = either(columns, table, 'date_value', 'event_date_value') ?? 'NULL';
  const type = either(columns, table, 'data_type', 'event_data_type');
  if (!key || !type) return null;
  const value = jsonValue(`ifNull(${string}, '')`, `ifNull(${number}, 0)`, `ifNull(${date}, toDateTime64(0, 6))`, type);
  return `concat('{', arrayStringConcat(groupArray(concat(toJSONString(${key}), ':', ${value})), ','), '}')`;
}

/** The landing page's query, with the ad click ids Umami keeps in columns of their own put back (attribution reads them there). */
function queryWithClickIds(columns: SourceColumns): string {
  const query = text(columns, 'website_event', 'url_query');
  const ids = adClickIds.filter(([param]) => columns.get('website_event')?.has(param));
  if (ids.length === 0) return query;
  const parts = ids.map(([param]) => `if(ifNull(${param}, '') = '' OR position(${query}, '${param}=') > 0, '', concat('&${param}=', ${param}))`);
  return `trimLeft(concat(${query}, ${parts.join(', ')}), '&')`;
}

/** UTM values: Umami's columns where it has them, else read from the page's query (as Umami 2.x's reports did). */
const utm = (columns: SourceColumns, name: string) =>
  columns.get('website_event')?.has(`utm_${name}`)
    ? `ifNull(utm_${name}, '')`
    : `extractURLParameter(concat('?', ${text(columns, 'website_event', 'url_query')}), 'utm_${name}')`;

export async function importUmami(db: ClickHouseClient, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const { source } = options;
  const sourceName = describeSource(source);
  const columns = await sourceColumns(db, source);
  const pg = (table: string) => sourceTable(source, table);
  for (const statement of stagingTables) await db.command({ query: statement });

  // Websites: every one not deleted (or those asked for), under their own ids.
  const websites = await rows<{ id: string; name: string; domain: string; createdAt: string }>(
    db,
    `SELECT toString(website_id) AS id, name, ifNull(domain, '') AS domain, formatDateTime(ifNull(created_at, now64(6)), '%Y-%m-%dT%H:%i:%S.000Z', 'UTC') AS createdAt
      FROM ${pg('website')} WHERE ${columns.get('website')?.has('deleted_at') ? 'deleted_at IS NULL' : '1'} ORDER BY created_at, id`,
  );
  const chosen = options.websiteIds ? websites.filter((w) => options.websiteIds!.includes(w.id)) : websites;
  if (options.websiteIds) {
    const missing = options.websiteIds.filter((id) => !websites.some((w) => w.id === id));
    if (missing.length) throw new Error(`${sourceName} has no website ${missing.join(', ')} (or it is deleted)`);
  }
  const summary: ImportSummary = { source: sourceName, websites: [], events: 0, skipped: 0, daysDone: 0, sessionData: 0, seconds: 0 };
  for (const website of chosen) summary.websites.push({ ...website, created: (await options.adopt(website)).created });
  const ids = chosen.map((w) => w.id);
  if (ids.length === 0) return { ...summary, seconds: (performance.now() - started) / 1000 };
  const params = { ids, source: sourceName };

  // What is left to do: the days with events, less those done for every website.
  const days = await rows<{ day: string; website: string; events: number; other: number }>(
    db,
    `SELECT toString(toDate(created_at)) AS day, toString(website_id) AS website, countIf(event_type IN (1, 2)) AS events, countIf(event_type NOT IN (1, 2)) AS other
      FROM ${pg('website_event')} WHERE toString(website_id) IN {ids:Array(String)} GROUP BY day, website ORDER BY day`,
    params,
  );
  const states = new Map(
    (
      await rows<{ key: string; state: string }>(
        db,
        `SELECT concat(toString(website_id), ' ', toString(day)) AS key, argMax(state, at) AS state FROM import_progress
          WHERE source = {source:String} GROUP BY website_id, day`,
        params,
      )
    ).map((row) => [row.key, row.state]),
  );
  const lastDay = days.at(-1)?.day;
  // The source's last day may still be receiving events: it is imported again on every run.
  const isTodo = (d: (typeof days)[number]) => states.get(`${d.website} ${d.day}`) !== 'done' || d.day === lastDay;
  const todo = days.filter(isTodo);
  summary.skipped = days.reduce((n, d) => n + Number(d.other), 0);
  summary.daysDone = new Set(days.filter((d) => !isTodo(d)).map((d) => d.day)).size;
  const total = todo.reduce((n, d) => n + Number(d.events), 0);

  // Sessions: staged once, their attributes copied onto each event below.
  await db.command({ query: 'TRUNCATE TABLE import_sessions' });
  const region = either(columns, 'session', 'region', 'subdivision1');
  await db.command({
    query: `INSERT INTO import_sessions SELECT session_id, website_id, ${text(columns, 'session', 'hostname')}, ${text(columns, 'session', 'browser')},
        ${text(columns, 'session', 'os')}, ${text(columns, 'session', 'device')}, ${text(columns, 'session', 'screen')}, ${text(columns, 'session', 'language')},
        ${text(columns, 'session', 'country')}, ${region ? `ifNull(${region}, '')` : `''`}, ${text(columns, 'session', 'city')},
        ${text(columns, 'session', 'distinct_id')}, ifNull(created_at, toDateTime64(0, 6))
      FROM ${pg('session')} WHERE toString(website_id) IN {ids:Array(String)}`,
    query_params: params,
  });

  // Chunks of consecutive days, about chunkEvents events each.
  const chunkEvents = options.chunkEvents ?? 250_000;
  const byDay = new Map<string, { entries: typeof todo; events: number }>();
  for (const d of todo) {
    const found = byDay.get(d.day) ?? { entries: [], events: 0 };
    found.entries.push(d);
    found.events += Number(d.events);
    byDay.set(d.day, found);
  }
  const chunks: { from: string; to: string; days: typeof todo; events: number }[] = [];
  for (const [day, { entries, events }] of byDay) {
    const last = chunks.at(-1);
    const next = new Date(Date.parse(day) + dayMs).toISOString().slice(0, 10);
    if (last && last.to === day && last.events + events <= chunkEvents) {
      last.days.push(...entries);
      last.events += events;
      last.to = next;
    } else chunks.push({ from: day, to: next, days: [...entries], events });
  }

  const eventData = columns.has('event_data') ? dataObject(columns, 'event_data') : null;
  const hostname = columns.get('website_event')?.has('hostname') ? `if(e.hostname != '', e.hostname, s.hostname)` : 's.hostname';
  const visitId = columns.get('website_event')?.has('visit_id')
    ? 'visit_id'
    : // Umami 2.x before visit ids: a visit per session and hour, as its migration 05 assigned them.
      `reinterpretAsUUID(reverse(unhex(lower(hex(MD5(concat(toString(session_id), toString(toStartOfHour(created_at)))))))))`;

  let done = 0;
  for (const chunk of chunks) {
    if (options.signal?.aborted) break;
    const chunkParams = { ...params, from: chunk.from, to: chunk.to, websites: [...new Set(chunk.days.map((d) => d.website))] };
    const inChunk = `created_at >= toDateTime64({from:String}, 6, 'UTC') AND created_at < toDateTime64({to:String}, 6, 'UTC')`;
    await db.command({ query: 'TRUNCATE TABLE import_events' });
    await db.command({
      query: `INSERT INTO import_events SELECT event_id, website_id, session_id, ${visitId}, created_at, event_type, ${text(columns, 'website_event', 'event_name')},
          ${text(columns, 'website_event', 'hostname')}, ${text(columns, 'website_event', 'url_path')}, ${queryWithClickIds(columns)},
          ${text(columns, 'website_event', 'page_title')}, ${text(columns, 'website_event', 'referrer_domain')}, ${text(columns, 'website_event', 'referrer_path')},
          ${text(columns, 'website_event', 'referrer_query')}, ${utm(columns, 'source')}, ${utm(columns, 'medium')}, ${utm(columns, 'campaign')},
          ${utm(columns, 'content')}, ${utm(columns, 'term')}, ${text(columns, 'website_event', 'tag')}
        FROM ${pg('website_event')}
        WHERE ${inChunk} AND event_type IN (1, 2) AND toString(website_id) IN {websites:Array(String)}`,
      query_params: chunkParams,
    });
    await db.command({ query: 'TRUNCATE TABLE import_event_data' });
    if (eventData) {
      // Umami writes an event's data with the event's time; a day either side covers clocks that differ.
      await db.command({
        query: `INSERT INTO import_event_data SELECT website_event_id, ${eventData} FROM ${pg('event_data')}
          WHERE created_at >= toDateTime64({from:String}, 6, 'UTC') - INTERVAL 1 DAY AND created_at < toDateTime64({to:String}, 6, 'UTC') + INTERVAL 1 DAY
            AND toString(website_id) IN {websites:Array(String)}
          GROUP BY website_event_id`,
        query_params: chunkParams,
      });
    }
    // Days imported before (the source's last day, run again) or started by an interrupted run:
    // their rows from this source go first, and their rollups are rebuilt after the insert.
    const redone = chunk.days.filter((d) => states.has(`${d.website} ${d.day}`));
    for (const d of redone)
      await db.command({
        query: deleteFrom(
          'website_event',
          `website_id = '${d.website}' AND toDate(created_at) = '${d.day}'
            AND event_id IN (SELECT event_id FROM import_events WHERE website_id = '${d.website}') SETTINGS lightweight_deletes_sync = 2`,
          options.cluster ?? null,
        ),
      });
    await markDays(db, sourceName, chunk.days, 'started');
    await db.command({
      query: `INSERT INTO website_event (website_id, session_id, visit_id, event_id, created_at, event_type, event_name, hostname, url_path, url_query,
          page_title, referrer_domain, referrer_path, referrer_query, utm_source, utm_medium, utm_campaign, utm_content, utm_term, browser, os, device,
          screen, language, country, region, city, tag, event_data, visit_pageview, visit_gap_ms, visit_start)
        SELECT e.website_id, e.session_id, e.visit_id, e.event_id, e.created_at, e.event_type, if(e.event_type = 2, e.event_name, ''), ${hostname},
          e.url_path, e.url_query, e.page_title, e.referrer_domain, e.referrer_path, e.referrer_query, e.utm_source, e.utm_medium, e.utm_campaign,
          e.utm_content, e.utm_term, s.browser, s.os, s.device, s.screen, s.language, s.country, s.region, s.city, e.tag,
          if(e.event_type = 2, d.data, ''),
          if(e.event_type = 1, toUInt32(countIf(e.event_type = 1) OVER visit_so_far), 0) AS place,
          if(place >= 2, toUInt32(least(4294967295, dateDiff('millisecond', maxIf(e.created_at, e.event_type = 1) OVER visit_before, e.created_at))), 0),
          if((countIf(e.event_type = 1) OVER whole_visit) = 0, e.created_at, minIf(e.created_at, e.event_type = 1) OVER whole_visit)
        FROM import_events AS e
        LEFT JOIN (SELECT * FROM import_sessions WHERE session_id IN (SELECT session_id FROM import_events)) AS s ON s.session_id = e.session_id
        LEFT JOIN import_event_data AS d ON d.event_id = e.event_id
        WINDOW visit_so_far AS (PARTITION BY e.visit_id ORDER BY e.created_at, e.event_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
          visit_before AS (PARTITION BY e.visit_id ORDER BY e.created_at, e.event_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
          whole_visit AS (PARTITION BY e.visit_id)`,
      query_params: chunkParams,
    });
    for (const d of redone) await rebuildDayRollups(db, d.website, d.day, options.cluster ?? null);
    await markDays(db, sourceName, chunk.days, 'done');
    done += chunk.events;
    options.onProgress?.({ events: done, total, day: chunk.to });
  }
  summary.events = done;
  if (!options.signal?.aborted) summary.sessionData = await importSessionData(db, columns, pg, params);
  return { ...summary, seconds: (performance.now() - started) / 1000 };
}

async function markDays(db: ClickHouseClient, source: string, days: { day: string; website: string; events: number }[], state: 'started' | 'done') {
  await db.insert({
    table: 'import_progress',
    values: days.map((d) => ({ source, website_id: d.website, day: d.day, state, events: Number(d.events), at: Date.now() })),
    format: 'JSONEachRow',
  });
}

/**
 * Visitor data (identify) and distinct ids: the imported sessions' rows are replaced by the
 * source's, one row per session and time (Umami writes one row per key), and one row with the
 * distinct id alone for sessions that have one and no data.
 */
async function importSessionData(db: ClickHouseClient, columns: SourceColumns, pg: (table: string) => string, params: { ids: string[] }): Promise<number> {
  await db.command({
    query: `DELETE FROM session_data WHERE website_id IN {ids:Array(UUID)} AND session_id IN (SELECT session_id FROM import_sessions)
      SETTINGS lightweight_deletes_sync = 2`,
    query_params: params,
  });
  const data = columns.has('session_data') ? dataObject(columns, 'session_data') : null;
  const distinct = columns.get('session_data')?.has('distinct_id') ? `any(ifNull(distinct_id, ''))` : `''`;
  if (data)
    await db.command({
      query: `INSERT INTO session_data (website_id, session_id, distinct_id, data, created_at)
        SELECT d.website_id, d.session_id, if(d.distinct_id != '', d.distinct_id, s.distinct_id), d.data, d.created_at FROM (
          SELECT website_id, session_id, ${distinct} AS distinct_id, ${data} AS data, created_at FROM ${pg('session_data')}
          WHERE toString(website_id) IN {ids:Array(String)} GROUP BY website_id, session_id, created_at) AS d
        LEFT JOIN import_sessions AS s ON s.session_id = d.session_id`,
      query_params: params,
    });
  await db.command({
    query: `INSERT INTO session_data (website_id, session_id, distinct_id, data, created_at)
      SELECT website_id, session_id, distinct_id, '', created_at FROM import_sessions
      WHERE distinct_id != '' AND session_id NOT IN (SELECT session_id FROM session_data WHERE website_id IN {ids:Array(UUID)} AND distinct_id != '')`,
    query_params: params,
  });
  const [row] = await rows<{ n: number }>(
    db,
    'SELECT count() AS n FROM session_data WHERE website_id IN {ids:Array(UUID)} AND session_id IN (SELECT session_id FROM import_sessions)',
    params,
  );
  return Number(row?.n ?? 0);
}
