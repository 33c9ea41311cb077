import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyBaseLogger } from 'fastify';
import { spoolTables, type Spool, type SpoolTag } from './spool';

/** Inserts JSON lines into a table; `token` is the insert_deduplication_token, the same on every retry. */
export type Insert = (table: string, lines: string[], token: string) => Promise<void>;

/**
 * The real insert: the spooled JSON lines go to ClickHouse as they are (INSERT … FORMAT
 * JSONEachRow), so no row is encoded twice on the event loop.
 */
export function insertLines(db: ClickHouseClient): Insert {
  return async (table, lines, token) => {
    await db.command({
      query: `INSERT INTO ${table} FORMAT JSONEachRow\n${lines.join('\n')}`,
      // The rollups' materialized views deduplicate a retried batch too, not only website_event.
      clickhouse_settings: { insert_deduplication_token: token, deduplicate_blocks_in_dependent_materialized_views: 1 },
    });
  };
}

export interface SpoolWriterOptions {
  /** Insert as soon as this many rows wait. */
  maxRows: number;
  /** Insert whatever waits at least this often. */
  intervalMs: number;
  /** Rows of sealed segments kept in memory; the rest are read back from disk when their turn comes. */
  memoryRows: number;
}

const maxBackoffMs = 30_000;

/**
 * Moves spooled rows into ClickHouse: seals the open segment by count or time, inserts sealed
 * segments in order, one at a time, and deletes a segment only after its insert succeeded. A
 * failed insert is retried with exponential backoff under the same deduplication token, so a
 * batch that ClickHouse stored before failing to answer, or that a restart replays, is stored once.
 */
export class SpoolWriter {
  #running: Promise<void> | null = null;
  #timer: NodeJS.Timeout;
  #failures = 0;
  #retryAt = 0;

  constructor(
    private readonly spool: Spool,
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

  /** Rows and bytes not yet in ClickHouse. */
  get backlog(): { rows: number; bytes: number } {
    return { rows: this.spool.openRows + this.spool.sealed.reduce((sum, s) => sum + s.count, 0), bytes: this.spool.bytes };
  }

  /** Spools a row: resolves true once it is written, false when the spool's disk budget is spent. */
  enqueue(tag: SpoolTag, row: object): Promise<boolean> {
    const written = this.spool.append(tag, row);
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
    if (!this.#running) this.#running = this.#drain().finally(() => (this.#running = null));
  }

  /** Inserts sealed segments until none is left or one fails (then waits for its backoff). */
  async #drain(): Promise<void> {
    while (this.spool.sealed.length > 0) {
      if (Date.now() < this.#retryAt) return;
      this.spool.evictBeyond(this.options.memoryRows);
      const segment = this.spool.sealed[0]!;
      try {
        const rows = this.spool.rowsOf(segment);
        for (const table of Object.values(spoolTables)) {
          if (rows[table].length > 0) await this.insert(table, rows[table], `${segment.token}:${table}`);
        }
        this.spool.remove(segment);
        this.#failures = 0;
      } catch (error) {
        this.#failures += 1;
        const backoff = Math.min(maxBackoffMs, 100 * 2 ** this.#failures);
        this.#retryAt = Date.now() + backoff;
        this.log.warn({ err: error, segment: segment.seq, retryInMs: backoff }, 'insert failed; the rows stay spooled and will be retried');
        return;
      }
    }
  }

  /** Seals and inserts everything spooled now; rejects if an insert fails. */
  async flush(): Promise<void> {
    this.spool.seal();
    this.#retryAt = 0;
    while (this.#running) await this.#running;
    while (this.spool.sealed.length > 0) {
      const before = this.spool.sealed[0];
      this.#kick();
      await this.#running;
      if (this.spool.sealed[0] === before) throw new Error('insert failed; rows remain spooled');
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
