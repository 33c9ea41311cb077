import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { rows } from '../storage/client';
import { adClickIds } from '../shared/channels';
import { inFilteredRange, paramsOf, type FilteredRange } from './visitor-reads';

export const attributionFields = ['referrer', 'paidAds', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'] as const;

/** The ad network of a query string (the expression `query`), or ''. */
const adNetworkOf = (query: string) =>
  `multiIf(${adClickIds.map(([param, name]) => `extractURLParameter(concat('?', ${query}), '${param}') != '', '${name}'`).join(', ')}, '')`;
export type AttributionField = (typeof attributionFields)[number];

export interface AttributionQuery extends FilteredRange {
  /** The conversion: pageviews of a path, or a custom event. */
  goal: { type: 'path' | 'event'; value: string };
  model: 'first-click' | 'last-click';
  /** Ours (Umami's before 3.0): credit the revenue of the conversions' orders in this currency (upper case) instead of visitors. */
  currency?: string;
}

export interface Attribution {
  fields: Record<AttributionField, { name: string; value: number }[]>;
  /** `revenue`: with a currency, the conversions' orders summed. */
  total: { pageviews: number; visitors: number; visits: number; revenue?: number };
}

/**
 * Each converted session: its last conversion, conversions, visits and `value` (1, or with a
 * currency the revenue of its converting orders). With a currency a conversion is an order in it
 * (each order once: website_revenue keeps one row per order) placed on a goal event: the custom
 * event `step`, or any event on the page `step`.
 */
function conversions(query: AttributionQuery): string {
  if (query.currency === undefined) {
    const column = query.goal.type === 'path' ? 'url_path' : 'event_name';
    const type = query.goal.type === 'path' ? eventType.pageview : eventType.custom;
    return `SELECT session_id, max(created_at) AS converted_at, count() AS conversions, uniqExact(visit_id) AS visits, toFloat64(1) AS value
      FROM website_event WHERE ${inFilteredRange} AND event_type = ${type} AND ${column} = {goal:String}${query.filter.sql} GROUP BY session_id`;
  }
  const onGoal = query.goal.type === 'path' ? 'url_path = {goal:String}' : `event_type = ${eventType.custom} AND event_name = {goal:String}`;
  return `SELECT session_id, max(created_at) AS converted_at, count() AS conversions, uniqExact(visit_id) AS visits, sum(toFloat64(revenue)) AS value
    FROM website_revenue FINAL
    WHERE ${inFilteredRange} AND currency = {currency:String}
      AND event_id IN (SELECT event_id FROM website_event WHERE ${inFilteredRange} AND ${onGoal}${query.filter.sql})
    GROUP BY session_id`;
}

/**
 * Umami's attribution: the visitors (sessions) who converted in the range, credited to the
 * referrer and UTM values of one event of theirs: the first in the range (first-click) or the
 * last before their last conversion (last-click). A referrer on the page's own host does not
 * count; `paidAds` names the ad network whose click id that event's query string carries. The 20
 * values with the most visitors per field.
 */
export async function attribution(db: ClickHouseClient, query: AttributionQuery): Promise<Attribution> {
  const params = {
    ...paramsOf(query),
    goal: query.goal.value,
    currency: query.currency ?? '',
    firstClick: query.model === 'first-click' ? '1' : '0',
  };
  // One query: each converted session's events joined with its last conversion (reading the
  // converted sessions' events alone, through an IN set, was no faster: they lie in every
  // granule), credited per field and value in a map, and the totals beside. The touch carries
  // the query string itself: its ad network is read for the credited event only. The touch is one
  // string of its fields joined by NUL (stored text holds no control characters): argMax keeps a
  // string in place, where a tuple of seven went through a generic copy on every newer event
  // (380 → 250–350 ms a month at ten million events).
  const [row] = await rows<{ pageviews: number; visitors: number; visits: number; revenue: number; credits: Record<string, number> }>(
    db,
    `SELECT toUInt64(sum(conversions)) AS pageviews, count() AS visitors, toUInt64(sum(visits)) AS visits, sum(value) AS revenue,
       sumMap(arrayMap(p -> concat(p.1, '|', p.2), pairs), arrayMap(p -> value, pairs)) AS credited,
       CAST(credited, 'Map(String, Float64)') AS credits
     FROM (
       SELECT any(conversions) AS conversions, any(visits) AS visits, any(value) AS value,
         splitByChar('\\0', if({firstClick:UInt8} = 1, argMin(touch, created_at), argMaxIf(touch, created_at, created_at < converted_at))) AS touched,
         arrayFilter(p -> p.2 != '', [('referrer', touched[1]), ('paidAds', ${adNetworkOf('touched[2]')}), ('utm_source', touched[3]),
           ('utm_medium', touched[4]), ('utm_campaign', touched[5]), ('utm_content', touched[6]), ('utm_term', touched[7])]) AS pairs
       FROM (
         SELECT e.session_id AS session_id, e.created_at AS created_at, c.converted_at AS converted_at, c.conversions AS conversions, c.visits AS visits,
           c.value AS value,
           concat(if(e.referrer_domain != e.hostname, e.referrer_domain, ''), '\\0', e.url_query, '\\0', e.utm_source, '\\0', e.utm_medium, '\\0',
             e.utm_campaign, '\\0', e.utm_content, '\\0', e.utm_term) AS touch
         FROM website_event AS e
         INNER JOIN (${conversions(query)}) AS c ON e.session_id = c.session_id
         WHERE e.website_id = {websiteId:UUID}
           AND e.created_at BETWEEN fromUnixTimestamp64Milli({startAt:Int64}) AND fromUnixTimestamp64Milli({endAt:Int64}))
       GROUP BY session_id)`,
    params,
  );
  // Revenue to the fourth decimal, as it is stored (the sums were of floats).
  const exact = (value: unknown) => Math.round(Number(value) * 10_000) / 10_000;
  const fields = Object.fromEntries(attributionFields.map((field) => [field, [] as { name: string; value: number }[]])) as Attribution['fields'];
  for (const [key, value] of Object.entries(row?.credits ?? {})) {
    const cut = key.indexOf('|');
    fields[key.slice(0, cut) as AttributionField]?.push({ name: key.slice(cut + 1), value: exact(value) });
  }
  // The 20 values with the most visitors per field, ties by name in byte order (as ClickHouse sorts).
  for (const field of attributionFields) {
    fields[field] = fields[field].sort((a, b) => b.value - a.value || Buffer.compare(Buffer.from(a.name), Buffer.from(b.name))).slice(0, 20);
  }
  const total = {
    pageviews: Number(row?.pageviews ?? 0),
    visitors: Number(row?.visitors ?? 0),
    visits: Number(row?.visits ?? 0),
    ...(query.currency === undefined ? {} : { revenue: exact(row?.revenue ?? 0) }),
  };
  return { fields, total };
}
