import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { rows } from '../storage/client';
import type { SqlFilter } from './filters';

/** One website's events in a range under the read API's filters, as buildFilters compiled them. */
export interface FilteredRange {
  websiteId: string;
  startAt: number;
  endAt: number;
  filter: Pick<SqlFilter, 'sql' | 'params' | 'wholeVisits'>;
}

/** The range's events of the website (before the filters' conditions), and the parameters it and they bind. */
export const inFilteredRange = `website_id = {websiteId:UUID}
  AND created_at BETWEEN fromUnixTimestamp64Milli({startAt:Int64}) AND fromUnixTimestamp64Milli({endAt:Int64})`;
export const paramsOf = (query: FilteredRange) => ({ ...query.filter.params, websiteId: query.websiteId, startAt: query.startAt, endAt: query.endAt });

export interface VisitorSession {
  id: string;
  websiteId: string;
  distinctId: string;
  hostname: string;
  browser: string;
  os: string;
  device: string;
  screen: string;
  language: string;
  country: string;
  region: string;
  city: string;
  firstAt: string;
  lastAt: string;
  visits: number;
  views: number;
  events: number;
  /** Seconds: each visit's first to last event, summed. */
  totaltime: number;
  /** The sessions tied to the same distinct id, this one included (1 without an id). */
  stitchedSessionCount: number;
}

/**
 * One session (Umami's `GET …/sessions/:sessionId`): where it came from and what it did, from its
 * events after `after` (a reset's time, else 0); null when it has none. The session_id bloom
 * filter skips the granules without it.
 */
export async function visitorSession(db: ClickHouseClient, { websiteId, sessionId, after }: { websiteId: string; sessionId: string; after: number }) {
  const [session] = await rows<Omit<VisitorSession, 'distinctId' | 'stitchedSessionCount'>>(
    db,
    `SELECT toString(any(sid)) AS id, toString(any(wid)) AS websiteId, any(host) AS hostname, any(b) AS browser, any(o) AS os,
        any(d) AS device, any(s) AS screen, any(l) AS language, any(c) AS country, any(r) AS region, any(ci) AS city,
        min(first) AS firstAt, max(last) AS lastAt, count() AS visits, sum(pageviews) AS views, sum(customEvents) AS events,
        toUInt64(sum(dateDiff('second', first, last))) AS totaltime
      FROM (
        SELECT visit_id, any(session_id) AS sid, any(website_id) AS wid, any(hostname) AS host, any(browser) AS b, any(os) AS o,
          any(device) AS d, any(screen) AS s, any(language) AS l, any(country) AS c, any(region) AS r, any(city) AS ci,
          min(created_at) AS first, max(created_at) AS last, countIf(event_type = ${eventType.pageview}) AS pageviews,
          countIf(event_type = ${eventType.custom}) AS customEvents
        FROM website_event
        WHERE website_id = {websiteId:UUID} AND session_id = {sessionId:UUID} AND created_at > fromUnixTimestamp64Milli({after:Int64})
        GROUP BY visit_id
      )
      HAVING count() > 0`,
    { websiteId, sessionId, after },
  );
  if (!session) return null;
  const distinctId = await distinctIdOf(db, websiteId, sessionId);
  const stitched = distinctId ? await tiedSessions(db, websiteId, distinctId) : [];
  return { ...session, distinctId, stitchedSessionCount: Math.max(1, stitched.length) } satisfies VisitorSession;
}

/** The distinct id a session was last tied to ('' for none). */
export async function distinctIdOf(db: ClickHouseClient, websiteId: string, sessionId: string): Promise<string> {
  const [row] = await rows<{ id: string }>(
    db,
    `SELECT argMax(distinct_id, created_at) AS id FROM session_data
      WHERE website_id = {websiteId:UUID} AND session_id = {sessionId:UUID} AND distinct_id != ''`,
    { websiteId, sessionId },
  );
  return row?.id ?? '';
}

