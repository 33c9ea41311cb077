import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { rows } from '../storage/client';
import type { RealtimeEvent } from '../api/analytics-schemas';

/** "Active" means an event in the last 5 minutes; the realtime view covers 30. */
export const activeWindowMs = 5 * 60_000;
export const realtimeWindowMs = 30 * 60_000;

const since = `website_id = {websiteId:UUID} AND created_at >= fromUnixTimestamp64Milli({since:Int64})`;

/** `{visitors}`: distinct sessions with an event in the last 5 minutes (after `resetAt`, when the website was just reset). */
export async function queryActive(db: ClickHouseClient, websiteId: string, now = Date.now(), resetAt = 0) {
  const [row] = await rows<{ visitors: number }>(db, `SELECT uniq(session_id) AS visitors FROM website_event WHERE ${since}`, {
    websiteId,
    since: Math.max(now - activeWindowMs, resetAt + 1),
  });
  return { visitors: row?.visitors ?? 0 };
}

const toRecord = (list: { x: string; y: number }[]) => Object.fromEntries(list.map(({ x, y }) => [x, y]));

/** Umami's realtime view of the last 30 minutes: totals, per-minute series, top lists, recent events. */
export async function queryRealtime(db: ClickHouseClient, websiteId: string, now = Date.now(), resetAt = 0) {
  const params = { websiteId, since: Math.max(now - realtimeWindowMs, resetAt + 1) };
  const top = (column: string, y: string, where = '') =>
    rows<{ x: string; y: number }>(
      db,
      `SELECT ${column} AS x, ${y} AS y FROM website_event WHERE ${since} AND event_type = ${eventType.pageview}${where}
        GROUP BY x ORDER BY y DESC, x LIMIT 100`,
      params,
    );
  const [totals, series, urls, referrers, countries, events] = await Promise.all([
    rows<{ views: number; visitors: number; events: number; countries: number }>(
      db,
      `SELECT countIf(event_type = ${eventType.pageview}) AS views, uniq(session_id) AS visitors,
          countIf(event_type = ${eventType.custom}) AS events, uniqIf(country, country != '') AS countries
        FROM website_event WHERE ${since}`,
      params,
    ),
    rows<{ x: string; views: number; visitors: number }>(
      db,
      `SELECT formatDateTime(toStartOfMinute(created_at), '%Y-%m-%dT%H:%i:00Z') AS x, countIf(event_type = ${eventType.pageview}) AS views,
          uniq(session_id) AS visitors
        FROM website_event WHERE ${since} GROUP BY x ORDER BY x`,
      params,
    ),
    top('url_path', 'count()'),
    top('referrer_domain', 'uniq(session_id)', " AND referrer_domain != '' AND referrer_domain != hostname"),
    top('country', 'uniq(session_id)', " AND country != ''"),
    rows<RealtimeEvent>(
      db,
      `SELECT if(event_type = ${eventType.custom}, 'event', 'pageview') AS __type, session_id AS sessionId, event_name AS eventName,
          created_at AS createdAt, url_path AS urlPath, referrer_domain AS referrerDomain, hostname, browser, os, device, country
        FROM website_event WHERE ${since} AND event_type IN (${eventType.pageview}, ${eventType.custom})
        ORDER BY created_at DESC LIMIT 100`,
      params,
    ),
  ]);
  const total = totals[0] ?? { views: 0, visitors: 0, events: 0, countries: 0 };
  return {
    countries: toRecord(countries),
    events,
    referrers: toRecord(referrers),
    series: {
      views: series.map(({ x, views }) => ({ x, y: views })),
      visitors: series.map(({ x, visitors }) => ({ x, y: visitors })),
    },
    timestamp: now,
    totals: { views: total.views, visitors: total.visitors, events: total.events, countries: total.countries },
    urls: toRecord(urls),
  };
}
