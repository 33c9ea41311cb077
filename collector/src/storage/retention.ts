import type { ClickHouseClient } from '@clickhouse/client';
import { uuidPattern } from '../shared/ids';
import { rows } from './client';
import { deleteFrom, type ClusterTopology } from './cluster-ddl';
import type { websiteDataTables } from './rollups';

/** The column each table of a website's data is dated by: every table retention deletes from. */
export const datedBy: Record<(typeof websiteDataTables)[number] | 'event_hours', string> = {
  website_event: 'created_at',
  session_data: 'created_at',
  daily_metrics: 'day',
  daily_stats: 'day',
  daily_event_data: 'day',
  daily_custom_events: 'day',
  hourly_pageviews: 'hour',
  daily_exits: 'day',
  daily_exit_visits: 'day',
  daily_page_stats: 'day',
  daily_page_visits: 'day',
  daily_journeys: 'day',
  daily_journey_visits: 'day',
  dropped_events: 'day',
  website_performance: 'created_at',
  website_revenue: 'created_at',
  imported_stats: 'date',
  event_hours: 'hour',
};

/** The first UTC day a retention of `months` keeps at `now`: the same date `months` earlier (clamped to the month's last day). */
export function retentionCutoff(now: number, months: number): string {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() - months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(date.getUTCDate(), lastDay))).toISOString().slice(0, 10);
}

const uuid = new RegExp(uuidPattern);

/**
 * Deletes what a website keeps past its retention: every row of its data dated before the cutoff,
 * in the events, visitor data, orders, vitals and every rollup. Asynchronous lightweight deletes
 * (ClickHouse marks the rows deleted in the background, `lightweight_deletes_sync = 0`), each only
 * where a row past the cutoff exists, so a run with nothing to do costs a look-up per table. The
 * tables whose rows it asked to delete.
 */
export async function enforceRetention(
  db: ClickHouseClient,
  website: { id: string; retentionMonths: number },
  now: number,
  cluster: ClusterTopology | null,
): Promise<string[]> {
  if (website.retentionMonths <= 0) return [];
  if (!uuid.test(website.id)) throw new Error(`not a website id: ${website.id}`);
  const cutoff = retentionCutoff(now, website.retentionMonths);
  const deleted: string[] = [];
  for (const [table, column] of Object.entries(datedBy)) {
    // The id and day are checked and written in: a parameterized statement would wait its turn
    // behind every other parameterized query of the embedded engine.
    const old = `website_id = '${website.id}' AND ${column} < toDate('${cutoff}')`;
    const [found] = await rows<{ n: number }>(db, `SELECT count() AS n FROM (SELECT 1 FROM ${table} WHERE ${old} LIMIT 1)`);
    if (!found?.n) continue;
    await db.command({ query: deleteFrom(table, `${old} SETTINGS lightweight_deletes_sync = 0`, cluster) });
    deleted.push(table);
  }
  return deleted;
}

/**
 * The job that enforces every website's retention: at start and every RETENTION_INTERVAL_MS, and
 * soon after a website's retention is set. Several collectors may run it at once: a delete asked
 * twice deletes once.
 */
export class RetentionJob {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(
    private readonly db: ClickHouseClient,
    private readonly websites: () => Promise<{ id: string; retentionMonths: number }[]>,
    private readonly cluster: ClusterTopology | null,
  ) {}

  /** One run over every website with a retention; per website, the tables it asked to delete from. */
  async runOnce(now = Date.now()): Promise<Map<string, string[]>> {
    const done = new Map<string, string[]>();
    for (const website of await this.websites()) {
      if (this.#stopped) break;
      const tables = await enforceRetention(this.db, website, now, this.cluster);
      if (tables.length) done.set(website.id, tables);
    }
    return done;
  }

  start(intervalMs: number, onError: (error: unknown) => void): void {
    this.#schedule(0, intervalMs, onError);
  }

  /** A retention was set: run in a moment rather than at the next interval. */
  runSoon(onError: (error: unknown) => void): void {
    this.#running = this.#running.then(() => (this.#stopped ? undefined : this.runOnce().catch(onError)));
  }

  #schedule(delayMs: number, intervalMs: number, onError: (error: unknown) => void): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#running.then(() => this.runOnce().catch(onError));
      void this.#running.then(() => this.#schedule(intervalMs, intervalMs, onError));
    }, delayMs).unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }
}
