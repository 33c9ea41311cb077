import type { ClickHouseClient } from '@clickhouse/client';
import { rows } from './client';
import { deleteFrom, type ClusterTopology } from './cluster-ddl';
import { buildInserts, visitRollupTables } from './visit-rollup-tables';
import { dayMs, hourMs, isoDay } from '../shared/time';

/**
 * Rollups of past days that need whole visits (exit pages; stats filtered on one page), built by
 * a job rather than a materialized view: a visit's last page, or how many of its pageviews had a
 * given path, is known only once the visit is over, which no insert-time view can see. What a
 * build writes is in visit-rollup-tables.ts.
 *
 * A build is valid for a website's day while no event of that website was inserted for the day,
 * or for the hour either side of it, at or after the build's cutoff (event_hours, kept by a view,
 * records when each hour last received an insert). A visit that crosses midnight has pageviews
 * within 30 minutes on both sides, so those neighbour hours are all that can change a day's
 * visits. Days without a valid build (today, yesterday until 01:00 UTC and the settle time, and
 * days that late events reached since their build) are read from the events: the answer is the
 * same either way, only the speed differs.
 */

/** How long an insert may take from choosing its rows' time to being readable: builds look back this far. */
export const insertSettleMs = 60_000;

/** Superseded builds are deleted this long after they were replaced, so no query still uses them. */
const supersededGraceMs = 10 * 60_000;

/** Days built in one query (one scan of their events, a day more on each side): bounds its memory to a week of visits. */
const maxDaysPerBuild = 7;

/**
 * A build id: its cutoff (Unix ms) times 1000 plus a random part, so ids order by cutoff and two
 * collectors building at once do not share one. Inserts that chose their time before the cutoff
 * are in the build.
 */
const buildId = (cutoff: number) => cutoff * 1000 + Math.floor(Math.random() * 1000);
const cutoffOf = (build: number) => Math.floor(build / 1000);

interface DayState {
  /** The day's newest build (0: none). */
  newest: number;
  /** The last insert into the day or the hour either side of it (Unix ms), which can change its visits. */
  lastInsert: number;
  /** 1 when the day or the hour either side of it holds events. */
  hasEvents: number;
}

/** The days in [fromMs, toMs) (Unix ms, day-aligned) with a build or inserts, for one website's inserts or all. */
async function dayStates(db: ClickHouseClient, websiteId: string | null, fromMs: number, toMs: number): Promise<Map<number, DayState>> {
  const found = await rows<DayState & { dayStart: number }>(
    db,
    `SELECT toUnixTimestamp(toDateTime(day, 'UTC')) * 1000 AS dayStart, max(built) AS newest, max(inserted) AS lastInsert, max(seen) AS hasEvents FROM (
        SELECT day, max(build) AS built, toInt64(0) AS inserted, toUInt8(0) AS seen FROM rollup_builds
        WHERE day >= toDate(fromUnixTimestamp64Milli({fromMs:Int64})) AND day < toDate(fromUnixTimestamp64Milli({toMs:Int64}))
        GROUP BY day
        UNION ALL
        SELECT arrayJoin([toDate(hour - INTERVAL 1 HOUR), toDate(hour), toDate(hour + INTERVAL 1 HOUR)]) AS day, toUInt64(0),
          toUnixTimestamp64Milli(max(inserted_at)), toUInt8(1)
        FROM event_hours
        WHERE ${websiteId ? 'website_id = {websiteId:UUID} AND ' : ''}hour >= toDateTime({hoursFrom:UInt32}, 'UTC')
          AND hour < toDateTime({hoursTo:UInt32}, 'UTC')
        GROUP BY day
      )
      WHERE day >= toDate(fromUnixTimestamp64Milli({fromMs:Int64})) AND day < toDate(fromUnixTimestamp64Milli({toMs:Int64}))
      GROUP BY day`,
    { websiteId, fromMs, toMs, hoursFrom: Math.floor(Math.max(0, fromMs - hourMs) / 1000), hoursTo: Math.ceil((toMs + hourMs) / 1000) },
  );
  return new Map(found.map(({ dayStart, ...state }) => [dayStart, state]));
}

/**
 * The valid builds of a website's whole days in [wholeStart, wholeEnd) (Unix ms, day-aligned):
 * day start → build id. Days not in the map are to be read from the events.
 */
export async function validBuilds(db: ClickHouseClient, websiteId: string, wholeStart: number, wholeEnd: number): Promise<Map<number, number>> {
  const valid = new Map<number, number>();
  for (const [day, { newest, lastInsert }] of await dayStates(db, websiteId, wholeStart, wholeEnd)) {
    if (newest > 0 && lastInsert < cutoffOf(newest)) valid.set(day, newest);
  }
  return valid;
}

/**
 * After a website's data was deleted (reset): marks every hour it had events in as changed now,
 * so no build from before (one may have read the events just before they were deleted, and
 * written its rows just after) is used for the website again. The days are read from the events
 * until the job builds them again.
 */
export async function markWebsiteChanged(db: ClickHouseClient, websiteId: string): Promise<void> {
  await db.command({
    query: `INSERT INTO event_hours SELECT website_id, hour, now64(3, 'UTC') FROM event_hours
      WHERE website_id = {websiteId:UUID} GROUP BY website_id, hour`,
    query_params: { websiteId },
  });
}

export interface VisitRollupRun {
  /** Days built in this run. */
  built: number;
  /** Superseded builds deleted. */
  deletedBuilds: number;
}

