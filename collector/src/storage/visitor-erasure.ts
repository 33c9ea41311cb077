import type { ClickHouseClient } from '@clickhouse/client';
import { uuidPattern } from '../shared/ids';
import { rows } from './client';
import { deleteFrom, type ClusterTopology } from './cluster-ddl';
import { migrations } from './migrations';

const uuid = new RegExp(uuidPattern);

/** The tables that hold a session's own rows. */
const sessionTables = ['website_event', 'session_data', 'website_revenue', 'website_performance'] as const;

/**
 * The daily rollups the materialized views keep, each with its day column and the statement that
 * fills it from the events: its migration's backfill (5, or 20 for the custom events), restricted
 * to one website and day (so the rebuilt rows are exactly what the views would have written
 * without the erased session).
 */
const backfills = migrations.flatMap((migration) => migration.statements);
const viewRollups = (['daily_metrics', 'daily_stats', 'daily_event_data', 'daily_custom_events', 'hourly_pageviews'] as const).map((table) => {
  const fill = backfills.find((statement) => statement.startsWith(`INSERT INTO ${table} SELECT`));
  if (!fill?.includes('\n  GROUP BY')) throw new Error(`no migration has a backfill of ${table} to rebuild from`);
  return {
    table,
    day: table === 'hourly_pageviews' ? 'toDate(hour)' : 'day',
    fill: fill.replace('\n  GROUP BY', ' AND website_id = {websiteId:UUID} AND toDate(created_at) = {day:Date}\n  GROUP BY'),
  };
});

/**
 * Erases one visitor (session) of a website, for an erasure request: its events, identify data,
 * orders and vitals are deleted (synchronously: once this returns no read sees them), and the
 * days it was active are rebuilt in every rollup, the view-kept ones at once from the remaining
 * events and the visit rollups by the job (their hours are marked changed, so until rebuilt those
 * days are read from the events). Run it while no batch is being inserted (SpoolWriter.exclusive),
 * or a batch landing between a day's delete and its rebuild would count twice. False when the
 * website has no such session.
 */
export async function eraseSession(
  db: ClickHouseClient,
  { websiteId, sessionId, cluster }: { websiteId: string; sessionId: string; cluster: ClusterTopology | null },
): Promise<boolean> {
  if (!uuid.test(websiteId) || !uuid.test(sessionId)) throw new Error('not a website or session id');
  const params = { websiteId, sessionId };
  const days = (
    await rows<{ day: string }>(
      db,
      `SELECT DISTINCT toString(toDate(created_at)) AS day FROM website_event WHERE website_id = {websiteId:UUID} AND session_id = {sessionId:UUID}`,
      params,
    )
  ).map((row) => row.day);
  const [data] = await rows<{ n: number }>(
    db,
    `SELECT count() AS n FROM session_data WHERE website_id = {websiteId:UUID} AND session_id = {sessionId:UUID}`,
    params,
  );
  if (days.length === 0 && (data?.n ?? 0) === 0) return false;

  // The ids are checked above and written in the statements: a parameterized statement would wait
  // its turn behind every other parameterized query of the embedded engine.
  const ofSession = `website_id = '${websiteId}' AND session_id = '${sessionId}' SETTINGS lightweight_deletes_sync = 2`;
  for (const table of sessionTables) await db.command({ query: deleteFrom(table, ofSession, cluster) });
  for (const day of days) {
    for (const rollup of viewRollups) {
      await db.command({
        query: deleteFrom(rollup.table, `website_id = '${websiteId}' AND ${rollup.day} = '${day}' SETTINGS lightweight_deletes_sync = 2`, cluster),
      });
      await db.command({ query: rollup.fill, query_params: { websiteId, day } });
    }
  }
  // The visit rollups' builds of those days (and the hours either side) are no longer used.
  if (days.length > 0) {
    await db.command({
      query: `INSERT INTO event_hours SELECT website_id, hour, now64(3, 'UTC') FROM event_hours
        WHERE website_id = {websiteId:UUID} AND toDate(hour) IN {days:Array(Date)} GROUP BY website_id, hour`,
      query_params: { websiteId, days },
    });
  }
  return true;
}
