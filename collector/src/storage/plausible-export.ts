import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { dayMs } from '../shared/time';

// A website's figures as the CSV files of Plausible's export ("imported_<table>_<first>_<last>.csv",
// the columns its CSV importer reads), one row per UTC day and value, computed from the events one
// day at a time (memory holds one day of one website). A visit counts on the day of its first
// pageview, with that day's pageviews of it.

/** Each visit of the day's pageviews: its session, pageviews, seconds, entry and exit page, and its first pageview's source and attributes. */
const visitsOfDay = `SELECT any(session_id) AS session, count() AS views, toUInt64(max(toUInt32(created_at)) - min(toUInt32(created_at))) AS seconds,
    argMin(url_path, created_at) AS entry_page, argMax(url_path, created_at) AS exit_page,
    argMin(if(referrer_domain != hostname, referrer_domain, ''), created_at) AS first_source,
    argMin(if(referrer_domain != hostname, concat(referrer_domain, referrer_path), ''), created_at) AS first_referrer,
    argMin(utm_source, created_at) AS first_utm_source, argMin(utm_medium, created_at) AS first_utm_medium,
    argMin(utm_campaign, created_at) AS first_utm_campaign, argMin(utm_content, created_at) AS first_utm_content,
    argMin(utm_term, created_at) AS first_utm_term,
    any(browser) AS visit_browser, any(os) AS visit_os, any(device) AS visit_device, any(country) AS visit_country, any(region) AS visit_region
  FROM website_event
  WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.pageview}
    AND created_at >= toDateTime64({day:String}, 3, 'UTC') AND created_at < toDateTime64({day:String}, 3, 'UTC') + INTERVAL 1 DAY
  GROUP BY visit_id`;

/** The figures of a group of visits, in Plausible's column names. */
const visitFigures =
  'uniqExact(session) AS visitors, count() AS visits, sum(seconds) AS visit_duration, countIf(views = 1) AS bounces, sum(views) AS pageviews';

const day = `{day:String} AS date`;
const ofVisits = (columns: string, groupBy: string) =>
  `SELECT ${day}, ${columns}, ${visitFigures} FROM (${visitsOfDay}) GROUP BY ${groupBy} ORDER BY ${groupBy}`;

const inDay = `website_id = {websiteId:UUID} AND created_at >= toDateTime64({day:String}, 3, 'UTC') AND created_at < toDateTime64({day:String}, 3, 'UTC') + INTERVAL 1 DAY`;

/** Plausible's daily totals file: its columns; the route fills it from our own stats of each day, so both agree. */
export const plausibleVisitorsColumns = ['date', 'visitors', 'pageviews', 'bounces', 'visits', 'visit_duration'];

