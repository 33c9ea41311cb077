import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { rows } from './client';

export const attributionFields = ['referrer', 'paidAds', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'] as const;

/** The ad networks whose click id in a landing page's query string marks a paid visit (Umami's names), the first found winning. */
export const adClickIds = [
  ['gclid', 'Google Ads'],
  ['fbclid', 'Facebook / Meta'],
  ['msclkid', 'Microsoft Ads'],
  ['ttclid', 'TikTok Ads'],
  ['li_fat_id', 'LinkedIn Ads'],
  ['twclid', 'Twitter Ads (X)'],
] as const;
/** The ad network of a query string (the expression `query`), or ''. */
const adNetworkOf = (query: string) =>
  `multiIf(${adClickIds.map(([param, name]) => `extractURLParameter(concat('?', ${query}), '${param}') != '', '${name}'`).join(', ')}, '')`;
export type AttributionField = (typeof attributionFields)[number];

export interface AttributionQuery {
  websiteId: string;
  startAt: number;
  endAt: number;
  filterConditions: string;
  params: Record<string, string>;
  /** The conversion: pageviews of a path, or a custom event. */
  goal: { type: 'path' | 'event'; value: string };
  model: 'first-click' | 'last-click';
}

export interface Attribution {
  fields: Record<AttributionField, { name: string; value: number }[]>;
  total: { pageviews: number; visitors: number; visits: number };
}

/**
 * Umami's attribution: the visitors (sessions) who converted in the range, credited to the
 * referrer and UTM values of one event of theirs: the first in the range (first-click) or the
 * last before their last conversion (last-click). A referrer on the page's own host does not
 * count; `paidAds` names the ad network whose click id that event's query string carries. The 20
 * values with the most visitors per field.
 */
export async function attribution(db: ClickHouseClient, query: AttributionQuery): Promise<Attribution> {
  const column = query.goal.type === 'path' ? 'url_path' : 'event_name';
  const type = query.goal.type === 'path' ? eventType.pageview : eventType.custom;
  const inRange = `website_id = {websiteId:UUID}
    AND created_at BETWEEN fromUnixTimestamp64Milli({startAt:Int64}) AND fromUnixTimestamp64Milli({endAt:Int64})`;
  const isGoal = `event_type = ${type} AND ${column} = {goal:String}`;
  const params = {
    ...query.params,
    websiteId: query.websiteId,
    startAt: String(query.startAt),
    endAt: String(query.endAt),
    goal: query.goal.value,
    firstClick: query.model === 'first-click' ? '1' : '0',
  };
  // The touch carries the query string itself: its ad network is read for the credited event only.
  const [credited, totals] = await Promise.all([
    // Each converted session's events joined with its last conversion (reading the converted
    // sessions' events alone, through an IN set, was no faster: they lie in every granule).
    rows<{ field: AttributionField; name: string; value: number }>(
      db,
      `SELECT pair.1 AS field, pair.2 AS name, count() AS value FROM (
         SELECT if({firstClick:UInt8} = 1, argMin(touch, created_at), argMaxIf(touch, created_at, created_at < converted_at)) AS credited
         FROM (
           SELECT e.session_id AS session_id, e.created_at AS created_at, c.converted_at AS converted_at,
             (if(e.referrer_domain != e.hostname, e.referrer_domain, ''), e.url_query, e.utm_source, e.utm_medium, e.utm_campaign, e.utm_content, e.utm_term) AS touch
           FROM website_event AS e
           INNER JOIN (SELECT session_id, max(created_at) AS converted_at FROM website_event WHERE ${inRange} AND ${isGoal}${query.filterConditions} GROUP BY session_id) AS c
             ON e.session_id = c.session_id
           WHERE e.website_id = {websiteId:UUID}
             AND e.created_at BETWEEN fromUnixTimestamp64Milli({startAt:Int64}) AND fromUnixTimestamp64Milli({endAt:Int64}))
         GROUP BY session_id)
       ARRAY JOIN [('referrer', credited.1), ('paidAds', ${adNetworkOf('credited.2')}), ('utm_source', credited.3), ('utm_medium', credited.4),
                   ('utm_campaign', credited.5), ('utm_content', credited.6), ('utm_term', credited.7)] AS pair
       WHERE pair.2 != ''
       GROUP BY field, name ORDER BY field, value DESC, name LIMIT 20 BY field`,
      params,
    ),
    rows<{ pageviews: number; visitors: number; visits: number }>(
      db,
      `SELECT count() AS pageviews, uniqExact(session_id) AS visitors, uniqExact(visit_id) AS visits FROM website_event
       WHERE ${inRange} AND ${isGoal}${query.filterConditions}`,
      params,
    ),
  ]);
  const fields = Object.fromEntries(attributionFields.map((field) => [field, [] as { name: string; value: number }[]])) as Attribution['fields'];
  for (const { field, name, value } of credited) fields[field].push({ name, value });
  return { fields, total: totals[0] ?? { pageviews: 0, visitors: 0, visits: 0 } };
}
