import type { ClickHouseClient } from '@clickhouse/client';
import { uuidPattern } from '../shared/ids';
import { deleteFrom, type ClusterTopology } from './cluster-ddl';
import { migrations } from './migrations';

/**
 * The daily rollups the materialized views keep, each with its day column and the statement that
 * fills it from the events: its migration's backfill (5, or 20 for the custom events), restricted
 * to one website and day, so rebuilt rows are exactly what the views write from the day's events.
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

const uuid = new RegExp(uuidPattern);
const isoDay = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Rebuilds one website's UTC day in the view-kept rollups from the events stored now (after rows
 * of it were deleted: an erased visitor, an import redoing the day), and marks its hours changed
 * so the visit rollup job builds it again too. Run it while no batch for that day is being
 * inserted, or that batch would count twice.
 */
export async function rebuildDayRollups(db: ClickHouseClient, websiteId: string, day: string, cluster: ClusterTopology | null): Promise<void> {
  if (!uuid.test(websiteId) || !isoDay.test(day)) throw new Error('not a website id and day');
  // The id and day are checked above and written in the deletes: a parameterized statement would
  // wait its turn behind every other parameterized query of the embedded engine.
  for (const rollup of viewRollups) {
    await db.command({
      query: deleteFrom(rollup.table, `website_id = '${websiteId}' AND ${rollup.day} = '${day}' SETTINGS lightweight_deletes_sync = 2`, cluster),
    });
    await db.command({ query: rollup.fill, query_params: { websiteId, day } });
  }
  await db.command({
    query: `INSERT INTO event_hours SELECT website_id, hour, now64(3, 'UTC') FROM event_hours
      WHERE website_id = {websiteId:UUID} AND toDate(hour) = {day:Date} GROUP BY website_id, hour`,
    query_params: { websiteId, day },
  });
}
