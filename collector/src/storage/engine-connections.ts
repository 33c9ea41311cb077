import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createChdbConnection } from 'chdb/connection';
import { inlineParams } from './inline-params';
import { notRun, SharedReads } from './shared-reads';

type ChdbConnection = ReturnType<typeof createChdbConnection>;
type QueryParams = Parameters<ChdbConnection['query']>[0];

type QueryAnswer = Awaited<ReturnType<ChdbConnection['query']>>;

/** A one-shot stream of `bytes`, as chdb's connection answers a query (its rows are read whole anyway). */
function streamOf(bytes: Buffer): Readable {
  return new Readable({
    read() {
      this.push(bytes);
      this.push(null);
    },
  });
}

/**
 * Several connections to one embedded engine behind the one connection @clickhouse/client
 * expects, so that statements run side by side.
 *
 * The engine runs one statement at a time per connection, and chDB's binding runs every
 * parameterized statement of the process one after another whatever its connection. So each
 * statement's parameters are written into its text (inline-params.ts) and it runs on a free
 * connection, or waits here for one, in order: a slow report takes one connection while a stats
 * read runs on the next (npm run bench:readers). Identical reads in flight at once share one
 * statement (shared-reads.ts), unless a write ended in between. A statement's
 * `clickhouse_settings` become SETs that stay on the connection that ran it (as on one
 * connection), which is why our statements put theirs in the SQL (`SETTINGS …`); the client's
 * own settings go with every statement.
 */
export class EngineConnections {
  readonly connectionName = 'chdb';
  readonly supportsZeroCopyStreaming = false;
  readonly #connections: ChdbConnection[];
  readonly #busy: boolean[];
  readonly #waiting: { start: (index: number) => void }[] = [];
  readonly #shared = new SharedReads<Omit<QueryAnswer, 'stream'> & { bytes: Buffer }>();
  /** Writes ended so far (commands, execs, inserts): a read shares only with one begun since the last. */
  #writes = 0;

  constructor(path: string, count: number) {
    if (!Number.isInteger(count) || count < 1) throw new Error(`EngineConnections: count must be a positive integer, got ${count}`);
    this.#connections = Array.from({ length: count }, () => createChdbConnection({ path }));
    this.#busy = this.#connections.map(() => false);
  }

  /** Statements sent and not yet answered: running on a connection, or waiting for one. */
  get inFlight(): number {
    return this.#busy.filter(Boolean).length + this.#waiting.length;
  }

  /**
   * Runs `call` on a free connection, or waits in turn (first come, first served) for one; a
   * statement whose signal aborts while it waits is refused without running (a statement handed
   * to the engine cannot be stopped there before its time bound).
   */
  async #onFreeConnection<T>(signal: AbortSignal | undefined, call: (connection: ChdbConnection) => Promise<T>): Promise<T> {
    const index = await this.#acquire(signal);
    try {
      return await call(this.#connections[index]!);
    } finally {
      this.#release(index);
    }
  }

  #acquire(signal: AbortSignal | undefined): Promise<number> {
    if (signal?.aborted) return Promise.reject(notRun());
    const free = this.#busy.indexOf(false);
    if (free >= 0) {
      this.#busy[free] = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        start: (index: number) => {
          signal?.removeEventListener('abort', leave);
          resolve(index);
        },
      };
      const leave = () => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        reject(notRun());
      };
      signal?.addEventListener('abort', leave, { once: true });
      this.#waiting.push(waiter);
    });
  }

  /** Hands connection `index` to the statement waiting longest, or marks it free. */
  #release(index: number): void {
    const next = this.#waiting.shift();
    if (next) next.start(index);
    else this.#busy[index] = false;
  }

  #inlined<P extends QueryParams>(params: P): P {
    const values = params.query_params;
    if (!values || Object.keys(values).length === 0) return params;
    return { ...params, query: inlineParams(params.query, values), query_params: undefined };
  }

  /** A read: shared with an identical one in flight (same text and settings), else run. */
  async query(params: QueryParams): Promise<QueryAnswer> {
    const plain = this.#inlined(params);
    const key = JSON.stringify([plain.query, plain.clickhouse_settings ?? null]);
    const { bytes, ...answer } = await this.#shared.run(key, this.#writes, params.abort_signal, (signal) =>
      this.#onFreeConnection(signal, async (c) => {
        const { stream, ...rest } = await c.query({ ...plain, abort_signal: signal });
        return { ...rest, bytes: await buffer(stream) };
      }),
    );
    return { ...answer, stream: streamOf(bytes) };
  }

  /** A statement that may change something: never shared, and later reads do not share with earlier ones. */
  async #write<T>(signal: AbortSignal | undefined, call: (connection: ChdbConnection) => Promise<T>): Promise<T> {
    try {
      return await this.#onFreeConnection(signal, call);
    } finally {
      this.#writes++;
    }
  }

  exec(params: Parameters<ChdbConnection['exec']>[0]) {
    const plain = this.#inlined(params);
    return this.#write(params.abort_signal, (c) => c.exec(plain));
  }

  command(params: QueryParams) {
    const plain = this.#inlined(params);
    return this.#write(params.abort_signal, (c) => c.command(plain));
  }

  insert(params: Parameters<ChdbConnection['insert']>[0]) {
    return this.#write(params.abort_signal, (c) => c.insert(params));
  }

  ping(params: Parameters<ChdbConnection['ping']>[0]) {
    return this.#onFreeConnection(undefined, (c) => c.ping(params));
  }

  async close(): Promise<void> {
    await Promise.all(this.#connections.map((c) => c.close()));
  }

  get serverVersion() {
    return this.#connections[0]!.serverVersion;
  }

  get serverTimezone() {
    return this.#connections[0]!.serverTimezone;
  }

  mapError(err: unknown): Error {
    return this.#connections[0]!.mapError(err);
  }
}
