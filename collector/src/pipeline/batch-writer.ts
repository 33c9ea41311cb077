import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyBaseLogger } from 'fastify';

export interface BatchWriterOptions {
  /** Insert as soon as this many rows wait. */
  maxRows: number;
  /** Insert whatever waits at least this often. */
  intervalMs: number;
  /** Refuse new rows (the caller answers 503) while this many wait, e.g. during an outage. */
  maxQueued: number;
}

const maxBackoffMs = 30_000;

/**
 * Collects rows in memory and inserts them in batches, by count or by time, one insert at a time.
 * A failed insert is retried with backoff under the same deduplication token, so a batch that
 * ClickHouse did store before failing to answer is not stored twice.
 */
export class BatchWriter<Row extends object> {
  #queue: Row[] = [];
  #pending: { rows: Row[]; token: string } | null = null;
  #running: Promise<void> | null = null;
  #timer: NodeJS.Timeout;
  #failures = 0;
  #retryAt = 0;

  constructor(
    private readonly db: ClickHouseClient,
    private readonly table: string,
    private readonly options: BatchWriterOptions,
    private readonly log: FastifyBaseLogger,
  ) {
    this.#timer = setInterval(() => void this.#drainOnce().catch(() => {}), options.intervalMs);
    this.#timer.unref();
  }

  /** Rows waiting to be inserted. */
  get backlog(): number {
    return this.#queue.length + (this.#pending?.rows.length ?? 0);
  }

  /** Queues a row; false when the queue is full and the row was not taken. */
  enqueue(row: Row): boolean {
    if (this.backlog >= this.options.maxQueued) return false;
    this.#queue.push(row);
    if (this.#queue.length >= this.options.maxRows && !this.#running) void this.#drainOnce().catch(() => {});
    return true;
  }

  /** Inserts everything queued before the call; rejects if an insert fails. */
  async flush(): Promise<void> {
    this.#retryAt = 0;
    while (this.backlog > 0) await this.#drainOnce(true);
  }

  /** Stops the timer and inserts what is left, retrying until `timeoutMs` has passed. */
  async close(timeoutMs: number): Promise<void> {
    clearInterval(this.#timer);
    const deadline = Date.now() + timeoutMs;
    while (this.backlog > 0 && Date.now() < deadline) {
      try {
        await this.flush();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, Math.min(500, Math.max(0, deadline - Date.now()))));
      }
    }
    if (this.backlog > 0) this.log.error({ table: this.table, rows: this.backlog }, 'rows not inserted at shutdown');
  }

  #drainOnce(throwOnError = false): Promise<void> {
    if (!this.#running) {
      this.#running = this.#insertNext().finally(() => {
        this.#running = null;
      });
    }
    return throwOnError ? this.#running : this.#running.catch(() => {});
  }

  async #insertNext(): Promise<void> {
    if (Date.now() < this.#retryAt) return;
    if (!this.#pending) {
      if (this.#queue.length === 0) return;
      const rows = this.#queue.length <= this.options.maxRows ? this.#queue : this.#queue.splice(0, this.options.maxRows);
      if (rows === this.#queue) this.#queue = [];
      this.#pending = { rows, token: randomUUID() };
    }
    const { rows, token } = this.#pending;
    try {
      await this.db.insert({
        table: this.table,
        values: rows,
        format: 'JSONEachRow',
        clickhouse_settings: { insert_deduplication_token: token },
      });
      this.#pending = null;
      this.#failures = 0;
    } catch (error) {
      this.#failures += 1;
      const backoff = Math.min(maxBackoffMs, 100 * 2 ** this.#failures);
      this.#retryAt = Date.now() + backoff;
      this.log.warn({ err: error, table: this.table, rows: rows.length, retryInMs: backoff }, 'insert failed; will retry');
      throw error;
    }
  }
}
