import type { ClickHouseClient } from '@clickhouse/client';
import { rows } from '../collector/src/storage/client';
import { seedEvents, seedReportTables, type SeedOptions } from './seed-events';

/** A copy of website_event's structure without its materialized views: where the seed command writes events first. */
const staging = 'seed_staging';

/** A materialized view over website_event: the table it fills, and its SELECT. */
export interface EventView {
  name: string;
  target: string;
  select: string;
}

const fromEvents = /\bFROM\s+(?:`?\w+`?\.)?`?website_event`?(?=[\s)]|$)/g;

/**
 * The materialized views that website_event's inserts run, read from the engine (so the seed
 * follows the migrations): each one's target table and SELECT.
 */
export async function eventViews(db: ClickHouseClient): Promise<EventView[]> {
  const views = await rows<{ name: string; create_table_query: string; as_select: string }>(
    db,
    "SELECT name, create_table_query, as_select FROM system.tables WHERE database = currentDatabase() AND engine = 'MaterializedView'",
  );
  const readsOfEvents = (select: string) => select.match(fromEvents)?.length ?? 0;
  return views
    .filter((view) => readsOfEvents(view.as_select) > 0)
    .map((view) => {
      const target = / TO (\S+)/.exec(view.create_table_query)?.[1];
      if (!target) throw new Error(`view ${view.name}: no TO table in ${view.create_table_query}`);
      if (readsOfEvents(view.as_select) !== 1) throw new Error(`view ${view.name} reads website_event more than once`);
      return { name: view.name, target, select: view.as_select };
    });
}

/** The view's SELECT over another table of website_event's structure. */
export const viewOver = (view: EventView, table: string) => view.select.replace(fromEvents, `FROM ${table}`);

/**
 * Seeds websites the fast way, for the seed command on an engine nothing else writes to: their
 * events go into a staging table without views; once it holds `flushAt` events (or at flush()),
 * each view of website_event fills its table with its own SELECT over all of them at once, and
 * the staged parts are attached to website_event (which runs no view). The views otherwise run
 * per inserted block, on each site's months apart. The rows the reads see are the same sums and
 * sketches either way; the views' tables just hold fewer partial rows. Not for a cluster (its
 * tables are distributed).
 */
export class StagedSeed {
  readonly #db: ClickHouseClient;
  readonly #views: EventView[];
  readonly #flushAt: number;
  #staged = 0;
  /** Whether a staged website asked for the reports' tables (filled at the flush, for all staged websites at once). */
  #reportTables = false;

  private constructor(db: ClickHouseClient, views: EventView[], flushAt: number) {
    this.#db = db;
    this.#views = views;
    this.#flushAt = flushAt;
  }

  static async open(db: ClickHouseClient, { flushAt = 2_000_000 } = {}): Promise<StagedSeed> {
    await db.command({ query: `CREATE TABLE IF NOT EXISTS ${staging} AS website_event` });
    await db.command({ query: `TRUNCATE TABLE ${staging}` });
    return new StagedSeed(db, await eventViews(db), flushAt);
  }

  /** Seeds one website (into the staging table until the next flush); the events stored. */
  async seed(websiteId: string, options: SeedOptions): Promise<number> {
    const stored = await seedEvents(this.#db, websiteId, { ...options, table: staging, reportTables: false });
    this.#reportTables ||= options.reportTables ?? true;
    this.#staged += stored;
    if (this.#staged >= this.#flushAt) await this.flush();
    return stored;
  }

  /** Fills the views' tables from the staged events and moves them into website_event. */
  async flush(): Promise<void> {
    if (this.#staged === 0) return;
    if (this.#reportTables) await seedReportTables(this.#db, null, staging);
    for (const view of this.#views) await this.#db.command({ query: `INSERT INTO ${view.target} ${viewOver(view, staging)}` });
    const partitions = await rows<{ id: string }>(
      this.#db,
      'SELECT DISTINCT partition_id AS id FROM system.parts WHERE database = currentDatabase() AND table = {staging:String} AND active',
      { staging },
    );
    for (const { id } of partitions) await this.#db.command({ query: `ALTER TABLE website_event ATTACH PARTITION ID '${id}' FROM ${staging}` });
    await this.#db.command({ query: `TRUNCATE TABLE ${staging}` });
    this.#staged = 0;
    this.#reportTables = false;
  }

  /** Flushes, then drops the staging table. */
  async close(): Promise<void> {
    await this.flush();
    await this.#db.command({ query: `DROP TABLE IF EXISTS ${staging}` });
  }
}
