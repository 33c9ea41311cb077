import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { dayMs, hourMs } from '../shared/time';
import { ApiError } from '../errors';
import { rows } from '../storage/client';
import { inRange, inScope, scopeParams, type Scope } from './query-vocabulary';
import type { EventRow, PropertyRow, PropertyValueRow, SessionRow } from '../api/analytics-schemas';
import { eventDataSplit } from './rollup-choice';
import { dataTypeOf, valueText } from './data-reads';

export interface Paging {
  page: number;
  pageSize: number;
  search?: string;
}

const pageParams = ({ page, pageSize, search }: Paging) => ({ limit: pageSize, offset: (page - 1) * pageSize, search: search ?? '' });

/** Windows back from the range's end in which to look for the newest events or sessions. */
const recentWindowsMs = [hourMs, 6 * hourMs, dayMs, 7 * dayMs];

/** Events (pageviews and custom events), newest first, in Umami's shape. */
export async function queryEvents(db: ClickHouseClient, scope: Scope, paging: Paging) {
  const search = paging.search
    ? ` AND (positionCaseInsensitiveUTF8(url_path, {search:String}) > 0 OR positionCaseInsensitiveUTF8(event_name, {search:String}) > 0)`
    : '';
  // Every stored event is a pageview or a custom event (identify calls go to session_data), so
  // no condition on event_type: the count then needs no column beyond the sorting key's.
  const where = `${inScope(scope)}${search}`;
  const params = { ...scopeParams(scope), ...pageParams(paging) };
  const [windowStart, total] = await Promise.all([
    // The shortest window holding the page, so the newest events are sorted from a few thousand rows.
    inRecentWindows(scope, async (from) => {
      if (from === scope.startAt) return from;
      const [row] = await rows<{ n: number }>(
        db,
        `SELECT count() AS n FROM website_event WHERE ${where} AND created_at >= fromUnixTimestamp64Milli({from:Int64})`,
        { ...params, from },
      );
      return (row?.n ?? 0) >= params.offset + params.limit ? from : null;
    }),
    rows<{ n: number }>(db, `SELECT count() AS n FROM website_event WHERE ${where}`, params),
  ]);
  const data = await rows<EventRow>(
    db,
    `SELECT event_id AS id, website_id AS websiteId, session_id AS sessionId, visit_id AS visitId, created_at AS createdAt,
        hostname, url_path AS urlPath, url_query AS urlQuery, referrer_path AS referrerPath, referrer_query AS referrerQuery,
        referrer_domain AS referrerDomain, page_title AS pageTitle, event_type AS eventType, event_name AS eventName,
        browser, os, device, country, tag
      FROM website_event WHERE ${where} AND created_at >= fromUnixTimestamp64Milli({windowStart:Int64})
      ORDER BY created_at DESC LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    { ...params, windowStart },
  );
  return { data, count: total[0]?.n ?? 0, page: paging.page, pageSize: paging.pageSize };
}

/**
 * Tries `attempt` on windows back from the range's end (1 hour, 6 hours, a day, a week), the
 * shortest first, and returns its first answer; when none holds enough (`attempt` answers null),
 * it is called with the range's start, where it must answer.
 */
async function inRecentWindows<T>(scope: Scope, attempt: (windowStart: number) => Promise<T | null>): Promise<T> {
  for (const windowMs of recentWindowsMs) {
    const windowStart = scope.endAt - windowMs;
    if (windowStart <= scope.startAt) break;
    const found = await attempt(windowStart);
    if (found !== null) return found;
  }
  return (await attempt(scope.startAt))!;
}

/**
 * The deepest row a list (events, sessions, metrics) serves. Deeper pages cost the engine a sort
 * of everything above them, and nobody reads past the ten-thousandth row: narrow the range or
 * filter instead (400 says so).
 */
export const maxListDepth = 10_000;
export const checkDepth = ({ page, pageSize }: { page: number; pageSize: number }) => {
  if (page * pageSize > maxListDepth) throw new ApiError('badRequest', `page × pageSize must be at most ${maxListDepth}; narrow the range or filter instead`);
};

/**
 * Sessions seen in the range, most recently active first, in Umami's shape. The page of session
 * ids is found first, then only those sessions are read in full. `payingIn`: only the sessions
 * with an order in that currency in the range (Umami's `/revenue/sessions`).
 */
export async function querySessions(db: ClickHouseClient, scope: Scope, paging: Paging, only: { payingIn?: string } = {}) {
  const params = { ...scopeParams(scope), ...pageParams(paging), currency: only.payingIn ?? '' };
  const search = paging.search ? ` AND positionCaseInsensitiveUTF8(concat(browser, ' ', os, ' ', device, ' ', country, ' ', city), {search:String}) > 0` : '';
  const paying = only.payingIn
    ? ` AND session_id IN (SELECT session_id FROM website_revenue FINAL WHERE website_id = {websiteId:UUID} AND currency = {currency:String}
        AND created_at BETWEEN fromUnixTimestamp64Milli({startAt:Int64}) AND fromUnixTimestamp64Milli({endAt:Int64}))`
    : '';
  const where = `${inScope(scope)}${search}${paying}`;
  const wanted = params.offset + params.limit;
  const [ids, total] = await Promise.all([
    // The sessions active in the window are exactly the most recent ones, so the shortest window
    // holding the page is enough.
    inRecentWindows(scope, async (from) => {
      const found = await rows<{ id: string }>(
        db,
        `SELECT session_id AS id FROM website_event
          WHERE ${where} AND created_at >= fromUnixTimestamp64Milli({from:Int64})
          GROUP BY session_id ORDER BY max(created_at) DESC, id LIMIT {wanted:UInt32}`,
        { ...params, from, wanted },
      );
      return found.length >= wanted || from === scope.startAt ? found.slice(params.offset).map((row) => row.id) : null;
    }),
    // The headline visitors' estimate: exact up to about ten thousand, within about 0.3% beyond.
    rows<{ n: number }>(db, `SELECT uniqCombined(17)(session_id) AS n FROM website_event WHERE ${where}`, params),
  ]);
  const data =
    ids.length === 0
      ? []
      : await rows<SessionRow>(
          db,
          // The session_id bloom filter skips the granules holding none of the page's sessions. The
          // rows are chosen in a subquery: in ClickHouse an alias such as `any(browser) AS browser`
          // would stand for the column in a WHERE beside it (a filter on browser failed).
          `SELECT session_id AS id, website_id AS websiteId, any(hostname) AS hostname, any(browser) AS browser, any(os) AS os,
              any(device) AS device, any(screen) AS screen, any(language) AS language, any(country) AS country, any(region) AS region,
              any(city) AS city, min(created_at) AS firstAt, max(created_at) AS lastAt, uniq(visit_id) AS visits,
              countIf(event_type = ${eventType.pageview}) AS views, countIf(event_type = ${eventType.custom}) AS events,
              min(created_at) AS createdAt
            FROM (
              SELECT session_id, website_id, hostname, browser, os, device, screen, language, country, region, city, created_at,
                visit_id, event_type
              FROM website_event WHERE ${where} AND session_id IN {ids:Array(UUID)}
            )
            GROUP BY session_id, website_id ORDER BY lastAt DESC, id`,
          { ...params, ids },
        );
  return { data, count: total[0]?.n ?? 0, page: paging.page, pageSize: paging.pageSize };
}

/**
 * The first and last event of a website, or nulls when it has none; events up to `resetAt` are
 * left out (a reset website whose old rows are still being deleted).
 */
export async function queryDateRange(db: ClickHouseClient, websiteId: string, resetAt = 0) {
  // event_hours (kept by a view) names the website's first and last hours with events, so only
  // those two hours of events are read (the events table is ordered by website and hour). When
  // either holds no events (none at all, or a reset emptied them), the events are read whole.
  const [hours] =
    resetAt > 0
      ? []
      : await rows<{ first: number; last: number; n: number }>(
          db,
          `SELECT toUnixTimestamp(min(hour)) AS first, toUnixTimestamp(max(hour)) AS last, count() AS n FROM event_hours WHERE website_id = {websiteId:UUID}`,
          { websiteId },
        );
  if (hours && hours.n > 0) {
    const [ends] = await rows<{ nFirst: number; nLast: number; startDate: string; endDate: string }>(
      db,
      `SELECT countIf(hour = toDateTime({first:UInt32}, 'UTC')) AS nFirst, minIf(created_at, hour = toDateTime({first:UInt32}, 'UTC')) AS startDate,
          countIf(hour = toDateTime({last:UInt32}, 'UTC')) AS nLast, maxIf(created_at, hour = toDateTime({last:UInt32}, 'UTC')) AS endDate
        FROM website_event
        WHERE website_id = {websiteId:UUID} AND (toStartOfHour(created_at) AS hour) IN (toDateTime({first:UInt32}, 'UTC'), toDateTime({last:UInt32}, 'UTC'))`,
      { websiteId, first: hours.first, last: hours.last },
    );
    if (ends && ends.nFirst > 0 && ends.nLast > 0) return { startDate: ends.startDate, endDate: ends.endDate };
  }
  const [row] = await rows<{ n: number; startDate: string; endDate: string }>(
    db,
    `SELECT count() AS n, min(created_at) AS startDate, max(created_at) AS endDate FROM website_event
      WHERE website_id = {websiteId:UUID} AND created_at > fromUnixTimestamp64Milli({resetAt:Int64})`,
    { websiteId, resetAt },
  );
  return row && row.n > 0 ? { startDate: row.startDate, endDate: row.endDate } : { startDate: null, endDate: null };
}

/**
 * Every (event, property, raw JSON value) of the range's custom events with how often it
 * occurred: without filters the whole days come from daily_event_data, the partial days at the
 * ends from the events.
 */
function propertyRows(scope: Scope, event: string | undefined): { sql: string; params: Record<string, unknown> } {
  const eventFilter = event ? ' AND event_name = {eventName:String}' : '';
  const fromEvents = (range: string) => `SELECT event_name AS eventName, kv.1 AS propertyName, kv.2 AS value, count() AS n
    FROM website_event ARRAY JOIN JSONExtractKeysAndValuesRaw(event_data) AS kv
    WHERE website_id = {websiteId:UUID} AND ${range} AND event_type = ${eventType.custom} AND event_data != ''${eventFilter}${scope.filter.sql}
    GROUP BY eventName, propertyName, value`;
  const split = eventDataSplit(scope);
  if (!split) return { sql: fromEvents(inRange), params: { ...scopeParams(scope), eventName: event ?? '' } };
  return {
    sql: `SELECT event_name AS eventName, property AS propertyName, value, toUInt64(total) AS n
        FROM daily_event_data WHERE ${split.inRollup}${eventFilter}
      UNION ALL
      ${fromEvents(split.inEvents)}`,
    params: { ...split.params, eventName: event ?? '' },
  };
}

/** Custom event properties: how often each (event, property) occurred. */
export async function queryEventDataProperties(db: ClickHouseClient, scope: Scope, event?: string) {
  const { sql, params } = propertyRows(scope, event);
  return rows<PropertyRow>(
    db,
    `SELECT eventName, propertyName, any(${dataTypeOf('value')}) AS dataType, toUInt64(sum(n)) AS total
      FROM (${sql})
      GROUP BY eventName, propertyName ORDER BY total DESC, eventName, propertyName LIMIT 500`,
    params,
  );
}

/** Custom event properties with their values: how often each (event, property, value) occurred. */
export async function queryEventDataEvents(db: ClickHouseClient, scope: Scope, event?: string) {
  const { sql, params } = propertyRows(scope, event);
  return rows<PropertyValueRow>(
    db,
    `SELECT eventName, propertyName, any(${dataTypeOf('value')}) AS dataType,
        ${valueText('value')} AS propertyValue, toUInt64(sum(n)) AS total
      FROM (${sql})
      GROUP BY eventName, propertyName, value ORDER BY total DESC, eventName, propertyName, propertyValue LIMIT 500`,
    params,
  );
}
