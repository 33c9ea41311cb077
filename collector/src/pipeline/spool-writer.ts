import type { FastifyBaseLogger } from 'fastify';
import { basename } from 'node:path';
import type { Insert } from '../storage/batch-insert';
import { refusedForContent } from './content-errors';
import type { Quarantine, RefusedRow } from './quarantine';
import { spoolTables, type Segment, type Spool, type SpooledTable } from './spool';

export interface SpoolWriterOptions {
  /** Insert as soon as this many rows wait. */
  maxRows: number;
  /** Insert whatever waits at least this often. */
  intervalMs: number;
  /** The longest wait between retries of a failed insert (default 30 s); the waits double from 100 ms up to it. */
  retryMaxMs?: number;
}

/**
 * Moves spooled rows into ClickHouse: seals the open segment by count or time, inserts sealed
 * segments in order, one at a time, and deletes a segment only after its insert succeeded. A
 * failed insert is retried with exponential backoff under the same deduplication token, so a
 * batch that ClickHouse stored before failing to answer, or that a restart replays, is stored once.
 * A batch ClickHouse refuses for its content is split in halves until the refused rows stand
 * alone; every other row is inserted and the refused ones go to the quarantine, so no row can
 * hold the others back.
 */
export class SpoolWriter {
  #running: Promise<void> | null = null;
  #timer: NodeJS.Timeout;
  #failures = 0;
  #retryAt = 0;

  constructor(
    private readonly spool: Spool,
    private readonly quarantine: Quarantine,
    private readonly insert: Insert,
    private readonly options: SpoolWriterOptions,
    private readonly log: FastifyBaseLogger,
  ) {
    this.#timer = setInterval(() => this.#tick(), options.intervalMs);
    this.#timer.unref();
    if (spool.sealed.length > 0) {
      log.info({ segments: spool.sealed.length, rows: this.backlog.rows }, 'replaying the spool left by the last run');
      this.#kick();
    }
  }

  /** Since when inserts fail and why (null while they succeed): what the heartbeat reports. */
  #lastFailure: { since: string; error: string } | null = null;
  get insertFailure(): { since: string; error: string } | null {
    return this.#lastFailure;
  }

  /** Rows and bytes not yet in ClickHouse. */
  get backlog(): { rows: number; bytes: number } {
    return { rows: this.spool.openRows + this.spool.sealed.reduce((sum, s) => sum + s.count, 0), bytes: this.spool.bytes };
  }

  /** Spools a row for `table`: resolves true once it is written, false when the spool's disk budget is spent. */
  enqueue(table: SpooledTable, row: object): Promise<boolean> {
    const written = this.spool.append(table, row);
    if (this.spool.openRows >= this.options.maxRows) {
      this.spool.seal();
      this.#kick();
    }
    return written;
  }