/** The sessions tied to a distinct id (a visitor's days, each with its own session id). */
export async function tiedSessions(db: ClickHouseClient, websiteId: string, distinctId: string): Promise<string[]> {
  const found = await rows<{ id: string }>(
    db,
    `SELECT DISTINCT toString(session_id) AS id FROM session_data WHERE website_id = {websiteId:UUID} AND distinct_id = {distinctId:String} LIMIT 10000`,
    { websiteId, distinctId },
  );
  return found.map((row) => row.id);
}

export interface ActivityRow {
  createdAt: string;
  eventId: string;
  eventType: number;
  eventName: string;
  urlPath: string;
  urlQuery: string;
  pageTitle: string;
  referrerDomain: string;
  hostname: string;
  visitId: string;
  sessionId: string;
  hasData: boolean;
  /** Ours: the custom event's data as sent (after cleaning), or null. */
  data: unknown;
}

/** The most events an activity answer holds (Umami: 500). */
export const activityLimit = 500;

/**
 * What some sessions did in a range, newest first (Umami's `…/sessions/:id/activity`), with each
 * custom event's data.
 */
export async function visitorActivity(
  db: ClickHouseClient,
  query: { websiteId: string; sessionIds: string[]; startAt: number; endAt: number },
): Promise<ActivityRow[]> {
  const found = await rows<Omit<ActivityRow, 'data' | 'hasData'> & { eventData: string }>(
    db,
    `SELECT created_at AS createdAt, toString(event_id) AS eventId, event_type AS eventType, event_name AS eventName, url_path AS urlPath,
        url_query AS urlQuery, page_title AS pageTitle, referrer_domain AS referrerDomain, hostname, toString(visit_id) AS visitId,
        toString(session_id) AS sessionId, event_data AS eventData
      FROM website_event
      WHERE ${inFilteredRange} AND session_id IN {sessionIds:Array(UUID)}
      ORDER BY created_at DESC, event_id LIMIT ${activityLimit}`,
    query,
  );
  return found.map(({ eventData, ...row }) => ({ ...row, hasData: eventData !== '', data: eventData === '' ? null : (JSON.parse(eventData) as unknown) }));
}

export interface PropertyRow {
  websiteId: string;
  sessionId: string;
  dataKey: string;
  /** Umami's types: 1 string, 2 number, 3 boolean, 4 date, 5 array. */
  dataType: number;
  stringValue: string | null;
  numberValue: number | null;
  dateValue: string | null;
  createdAt: string;
}

const isoDate = /^\d{4}-\d{2}-\d{2}T/;

/** One property as Umami's session_data rows hold it. */
export function propertyRow(websiteId: string, sessionId: string, dataKey: string, value: unknown, createdAt: string): PropertyRow {
  const base = { websiteId, sessionId, dataKey, createdAt, stringValue: null, numberValue: null, dateValue: null };
  if (typeof value === 'number') return { ...base, dataType: 2, numberValue: value, stringValue: String(value) };
  if (typeof value === 'boolean') return { ...base, dataType: 3, stringValue: String(value) };
  if (typeof value === 'string' && isoDate.test(value) && !Number.isNaN(Date.parse(value)))
    return { ...base, dataType: 4, dateValue: value, stringValue: value };
  if (Array.isArray(value)) return { ...base, dataType: 5, stringValue: JSON.stringify(value) };
  return { ...base, dataType: 1, stringValue: typeof value === 'string' ? value : JSON.stringify(value) };
}

/**
 * What a site told about a session (`identify` data, Umami's `…/sessions/:id/properties`): each
 * top-level key's latest value, by key.
 */
