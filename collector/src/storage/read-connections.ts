import { createChdbConnection } from 'chdb/connection';
import { inlineParams } from './inline-params';

type ChdbConnection = ReturnType<typeof createChdbConnection>;
type QueryParams = Parameters<ChdbConnection['query']>[0];

/**
 * Several connections to one embedded engine behind the one connection @clickhouse/client
 * expects, so that statements run side by side.
 *
 * The engine runs one statement at a time per connection, and chDB's binding runs every
 * parameterized statement of the process one after another whatever its connection. So each
 * statement's parameters are written into its text (inline-params.ts) and it goes to the
 * connection with the fewest statements in flight: a slow report takes one connection while
 * a stats read runs on the next (npm run bench:readers). Settings stay per statement (chdb's
 * connection prefixes them as SETs to each one), so no connection carries another's state.
 */
export class ReadConnections {
  readonly connectionName = 'chdb';
  readonly supportsZeroCopyStreaming = false;
  readonly #connections: ChdbConnection[];
  readonly #inFlight: number[];

  constructor(path: string, count: number) {
    if (!Number.isInteger(count) || count < 1) throw new Error(`ReadConnections: count must be a positive integer, got ${count}`);
    this.#connections = Array.from({ length: count }, () => createChdbConnection({ path }));
    this.#inFlight = this.#connections.map(() => 0);
  }

  /** How many statements each connection is running now (for tests and /metrics). */
  get inFlight(): readonly number[] {
    return this.#inFlight;
  }

  /** Runs `call` on the least busy connection (the first of equals), counted while it runs. */
  async #onLeastBusy<T>(call: (connection: ChdbConnection) => Promise<T>): Promise<T> {
    let index = 0;
    for (let i = 1; i < this.#inFlight.length; i++) if (this.#inFlight[i]! < this.#inFlight[index]!) index = i;
    this.#inFlight[index]!++;
    try {
      return await call(this.#connections[index]!);
    } finally {
      this.#inFlight[index]!--;
    }
  }

  #inlined<P extends QueryParams>(params: P): P {
    const values = params.query_params;
    if (!values || Object.keys(values).length === 0) return params;
    return { ...params, query: inlineParams(params.query, values), query_params: undefined };
  }

  query(params: QueryParams) {
    const plain = this.#inlined(params);
    return this.#onLeastBusy((c) => c.query(plain));
  }

  exec(params: Parameters<ChdbConnection['exec']>[0]) {
    const plain = this.#inlined(params);
    return this.#onLeastBusy((c) => c.exec(plain));
  }

  command(params: QueryParams) {
    const plain = this.#inlined(params);
    return this.#onLeastBusy((c) => c.command(plain));
  }

  insert(params: Parameters<ChdbConnection['insert']>[0]) {
    return this.#onLeastBusy((c) => c.insert(params));
  }

  ping(params: Parameters<ChdbConnection['ping']>[0]) {
    return this.#onLeastBusy((c) => c.ping(params));
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
