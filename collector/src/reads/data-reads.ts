import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { rows } from '../storage/client';
import { bucketOf, type BucketUnit } from './time-buckets';
import { inFilteredRange, paramsOf, type FilteredRange } from './visitor-reads';
import { type FilterName, umamiNames } from './umami-names';

// Reads of the data sites attach to events (website_event.event_data) and to visitors
// (session_data.data, by identify), and of custom events themselves, in Umami's current shapes.
// Data is stored as the JSON the beacon carried; top-level keys are its properties.

/**
 * Umami's data types from a raw JSON value: 1 string, 2 number, 3 boolean, 4 date (a string
 * starting like an ISO date-time), 5 array; a nested object counts as a string (of JSON).
 */
export const dataTypeOf = (value: string) => `multiIf(
    startsWith(${value}, '"') AND match(${value}, '^"\\\\d{4}-\\\\d{2}-\\\\d{2}T'), 4,
    startsWith(${value}, '"'), 1,
    ${value} IN ('true', 'false'), 3,
    startsWith(${value}, '['), 5,
    startsWith(${value}, '{'), 1,
    2)`;

/** A raw JSON value as text: a string as itself, anything else as JSON writes it. */
export const valueText = (value: string) => `if(startsWith(${value}, '"'), JSONExtractString(concat('[', ${value}, ']'), 1), ${value})`;

/** Each (custom event, property, raw value) of the range's events under the filters. */
const eventProperties = (query: FilteredRange, eventName?: string) =>
  `SELECT event_id, event_name, kv.1 AS property, kv.2 AS raw, created_at FROM website_event ARRAY JOIN JSONExtractKeysAndValuesRaw(event_data) AS kv
    WHERE ${inFilteredRange} AND event_type = ${eventType.custom} AND event_data != ''${eventName === undefined ? '' : ' AND event_name = {eventName:String}'}${query.filter.sql}`;

/** `/event-data/fields`: each property with its type and how often it was sent. */
export function eventDataFields(db: ClickHouseClient, query: FilteredRange & { eventName?: string }) {
  return rows<{ propertyName: string; dataType: number; total: number }>(
    db,
    `SELECT property AS propertyName, any(${dataTypeOf('raw')}) AS dataType, count() AS total FROM (${eventProperties(query, query.eventName)})
      GROUP BY propertyName ORDER BY total DESC, propertyName LIMIT 500`,
    { ...paramsOf(query), eventName: query.eventName ?? '' },
  );
}

/** `/event-data/values`: the most sent values of one property (of one event, if named). */
export function eventDataValues(db: ClickHouseClient, query: FilteredRange & { eventName?: string; propertyName: string }) {
  return rows<{ value: string; total: number }>(
    db,
    `SELECT ${valueText('raw')} AS value, count() AS total FROM (${eventProperties(query, query.eventName)}) WHERE property = {propertyName:String}
      GROUP BY value ORDER BY total DESC, value LIMIT 100`,
    { ...paramsOf(query), eventName: query.eventName ?? '', propertyName: query.propertyName },
  );
}

/** `/event-data/stats`: events carrying data, distinct properties, and (event, property) records. */
export async function eventDataStats(db: ClickHouseClient, query: FilteredRange) {
  const [row] = await rows<{ events: number; properties: number; records: number }>(
    db,
    `SELECT uniqExact(event_id) AS events, uniqExact(property) AS properties, count() AS records FROM (${eventProperties(query)})`,
    paramsOf(query),
  );
  return row ?? { events: 0, properties: 0, records: 0 };
}

export interface EventProperty {
  dataKey: string;
  dataType: number;
  stringValue: string | null;
  numberValue: number | null;
  dateValue: string | null;
  createdAt: string;
}

/** One property of stored data in Umami's row shape (its value in the column of its type). */
function propertyOf(dataKey: string, raw: string, dataType: number, createdAt: string): EventProperty {
  const text = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  return {
    dataKey,
    dataType,
    stringValue: text,
    numberValue: dataType === 2 ? Number(raw) : null,
    dateValue: dataType === 4 ? text : null,
    createdAt,
  };
}

interface RawProperty {
  eventId: string;
  eventName: string;
  property: string;
  raw: string;
  dataType: number;
  createdAt: string;
}

const rawProperties = (where: string) =>
  `SELECT toString(event_id) AS eventId, event_name AS eventName, kv.1 AS property, kv.2 AS raw, ${dataTypeOf('kv.2')} AS dataType, created_at AS createdAt
    FROM website_event ARRAY JOIN JSONExtractKeysAndValuesRaw(event_data) AS kv WHERE ${where}`;