export async function visitorProperties(db: ClickHouseClient, { websiteId, sessionId }: { websiteId: string; sessionId: string }): Promise<PropertyRow[]> {
  const found = await rows<{ data: string; createdAt: string }>(
    db,
    `SELECT data, created_at AS createdAt FROM session_data
      WHERE website_id = {websiteId:UUID} AND session_id = {sessionId:UUID} AND data != '' ORDER BY created_at LIMIT 1000`,
    { websiteId, sessionId },
  );
  const latest = new Map<string, PropertyRow>();
  for (const { data, createdAt } of found) {
    const parsed = JSON.parse(data) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) continue;
    for (const [key, value] of Object.entries(parsed)) latest.set(key, propertyRow(websiteId, sessionId, key, value, createdAt));
  }
  return [...latest.values()].sort((a, b) => (a.dataKey < b.dataKey ? -1 : a.dataKey > b.dataKey ? 1 : 0));
}

/**
 * Umami's `/sessions/stats`: pageviews, visitors, visits, countries and custom events of the range
 * under the filters. Countries as the set of a LowCardinality column's values: uniqExactIf over it
 * cost 60 ms of a month at ten million events, the set a few.
 */
export async function sessionStats(db: ClickHouseClient, query: FilteredRange) {
  const [row] = await rows<{ pageviews: number; visitors: number; visits: number; countries: number; events: number }>(
    db,
    `SELECT countIf(event_type = ${eventType.pageview}) AS pageviews, uniqCombined(17)(session_id) AS visitors, uniqCombined(17)(visit_id) AS visits,
        length(arrayFilter(c -> c != '', groupUniqArray(country))) AS countries, countIf(event_type = ${eventType.custom}) AS events
      FROM website_event WHERE ${inFilteredRange}${query.filter.sql}`,
    paramsOf(query),
  );
  return row ?? { pageviews: 0, visitors: 0, visits: 0, countries: 0, events: 0 };
}

/**
 * `/sessions/weekly`: visitors (sessions with a pageview) per weekday (0 = Sunday) and hour of
 * `timezone`. With an `hourly` split (no filters, a zone a whole number of hours from UTC), the
 * whole hours come from hourly_pageviews' visitor states, the ends from the events; visitors are
 * then counted as the rankings count them (uniqCombined(12): exact to a few hundred per cell).
 */
export async function weeklyVisitors(
  db: ClickHouseClient,
  query: FilteredRange & { timezone: string },
  hourly: { inRollup: string; inEvents: string; params: Record<string, unknown> } | null = null,
): Promise<number[][]> {
  // Named apart from hourly_pageviews' own `hour` column.
  const cell = (time: string) => `toDayOfWeek(${time}, 0, {timezone:String}) % 7 AS week_day, toHour(toTimeZone(${time}, {timezone:String})) AS day_hour`;
  const found = hourly
    ? await rows<{ weekday: number; hour: number; visitors: number }>(
        db,
        `SELECT week_day AS weekday, day_hour AS hour, uniqCombinedMerge(12)(sessions) AS visitors FROM (
            SELECT ${cell('hour')}, visitors AS sessions FROM hourly_pageviews WHERE ${hourly.inRollup}
            UNION ALL
            SELECT ${cell('created_at')}, uniqCombinedState(12)(session_id) AS sessions FROM website_event
            WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.pageview} AND ${hourly.inEvents}
            GROUP BY week_day, day_hour
          )
          GROUP BY week_day, day_hour`,
        { ...hourly.params, timezone: query.timezone },
      )
    : await rows<{ weekday: number; hour: number; visitors: number }>(
        db,
        `SELECT week_day AS weekday, day_hour AS hour, visitors FROM (
            SELECT ${cell('created_at')}, uniqExact(session_id) AS visitors
            FROM website_event WHERE ${inFilteredRange} AND event_type = ${eventType.pageview}${query.filter.sql}
            GROUP BY week_day, day_hour)`,
        { ...paramsOf(query), timezone: query.timezone },
      );
  const grid = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
  for (const { weekday, hour, visitors } of found) grid[weekday]![hour] = Number(visitors);
  return grid;
}
