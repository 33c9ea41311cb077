import type { ClickHouseClient } from '@clickhouse/client';
import { eventType } from '../shared/event-types';
import { rows } from '../storage/client';
import { activeIdentifiedSessions, valueText } from './data-reads';
import { bucketOf, type BucketUnit } from './time-buckets';
import { inFilteredRange, paramsOf, type FilteredRange } from './visitor-reads';

// Pivots and series of one property of the data sites attach to custom events
// (`/event-data-pivot/*`) and to visitors (`/session-data/*-series`, `/session-data-pivot`).
// Each reads a "subject" (an event, or a session) with the property's raw JSON value and the
// times the subject was seen in the range; one series query then serves every kind.

/** Which data: one custom event's, or visitors' identify data. */
export type DataSubject = { of: 'event'; eventName: string } | { of: 'session' };

export type PropertyQuery = FilteredRange & DataSubject & { propertyName: string };

const eventsInRange = (query: FilteredRange) => `${inFilteredRange}${query.filter.sql}`;

/**
 * Rows (subject, at, raw): for an event, the event itself at its time; for a session, the
 * session's latest value of the property at each of its events in the range (so a session counts
 * in every bucket where it was active).
 */
function subjectValues(query: PropertyQuery): string {
  if (query.of === 'event')
    return `SELECT event_id AS subject, created_at AS at, JSONExtractRaw(event_data, {propertyName:String}) AS raw FROM website_event
      WHERE ${eventsInRange(query)} AND event_type = ${eventType.custom} AND event_name = {eventName:String} AND JSONHas(event_data, {propertyName:String})`;
  // The sessions with the property first (few), then their events in the range.
  const withProperty = `SELECT session_id FROM session_data WHERE website_id = {websiteId:UUID} AND JSONHas(data, {propertyName:String})`;
  return `SELECT e.session_id AS subject, e.created_at AS at, p.raw AS raw
    FROM (SELECT session_id, argMax(JSONExtractRaw(data, {propertyName:String}), created_at) AS raw FROM session_data
          WHERE website_id = {websiteId:UUID} AND JSONHas(data, {propertyName:String})
          GROUP BY session_id) AS p
    INNER JOIN (SELECT session_id, created_at FROM website_event WHERE ${eventsInRange(query)} AND session_id IN (${withProperty})) AS e
      ON e.session_id = p.session_id`;
}

const paramsFor = (query: PropertyQuery) => ({
  ...paramsOf(query),
  propertyName: query.propertyName,
  eventName: query.of === 'event' ? query.eventName : '',
});

export type SeriesKind = 'property' | 'array';
export const seriesValueLimit = 20;

/**
 * `property-series`: subjects per bucket `t` and value `x` (the 20 most frequent values);
 * `array-series`: the same per element of an array value (a subject counts once per element).
 */
export function propertySeries(db: ClickHouseClient, query: PropertyQuery & { kind: SeriesKind; unit: BucketUnit; timezone: string }) {
  const values = query.kind === 'array' ? `arrayJoin(arrayMap(item -> ${valueText('item')}, JSONExtractArrayRaw(raw)))` : valueText('raw');
  const pairs = `SELECT DISTINCT subject, t, x FROM (
      SELECT subject, ${bucketOf[query.unit]('at')} AS t, ${values} AS x FROM (${subjectValues(query)}) WHERE ${query.kind === 'array' ? "startsWith(raw, '[')" : '1'})`;
  // Counted once, then ranked by a window over the counts (a WITH subquery would run twice).
  return rows<{ t: string; x: string; y: number }>(
    db,
    `SELECT formatDateTime(bucket, '%Y-%m-%d %H:%i:%S', {timezone:String}) AS t, x, y FROM (
        SELECT bucket, x, y, dense_rank() OVER (ORDER BY total DESC, x) AS place FROM (
          SELECT bucket, x, y, sum(y) OVER (PARTITION BY x) AS total FROM (
            SELECT t AS bucket, x, count() AS y FROM (${pairs}) GROUP BY bucket, x)))
      WHERE place <= ${seriesValueLimit} ORDER BY bucket, x`,
    { ...paramsFor(query), timezone: query.timezone },
  );
}

export type NumericMetric = 'sum' | 'avg' | 'count';

/** `numeric-series`: per bucket, the sum, average or count of the numeric values (each subject once per bucket); non-numbers are skipped. */
export function numericSeries(db: ClickHouseClient, query: PropertyQuery & { metric: NumericMetric; unit: BucketUnit; timezone: string }) {
  const metric = { sum: 'sum(n)', avg: 'avg(n)', count: 'count()' }[query.metric];
  return rows<{ t: string; y: number }>(
    db,
    `SELECT formatDateTime(b, '%Y-%m-%d %H:%i:%S', {timezone:String}) AS t, toFloat64(${metric}) AS y FROM (
        SELECT subject, ${bucketOf[query.unit]('at')} AS b, assumeNotNull(any(toFloat64OrNull(raw))) AS n FROM (${subjectValues(query)})
        GROUP BY subject, b HAVING any(toFloat64OrNull(raw)) IS NOT NULL)
      GROUP BY b ORDER BY b`,
    { ...paramsFor(query), timezone: query.timezone },
  );
}