/** Plausible's breakdown tables, each with its columns (as its importer reads them) and the day's query. */
export const plausibleTables: { table: string; columns: string[]; query: string }[] = [
  {
    table: 'imported_sources',
    columns: [
      'date',
      'source',
      'referrer',
      'utm_source',
      'utm_medium',
      'utm_campaign',
      'utm_content',
      'utm_term',
      'pageviews',
      'visitors',
      'visits',
      'visit_duration',
      'bounces',
    ],
    query: `SELECT ${day}, first_source AS source, first_referrer AS referrer, first_utm_source AS utm_source, first_utm_medium AS utm_medium,
      first_utm_campaign AS utm_campaign, first_utm_content AS utm_content, first_utm_term AS utm_term, sum(views) AS pageviews,
      uniqExact(session) AS visitors, count() AS visits, sum(seconds) AS visit_duration, countIf(views = 1) AS bounces
      FROM (${visitsOfDay})
      GROUP BY source, referrer, utm_source, utm_medium, utm_campaign, utm_content, utm_term
      ORDER BY source, referrer, utm_source, utm_medium, utm_campaign, utm_content, utm_term`,
  },
  {
    table: 'imported_pages',
    columns: ['date', 'hostname', 'page', 'visits', 'visitors', 'pageviews', 'scroll_depth', 'pageleave_visitors'],
    query: `SELECT ${day}, hostname, url_path AS page, uniqExact(visit_id) AS visits, uniqExact(session_id) AS visitors, count() AS pageviews,
      NULL AS scroll_depth, 0 AS pageleave_visitors
      FROM website_event WHERE ${inDay} AND event_type = ${eventType.pageview}
      GROUP BY hostname, page ORDER BY hostname, page`,
  },
  {
    table: 'imported_entry_pages',
    columns: ['date', 'entry_page', 'visitors', 'entrances', 'visit_duration', 'bounces', 'pageviews'],
    query: `SELECT ${day}, entry_page, uniqExact(session) AS visitors, count() AS entrances, sum(seconds) AS visit_duration,
      countIf(views = 1) AS bounces, sum(views) AS pageviews FROM (${visitsOfDay}) GROUP BY entry_page ORDER BY entry_page`,
  },
  {
    table: 'imported_exit_pages',
    columns: ['date', 'exit_page', 'visitors', 'visit_duration', 'exits', 'bounces', 'pageviews'],
    query: `SELECT ${day}, exit_page, uniqExact(session) AS visitors, sum(seconds) AS visit_duration, count() AS exits,
      countIf(views = 1) AS bounces, sum(views) AS pageviews FROM (${visitsOfDay}) GROUP BY exit_page ORDER BY exit_page`,
  },
  {
    table: 'imported_custom_events',
    columns: ['date', 'name', 'link_url', 'path', 'visitors', 'events'],
    query: `SELECT ${day}, event_name AS name, '' AS link_url, url_path AS path, uniqExact(session_id) AS visitors, count() AS events
      FROM website_event WHERE ${inDay} AND event_type = ${eventType.custom}
      GROUP BY name, path ORDER BY name, path`,
  },
  {
    table: 'imported_locations',
    columns: ['date', 'country', 'region', 'city', 'visitors', 'visits', 'visit_duration', 'bounces', 'pageviews'],
    // Plausible keeps cities as GeoNames ids; ours are names, so the city column says 0 (unknown).
    query: ofVisits('visit_country AS country, visit_region AS region, 0 AS city', 'country, region'),
  },
  {
    table: 'imported_browsers',
    columns: ['date', 'browser', 'browser_version', 'visitors', 'visits', 'visit_duration', 'bounces', 'pageviews'],
    query: ofVisits("visit_browser AS browser, '' AS browser_version", 'browser'),
  },
  {
    table: 'imported_devices',
    columns: ['date', 'device', 'visitors', 'visits', 'visit_duration', 'bounces', 'pageviews'],
    query: ofVisits('visit_device AS device', 'device'),
  },
  {
    table: 'imported_operating_systems',
    columns: ['date', 'operating_system', 'operating_system_version', 'visitors', 'visits', 'visit_duration', 'bounces', 'pageviews'],
    query: ofVisits("visit_os AS operating_system, '' AS operating_system_version", 'operating_system'),
  },
];

const compact = (day: string) => day.replaceAll('-', '');

/** The UTC days from the one holding `startAt` to the one holding `endAt`. */
export function utcDays(startAt: number, endAt: number): string[] {
  const days: string[] = [];
  for (let at = Math.floor(startAt / dayMs) * dayMs; at <= endAt; at += dayMs) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}

/** Plausible's file name for a table over the days. */
export const plausibleFileName = (table: string, days: string[]) => `${table}_${compact(days[0]!)}_${compact(days.at(-1)!)}.csv`;

/** One table's CSV (its heading, then each day's rows), read a day at a time. */
export async function* plausibleCsv(db: ClickHouseClient, websiteId: string, days: string[], table: (typeof plausibleTables)[number]): AsyncGenerator<string> {
  yield `${table.columns.join(',')}\n`;
  for (const day of days) {
    const result = await db.query({ query: table.query, query_params: { websiteId, day }, format: 'CSV' });
    const text = await result.text();
    if (text) yield text;
  }
}
