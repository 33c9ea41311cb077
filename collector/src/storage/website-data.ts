import type { ClickHouseClient } from '@clickhouse/client';
import { deleteFrom, type ClusterTopology } from './cluster-ddl';
import { websiteDataTables } from './rollups';
import { markWebsiteChanged } from './visit-rollups';
import { uuidPattern } from '../shared/ids';

const uuid = new RegExp(uuidPattern);

/**
 * Asks ClickHouse to delete a website's rows from the events and every rollup, asynchronously:
 * each DELETE returns once registered (milliseconds, whatever the table's size) and runs as a
 * mutation in the background, kept across restarts. It affects the rows stored when it was
 * registered, so events arriving after a reset stay. Done one after the other synchronously, the
 * deletes took seconds on large tables and held every other query of the embedded engine
 * meanwhile. Then no visit rollup build from before is used for the website again.
 */
export async function removeWebsiteData(db: ClickHouseClient, websiteId: string, cluster: ClusterTopology | null): Promise<void> {
  if (!uuid.test(websiteId)) throw new Error(`not a website id: ${websiteId}`);
  for (const table of websiteDataTables) {
    // The id is written in the statement (checked above): a parameterized statement would wait
    // its turn behind every other parameterized query of the embedded engine.
    const where = `website_id = '${websiteId}' SETTINGS lightweight_deletes_sync = 0`;
    await db.command({ query: deleteFrom(table, where, cluster) });
  }
  await markWebsiteChanged(db, websiteId);
}