  #tick(): void {
    this.spool.seal();
    this.#kick();
  }

  #kick(): void {
    if (!this.#running && !this.#held) this.#running = this.#drain().finally(() => (this.#running = null));
  }

  /** Set while `exclusive` work runs: no batch insert starts meanwhile. */
  #held: Promise<void> | null = null;

  /**
   * Runs `work` while no batch is being inserted: waits for the insert in flight and holds the next
   * ones until it ends (rows are still spooled and acknowledged meanwhile). For rewrites of stored
   * rows that an insert landing halfway would spoil (erasing a visitor rebuilds their days' rollups).
   */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.#held) await this.#held;
    let release = () => {};
    this.#held = new Promise((resolve) => {
      release = resolve;
    });
    try {
      while (this.#running) await this.#running;
      return await work();
    } finally {
      this.#held = null;
      release();
      this.#kick();
    }
  }

  /**
   * Runs `work` while no batch is being inserted, with the segments not yet inserted (the open one
   * sealed first): what a backup copies beside ClickHouse's snapshot, so every acknowledged row is
   * in exactly one of the two.
   */
  withPendingSegments<T>(work: (segments: readonly Segment[]) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      this.spool.seal();
      return work([...this.spool.sealed]);
    });
  }

  /** Inserts sealed segments until none is left or one fails (then waits for its backoff). */
  async #drain(): Promise<void> {
    // Stops between segments while `exclusive` work waits: under steady ingest new segments are
    // sealed all the time, and a drain that went on until none was left kept that work waiting.
    while (this.spool.sealed.length > 0 && !this.#held) {
      if (Date.now() < this.#retryAt) return;
      const segment = this.spool.sealed[0]!;
      try {
        const rows = await this.spool.rowsOf(segment);
        for (const table of Object.values(spoolTables)) {
          const lines = rows[table];
          if (lines.length === 0) continue;
          const refused: RefusedRow[] = [];
          await this.#insertIsolating(table, lines, `${segment.token}:${table}`, refused, 0, lines.length);
          if (refused.length > 0) this.#quarantine(segment, table, lines.length, refused);
        }
        await this.spool.remove(segment);
        this.#failures = 0;
        this.#lastFailure = null;
      } catch (error) {
        this.#failures += 1;
        this.#lastFailure ??= { since: new Date().toISOString(), error: '' };
        this.#lastFailure.error = error instanceof Error ? error.message : String(error);
        const backoff = Math.min(this.options.retryMaxMs ?? 30_000, 100 * 2 ** this.#failures);
        this.#retryAt = Date.now() + backoff;
        this.log.warn({ err: error, segment: segment.seq, retryInMs: backoff }, 'insert failed; the rows stay spooled and will be retried');
        return;
      }
    }
  }

  /**
   * Inserts lines [from, to) of a batch. When ClickHouse refuses them for their content, inserts
   * each half on its own, down to single rows, which are then added to `refused`. Each part's
   * token names its range, so the same batch always splits into the same parts under the same
   * tokens and a retry or a replay never stores a part twice. An outage rejects, and the whole
   * batch is retried later.
   */
  async #insertIsolating(table: string, lines: readonly Buffer[], token: string, refused: RefusedRow[], from: number, to: number): Promise<void> {
    const whole = from === 0 && to === lines.length;
    try {
      await this.insert(table, whole ? lines : lines.slice(from, to), whole ? token : `${token}:${from}-${to}`);
    } catch (error) {
      if (!refusedForContent(error)) throw error;
      if (to - from === 1) {
        refused.push({ line: lines[from]!.toString(), error });
        return;
      }
      const middle = from + Math.ceil((to - from) / 2);
      await this.#insertIsolating(table, lines, token, refused, from, middle);
      await this.#insertIsolating(table, lines, token, refused, middle, to);
    }
  }

  #quarantine(segment: Segment, table: string, batchRows: number, refused: RefusedRow[]): void {
    const path = this.quarantine.keep(basename(segment.path, '.log'), table, refused);
    const context = { table, segment: basename(segment.path), refusedRows: refused.length, storedRows: batchRows - refused.length, err: refused[0]!.error };
    if (path)
      this.log.error(
        { ...context, quarantine: path },
        'ClickHouse refused rows for their content: the rest of the batch is stored, these rows are quarantined',
      );
    else this.log.error(context, 'ClickHouse refused rows for their content and the quarantine is full (QUARANTINE_MAX_BYTES): these rows are dropped');
  }

  /** Seals and inserts everything spooled now; rejects if an insert fails. */
  async flush(): Promise<void> {
    while (this.#held) await this.#held;
    this.spool.seal();
    this.#retryAt = 0;
    while (this.#running) await this.#running;
    while (this.spool.sealed.length > 0) {
      while (this.#held) await this.#held;
      const before = this.spool.sealed[0];
      this.#kick();
      await this.#running;
      // Not inserted while no exclusive work held it: the insert failed.
      if (this.spool.sealed[0] === before && !this.#held) throw new Error('insert failed; rows remain spooled');
    }
  }

  /**
   * Stops the timer and inserts what is spooled, retrying until `timeoutMs` has passed; whatever
   * is left stays in the spool for the next start.
   */
  async close(timeoutMs: number): Promise<void> {
    clearInterval(this.#timer);
    this.spool.seal();
    const deadline = Date.now() + timeoutMs;
    while (this.spool.sealed.length > 0 && Date.now() < deadline) {
      try {
        await this.flush();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(0, deadline - Date.now()))));
      }
    }
    this.spool.close();
    const left = this.backlog;
    if (left.rows > 0) this.log.warn(left, 'rows left in the spool; they are inserted at the next start');
  }
}