/**
 * The job that keeps the visit rollups: every `intervalMs` it builds the days that are over (and
 * whose neighbouring hour is too) and have no valid build, then deletes superseded builds. Runs
 * never overlap within a collector; collectors sharing a server may build the same day at once,
 * and the newest build is the one read.
 */
export class VisitRollups {
  readonly #db: ClickHouseClient;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> = Promise.resolve();
  #stopped = false;

  /** The settle time of the scheduled runs (see runOnce). */
  readonly #settleMs: number;

  /** On a cluster, superseded builds are deleted from each shard's local tables. */
  readonly #cluster: ClusterTopology | null;

  constructor(db: ClickHouseClient, { settleMs = insertSettleMs, cluster = null as ClusterTopology | null } = {}) {
    this.#db = db;
    this.#settleMs = settleMs;
    this.#cluster = cluster;
  }

  /** Runs now and then every `intervalMs` until stop(); errors are reported and retried next time. */
  start(intervalMs: number, onError: (error: unknown) => void): void {
    const tick = () => {
      this.#running = this.runOnce({ settleMs: this.#settleMs }).catch(onError);
      void this.#running.then(() => {
        if (!this.#stopped) this.#timer = setTimeout(tick, intervalMs).unref();
      });
    };
    this.#timer = setTimeout(tick, 0).unref();
  }

  /** Stops the timer and waits for a run in progress (it stops between builds). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  /**
   * One run. `settleMs`: how long before `now` an insert must have chosen its time to be sure it
   * is readable (0 when the caller knows nothing is being inserted, as the seed command does).
   * `now` defaults to the database's clock, which also timed the inserts. `sideBySide`: each
   * build's inserts at once (see #build).
   */
  async runOnce(options: { now?: number; settleMs?: number; sideBySide?: boolean } = {}): Promise<VisitRollupRun> {
    const now = options.now ?? (await rows<{ now: number }>(this.#db, 'SELECT toUnixTimestamp64Milli(now64(3)) AS now'))[0]!.now;
    const cutoff = now - (options.settleMs ?? insertSettleMs);
    const days = await dayStates(this.#db, null, 0, cutoff + dayMs);
    const toBuild = [...days]
      .filter(([day, { newest, lastInsert, hasEvents }]) => {
        const over = hasEvents === 1 && day + dayMs + hourMs <= cutoff && lastInsert < cutoff;
        return over && (newest === 0 || lastInsert >= cutoffOf(newest));
      })
      .map(([day]) => day)
      .sort((a, b) => a - b);
    let built = 0;
    for (const span of contiguousSpans(toBuild, maxDaysPerBuild)) {
      if (this.#stopped) break;
      await this.#build(span[0]!, span[span.length - 1]! + dayMs, buildId(cutoff), options.sideBySide ?? false);
      built += span.length;
    }
    return { built, deletedBuilds: await this.#deleteSuperseded(now) };
  }

  /**
   * Builds the days in [from, to) (Unix ms, day-aligned) under `build`, then records it. Its
   * inserts run one after another, or all at once when `sideBySide` (faster when nothing else
   * needs the engine, as in the seed command; several times the memory).
   */
  async #build(from: number, to: number, build: number, sideBySide: boolean): Promise<void> {
    // Visits are seen over a day more on each side, to tell those wholly inside one day from those crossing midnight.
    const params = { from, to, build, scanFrom: from - dayMs, scanTo: to + dayMs };
    const insert = (query: string) => this.#db.command({ query, query_params: params });
    if (sideBySide) await Promise.all(buildInserts.map(insert));
    else for (const query of buildInserts) await insert(query);
    const values = [];
    for (let day = from; day < to; day += dayMs) values.push({ day: isoDay(day), build });
    await this.#db.insert({ table: 'rollup_builds', values, format: 'JSONEachRow' });
  }

  /**
   * Deletes the rows of builds replaced (or never recorded: a build interrupted half-way) more
   * than the grace time ago, so queries that chose a build just before still find its rows.
   */
  async #deleteSuperseded(now: number): Promise<number> {
    const params = { before: buildId(now - supersededGraceMs - insertSettleMs) };
    const staleIn = (table: string) =>
      `SELECT DISTINCT day, build FROM ${table}
        WHERE build < {before:UInt64} AND (day, build) NOT IN (SELECT day, max(build) FROM rollup_builds GROUP BY day)`;
    // Chosen once, then deleted by (day, build) (a build id spans several days, and may be
    // superseded on some of them only): a DELETE whose condition reads the table it deletes
    // from would see it change part by part.
    const stale = await rows<{ day: string; build: number }>(this.#db, ['rollup_builds', ...visitRollupTables].map(staleIn).join(' UNION DISTINCT '), params);
    if (stale.length === 0) return 0;
    const pairs = { days: stale.map((row) => row.day), builds: stale.map((row) => row.build) };
    const where = '(day, build) IN arrayZip({days:Array(Date)}, {builds:Array(UInt64)})';
    for (const table of [...visitRollupTables, 'rollup_builds']) {
      await this.#db.command({ query: deleteFrom(table, where, this.#cluster), query_params: pairs });
    }
    return stale.length;
  }
}

/** Sorted day starts → runs of consecutive days, at most `max` long. */
function contiguousSpans(days: number[], max: number): number[][] {
  const spans: number[][] = [];
  for (const day of days) {
    const last = spans[spans.length - 1];
    if (last && last.length < max && last[last.length - 1]! + dayMs === day) last.push(day);
    else spans.push([day]);
  }
  return spans;
}
