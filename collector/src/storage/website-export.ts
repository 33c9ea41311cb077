import type { ClickHouseClient } from '@clickhouse/client';
import { dayMs } from '../shared/time';

/** The columns of the raw events file, in order: every column a site's beacons filled. */
export const exportedEventColumns = [
  'event_id',
  'session_id',
  'visit_id',
  'created_at',
  'event_type',
  'event_name',
  'hostname',
  'url_path',
  'url_query',
  'page_title',
  'referrer_domain',
  'referrer_path',
  'referrer_query',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_content',
  'utm_term',
  'browser',
  'os',
  'device',
  'screen',
  'language',
  'country',
  'region',
  'city',
  'tag',
  'event_data',
] as const;

/**
 * A website's raw events in a range as CSV (RFC 4180, a heading line first), read one UTC day at
 * a time, oldest first: memory holds one day of one website's events, whatever the range.
 */
export async function* eventsCsv(
  db: ClickHouseClient,
  { websiteId, startAt, endAt }: { websiteId: string; startAt: number; endAt: number },
): AsyncGenerator<string> {
  yield `${exportedEventColumns.join(',')}\n`;
  for (let from = startAt; from <= endAt; from = Math.floor(from / dayMs) * dayMs + dayMs) {
    const to = Math.min(endAt, Math.floor(from / dayMs) * dayMs + dayMs - 1);
    const result = await db.query({
      query: `SELECT ${exportedEventColumns.map((c) => (c === 'created_at' ? "formatDateTime(created_at, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS created_iso" : c)).join(', ')}
        FROM website_event
        WHERE website_id = {websiteId:UUID}
          AND created_at BETWEEN fromUnixTimestamp64Milli({from:Int64}) AND fromUnixTimestamp64Milli({to:Int64})
        ORDER BY created_at, event_id`,
      query_params: { websiteId, from, to },
      format: 'CSV',
    });
    const text = await result.text();
    if (text) yield text;
  }
}
