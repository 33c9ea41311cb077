import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readClientOf, type ReadSlots } from './read-slots';
import { batchReadSignal } from '../ingest/batch-route';

/** What one read query may cost: READ_TIMEOUT_MS and READ_MAX_MEMORY_BYTES. */
export interface ReadBounds {
  timeoutMs: number;
  maxMemoryBytes: number;
}

/**
 * The client a request's read queries go through: every query carries a SETTINGS clause that
 * bounds its time and memory (in the SQL, so it holds for that query only: settings passed to
 * the embedded engine as `clickhouse_settings` are SET on its session and stay for later
 * queries), and is cancelled when the client leaves. The embedded engine runs parameterized
 * queries one at a time, so a query cancelled while it waits never runs; one already running
 * stops at the time bound.
 */
function boundedClient(db: ClickHouseClient, bounds: ReadBounds, cancellation: { signal: AbortSignal; check(): void }): ClickHouseClient {
  const settings = `\nSETTINGS max_execution_time = ${bounds.timeoutMs / 1000}, max_memory_usage = ${bounds.maxMemoryBytes}`;
  const query: ClickHouseClient['query'] = ((params: Parameters<ClickHouseClient['query']>[0]) => {
    cancellation.check();
    return db.query({ ...params, query: params.query + settings, abort_signal: cancellation.signal });
  }) as ClickHouseClient['query'];
  return new Proxy(db, {
    get(target, property) {
      if (property === 'query') return query;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const clients = new WeakMap<FastifyRequest, ClickHouseClient>();

/**
 * Gives every request of `app` (a plugin's routes) its bounded client, cancelled when the
 * response closes before it was sent (the client went away); `readsOf(request)` returns it.
 * With `slots`, each request first waits for a turn of its client's (see ReadSlots), held until
 * its answer is sent or its client goes away.
 */
export function installBoundedReads(
  app: FastifyInstance,
  db: ClickHouseClient,
  bounds: ReadBounds,
  slots?: ReadSlots,
): (request: FastifyRequest) => ClickHouseClient {
  app.addHook('onRequest', async (request, reply) => {
    const controller = new AbortController();
    const socket = request.raw.socket;
    const gone = () => {
      if (!reply.raw.writableFinished) controller.abort();
    };
    // The connection may have closed before this request's turn came (its close event is past).
    const check = () => {
      if (!controller.signal.aborted && socket?.destroyed) gone();
    };
    check();
    socket?.once('close', gone);
    // The answer is sent or the client left: the read's turn (when it has one) ends too.
    let closed = false;
    let release: (() => void) | null = null;
    const end = () => {
      if (closed) return;
      closed = true;
      socket?.off('close', gone);
      gone();
      release?.();
    };
    reply.raw.once('close', end);
    // A read of a batch (POST /api/batch, made with inject) whose client left: its reply may never
    // close, so its query and its turn end here.
    const batch = batchReadSignal(request.raw);
    if (batch?.aborted) end();
    else batch?.addEventListener('abort', end, { once: true });
    clients.set(request, boundedClient(db, bounds, { signal: controller.signal, check }));
    if (!slots || !request.auth) return;
    release = await slots.acquire(readClientOf(request.auth), controller.signal);
    if (closed || controller.signal.aborted) release();
  });
  return (request) => clients.get(request) ?? db;
}
