import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readClientOf, type ReadSlots } from './read-slots';
import { batchReadSignal } from '../ingest/batch-route';
import { filterNames } from '../reads/umami-names';

/** What one read query may cost: READ_TIMEOUT_MS and READ_MAX_MEMORY_BYTES. */
export interface ReadBounds {
  timeoutMs: number;
  maxMemoryBytes: number;
  /**
   * The settings a heavy read's queries run with (see isHeavyRead): on the embedded engine, its
   * threads a few nice steps below the others (ENGINE_NICE), so a light read arriving behind
   * heavy ones gets the cores first; none when the engine could not raise them back after.
   */
  heavy?: Record<string, number>;
}

/** Reports whose queries read every event of the range, visit by visit. */
const reportRoute = /^\/api\/websites\/:websiteId\/(funnels|goals|journeys|retention|attribution|breakdown|metrics\/expanded|event-data-pivot)/;
const filterKeys = new Set<string>([...filterNames, 'url', 'host', 'segment', 'cohort']);

/**
 * A heavy read: a report that follows visits, or any read under a filter, segment or cohort
 * (those read the events themselves; a plain read mostly reads the rollups). Heavy reads run at
 * a lower priority, so that shortest-first holds roughly: a stats read behind three filtered ones
 * waits for a share of the cores, not for all three (npm run bench:readers).
 */
export function isHeavyRead(route: string, query: Record<string, unknown>): boolean {
  return reportRoute.test(route) || Object.keys(query).some((key) => filterKeys.has(key) && query[key] !== '' && query[key] !== undefined);
}

/**
 * The client a request's read queries go through: every query carries a SETTINGS clause that
 * bounds its time and memory (in the SQL, so it holds for that query only: settings passed to
 * the embedded engine as `clickhouse_settings` are SET on its session and stay for later
 * queries), and is cancelled when the client leaves: a query cancelled while it waits for an
 * engine connection never runs; one already running stops at the time bound. A heavy read's
 * queries also carry `bounds.heavy` (a lower priority); `settings` is that SETTINGS clause.
 */
function boundedClient(db: ClickHouseClient, settings: string, cancellation: { signal: AbortSignal; check(): void }): ClickHouseClient {
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
  // A GROUP BY or ORDER BY holding more than half the memory bound goes on in parts on disk
  // (ClickHouse's external aggregation and sort) rather than failing at the bound: a report over
  // a year of a large site (retention: a state per session) answers, more slowly, instead of 503.
  const spill = Math.floor(bounds.maxMemoryBytes / 2);
  const plainSettings =
    `\nSETTINGS max_execution_time = ${bounds.timeoutMs / 1000}, max_memory_usage = ${bounds.maxMemoryBytes}` +
    `, max_bytes_before_external_group_by = ${spill}, max_bytes_before_external_sort = ${spill}`;
  const heavySettings =
    plainSettings +
    Object.entries(bounds.heavy ?? {})
      .map(([name, value]) => `, ${name} = ${value}`)
      .join('');
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
    const heavy = isHeavyRead(request.routeOptions.url ?? '', (request.query ?? {}) as Record<string, unknown>);
    clients.set(request, boundedClient(db, heavy ? heavySettings : plainSettings, { signal: controller.signal, check }));
    if (!slots || !request.auth) return;
    release = await slots.acquire(readClientOf(request.auth), controller.signal);
    if (closed || controller.signal.aborted) release();
  });
  return (request) => clients.get(request) ?? db;
}