/** `/event-data/:eventId`: one event's properties, by key; empty when it has none. */
export async function eventDataOf(db: ClickHouseClient, { websiteId, eventId }: { websiteId: string; eventId: string }) {
  const found = await rows<RawProperty>(
    db,
    `${rawProperties(`website_id = {websiteId:UUID} AND event_id = {eventId:UUID} AND event_data != ''`)} ORDER BY property LIMIT 1000`,
    { websiteId, eventId },
  );
  return found.map(({ eventId: id, property, raw, dataType, createdAt }) => ({
    id,
    websiteEventId: id,
    websiteId,
    ...propertyOf(property, raw, dataType, createdAt),
  }));
}

/** `/event-data`: the range's custom events with data, newest first, a page at a time, each with its properties. */
export async function eventDataList(db: ClickHouseClient, query: FilteredRange & { page: number; pageSize: number }) {
  const where = `${inFilteredRange} AND event_type = ${eventType.custom} AND event_data != ''${query.filter.sql}`;
  const params = { ...paramsOf(query), limit: query.pageSize, offset: (query.page - 1) * query.pageSize };
  const [ids, total] = await Promise.all([
    rows<{ id: string }>(
      db,
      `SELECT toString(event_id) AS id FROM website_event WHERE ${where} ORDER BY created_at DESC, event_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
      params,
    ),
    rows<{ n: number }>(db, `SELECT count() AS n FROM website_event WHERE ${where}`, params),
  ]);
  const properties =
    ids.length === 0
      ? []
      : await rows<RawProperty>(db, `${rawProperties(`${where} AND event_id IN {ids:Array(UUID)}`)} ORDER BY created_at DESC, eventId, property`, {
          ...params,
          ids: ids.map((row) => row.id),
        });
  const events = new Map<string, { eventId: string; eventName: string; websiteId: string; eventProperties: EventProperty[] }>();
  for (const { eventId, eventName, property, raw, dataType, createdAt } of properties) {
    const event = events.get(eventId) ?? { eventId, eventName, websiteId: query.websiteId, eventProperties: [] };
    event.eventProperties.push(propertyOf(property, raw, dataType, createdAt));
    events.set(eventId, event);
  }
  return { data: [...events.values()], count: total[0]?.n ?? 0, page: query.page, pageSize: query.pageSize };
}

/** Whole days from a rollup (`inRollup` on its rows), the rest of the range from the events (`inEvents`), with every parameter both name. */
export interface DaySplit {
  inRollup: string;
  inEvents: string;
  params: Record<string, unknown>;
}

type EventFigures = { events: number; visitors: number; visits: number; uniqueEvents: number };

/**
 * `/events/stats`: custom events, the visitors and visits that sent them, and distinct event
 * names; with a `split` (no filters), the whole days from daily_custom_events.
 */
export async function customEventStats(db: ClickHouseClient, query: FilteredRange, split: DaySplit | null = null): Promise<EventFigures> {
  const [row] = split
    ? await rows<EventFigures>(
        db,
        `SELECT toUInt64(sum(sent)) AS events, uniqCombinedMerge(17)(senders) AS visitors, uniqCombinedMerge(17)(sending_visits) AS visits,
            uniqExact(name) AS uniqueEvents
          FROM (
            SELECT event_name AS name, events AS sent, visitors AS senders, visits AS sending_visits FROM daily_custom_events WHERE ${split.inRollup}
            UNION ALL
            SELECT event_name AS name, count() AS sent, uniqCombinedState(17)(session_id) AS senders, uniqCombinedState(17)(visit_id) AS sending_visits
            FROM website_event WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.custom} AND ${split.inEvents}
            GROUP BY name
          )`,
        split.params,
      )
    : await rows<EventFigures>(
        db,
        `SELECT count() AS events, uniqCombined(17)(session_id) AS visitors, uniqCombined(17)(visit_id) AS visits, uniqExact(event_name) AS uniqueEvents
          FROM website_event WHERE ${inFilteredRange} AND event_type = ${eventType.custom}${query.filter.sql}`,
        paramsOf(query),
      );
  return row ?? { events: 0, visitors: 0, visits: 0, uniqueEvents: 0 };
}

/** `/events/series`: custom events per name `x` and bucket `t` of `unit` in `timezone`; `limit` keeps the most sent names. */
export function customEventSeries(db: ClickHouseClient, query: FilteredRange & { unit: BucketUnit; timezone: string; limit: number }) {
  const where = `${inFilteredRange} AND event_type = ${eventType.custom}${query.filter.sql}`;
  return rows<{ x: string; t: string; y: number }>(
    db,
    `SELECT event_name AS x, formatDateTime(${bucketOf[query.unit]('created_at')}, '%Y-%m-%d %H:%i:%S', {timezone:String}) AS t, count() AS y
      FROM website_event
      WHERE ${where} AND event_name IN (SELECT event_name FROM website_event WHERE ${where} GROUP BY event_name ORDER BY count() DESC, event_name LIMIT {limit:UInt32})
      GROUP BY x, t ORDER BY t, x`,
    { ...paramsOf(query), timezone: query.timezone, limit: query.limit },
  );
}

/** What a filter's values are offered from besides its column: referrers of other sites only (as the referrer metric shows them), events' names of custom events. */
const valuesOnlyWhere: Partial<Record<FilterName, string>> = { referrer: ' AND referrer_domain != hostname', event: ` AND event_type = ${eventType.custom}` };

/** `/values`: the most frequent values of a filter in the range (for its autocompletion), `search` narrowing them. */
export function columnValues(db: ClickHouseClient, query: FilteredRange & { name: FilterName; search: string }) {
  const column = `toString(${umamiNames[query.name].column})`;
  const search = query.search ? ` AND positionCaseInsensitiveUTF8(${column}, {search:String}) > 0` : '';
  return rows<{ value: string; count: number }>(
    db,
    `SELECT ${column} AS value, count() AS count FROM website_event
      WHERE ${inFilteredRange} AND ${column} != ''${valuesOnlyWhere[query.name] ?? ''}${search}${query.filter.sql}
      GROUP BY value ORDER BY count DESC, value LIMIT 100`,
    { ...paramsOf(query), search: query.search },
  );
}

/**
 * The sessions with `identify` data and an event in the range under the filters. The events are
 * matched against the (small) set of identified sessions, never the other way round: a month of
 * ten million events has a million sessions, and building that set cost 400 ms.
 */
export const activeIdentifiedSessions = (query: FilteredRange) => `SELECT DISTINCT session_id FROM website_event
    WHERE ${inFilteredRange}${query.filter.sql}
      AND session_id IN (SELECT session_id FROM session_data WHERE website_id = {websiteId:UUID} AND data != '')`;

/** Each session's latest value of each identify property, for sessions with an event in the range under the filters. */
const sessionPropertiesOf = (query: FilteredRange) => `SELECT session_id, kv.1 AS property, argMax(kv.2, created_at) AS raw FROM session_data
    ARRAY JOIN JSONExtractKeysAndValuesRaw(data) AS kv
    WHERE website_id = {websiteId:UUID} AND data != '' AND session_id IN (${activeIdentifiedSessions(query)})
    GROUP BY session_id, property`;

/** `/session-data/properties`: each identify property with its type and how many sessions have it. */
export function sessionDataProperties(db: ClickHouseClient, query: FilteredRange) {
  return rows<{ propertyName: string; dataType: number; total: number }>(
    db,
    `SELECT property AS propertyName, any(${dataTypeOf('raw')}) AS dataType, uniqExact(session_id) AS total FROM (${sessionPropertiesOf(query)})
      GROUP BY propertyName ORDER BY total DESC, propertyName LIMIT 500`,
    paramsOf(query),
  );
}

/** `/session-data/values`: the values of one identify property, by how many sessions have each. */
export function sessionDataValues(db: ClickHouseClient, query: FilteredRange & { propertyName: string }) {
  return rows<{ value: string; total: number }>(
    db,
    `SELECT ${valueText('raw')} AS value, uniqExact(session_id) AS total FROM (${sessionPropertiesOf(query)}) WHERE property = {propertyName:String}
      GROUP BY value ORDER BY total DESC, value LIMIT 100`,
    { ...paramsOf(query), propertyName: query.propertyName },
  );
}

/** `/session-data/stats`: per value of one identify property, its sessions and what they did in the range. */
export function sessionDataStats(db: ClickHouseClient, query: FilteredRange & { propertyName: string }) {
  return rows<{ label: string; sessions: number; visits: number; views: number; events: number }>(
    db,
    `SELECT p.label AS label, uniqExact(e.session_id) AS sessions, uniqExact(e.visit_id) AS visits,
        countIf(e.event_type = ${eventType.pageview}) AS views, countIf(e.event_type = ${eventType.custom}) AS events
      FROM (SELECT session_id, ${valueText('raw')} AS label FROM (${sessionPropertiesOf(query)}) WHERE property = {propertyName:String}) AS p
      INNER JOIN (SELECT session_id, visit_id, event_type FROM website_event WHERE ${inFilteredRange}${query.filter.sql}
        AND session_id IN (SELECT session_id FROM session_data WHERE website_id = {websiteId:UUID} AND data != '')) AS e ON e.session_id = p.session_id
      GROUP BY label ORDER BY sessions DESC, label LIMIT 100`,
    { ...paramsOf(query), propertyName: query.propertyName },
  );
}