/** `numeric-stats`: the average, largest, median, smallest and total of the numeric values, each subject once; zeros when there are none. */
export async function numericStats(db: ClickHouseClient, query: PropertyQuery) {
  const [row] = await rows<{ average: number; max: number; median: number; min: number; total: number }>(
    db,
    `SELECT ifNotFinite(avg(n), 0) AS average, max(n) AS max, ifNotFinite(quantileExactInclusive(0.5)(n), 0) AS median, min(n) AS min, sum(n) AS total
      FROM (SELECT assumeNotNull(any(toFloat64OrNull(raw))) AS n FROM (${subjectValues(query)}) GROUP BY subject HAVING any(toFloat64OrNull(raw)) IS NOT NULL)`,
    paramsFor(query),
  );
  return row ?? { average: 0, max: 0, median: 0, min: 0, total: 0 };
}

/** `date-series`: subjects per local day of a date value (ISO date-time strings; others skipped), in `timezone`. */
export function dateSeries(db: ClickHouseClient, query: PropertyQuery & { timezone: string }) {
  return rows<{ t: string; y: number }>(
    db,
    `SELECT formatDateTime(d, '%Y-%m-%d %H:%i:%S', {timezone:String}) AS t, count() AS y FROM (
        SELECT subject, ${bucketOf.day("parseDateTime64BestEffortOrNull(JSONExtractString(concat('[', any(raw), ']'), 1), 3)")} AS d
        FROM (${subjectValues(query)}) GROUP BY subject)
      WHERE d IS NOT NULL GROUP BY d ORDER BY d`,
    { ...paramsFor(query), timezone: query.timezone },
  );
}

export interface PivotPage {
  page: number;
  pageSize: number;
  /** At most this many rows are counted and paged (`isCapped` says when there were more). */
  maxResults: number;
}

interface PivotRow {
  createdAt: string;
  propertyKeys: string[];
  propertyValues: string[];
}

const pivotOf = <Row>(found: { total: number }[], data: Row[], query: PivotPage) => {
  const total = Number(found[0]?.total ?? 0);
  return { data, count: Math.min(total, query.maxResults), page: query.page, pageSize: query.pageSize, isCapped: total > query.maxResults };
};

const keysAndTexts = (json: string) =>
  `arrayMap(kv -> kv.1, JSONExtractKeysAndValuesRaw(${json})) AS propertyKeys,
    arrayMap(kv -> ${valueText('kv.2')}, JSONExtractKeysAndValuesRaw(${json})) AS propertyValues`;

const pageParams = (query: PivotPage) => ({
  limit: Math.max(0, Math.min(query.pageSize, query.maxResults - (query.page - 1) * query.pageSize)),
  offset: (query.page - 1) * query.pageSize,
});

/** `/event-data-pivot`: the range's events of one name, newest first, each with its properties as parallel key and value lists. */
export async function eventDataPivot(db: ClickHouseClient, query: FilteredRange & { eventName: string } & PivotPage) {
  const where = `${eventsInRange(query)} AND event_type = ${eventType.custom} AND event_name = {eventName:String}`;
  const params = { ...paramsOf(query), eventName: query.eventName, ...pageParams(query) };
  const [data, found] = await Promise.all([
    rows<PivotRow & { eventId: string; eventName: string; sessionId: string; urlPath: string }>(
      db,
      `SELECT created_at AS createdAt, toString(event_id) AS eventId, event_name AS eventName, toString(session_id) AS sessionId, url_path AS urlPath,
          ${keysAndTexts('event_data')}
        FROM website_event WHERE ${where} ORDER BY created_at DESC, event_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
      params,
    ),
    rows<{ total: number }>(db, `SELECT count() AS total FROM website_event WHERE ${where}`, params),
  ]);
  return pivotOf(found, data, query);
}

/** `/session-data-pivot`: sessions active in the range that have a property, the latest identified first, with all their latest properties. */
export async function sessionDataPivot(db: ClickHouseClient, query: FilteredRange & { propertyName: string } & PivotPage) {
  const sessions = `SELECT session_id, max(identified) AS identified_at, arraySort(groupArray((key, value))) AS props
    FROM (SELECT session_id, kv.1 AS key, argMax(kv.2, created_at) AS value, max(created_at) AS identified FROM session_data
          ARRAY JOIN JSONExtractKeysAndValuesRaw(data) AS kv
          WHERE website_id = {websiteId:UUID} AND session_id IN (${activeIdentifiedSessions(query)})
          GROUP BY session_id, key)
    GROUP BY session_id HAVING arrayExists(p -> p.1 = {propertyName:String}, props)`;
  const params = { ...paramsOf(query), propertyName: query.propertyName, ...pageParams(query) };
  const [data, found] = await Promise.all([
    rows<PivotRow & { sessionId: string }>(
      db,
      `SELECT identified_at AS createdAt, toString(session_id) AS sessionId, arrayMap(p -> p.1, props) AS propertyKeys, arrayMap(p -> ${valueText('p.2')}, props) AS propertyValues
        FROM (${sessions}) ORDER BY identified_at DESC, session_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
      params,
    ),
    rows<{ total: number }>(db, `SELECT count() AS total FROM (${sessions})`, params),
  ]);
  return pivotOf(found, data, query);
}
