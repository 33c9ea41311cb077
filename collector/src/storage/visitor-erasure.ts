import type { ClickHouseClient } from '@clickhouse/client';
import { uuidPattern } from '../shared/ids';
import { rows } from './client';
import { deleteFrom, type ClusterTopology } from './cluster-ddl';
import { rebuildDayRollups } from './day-rollups';

const uuid = new RegExp(uuidPattern);

/** The tables that hold a session's own rows. */
const sessionTables = ['website_event', 'session_data', 'website_revenue', 'website_performance'] as const;

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
  for (const day of days) await rebuildDayRollups(db, websiteId, day, cluster);
  return true;
}
