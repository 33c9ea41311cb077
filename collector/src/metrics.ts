import { timingSafeEqual } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { VisitorIdentifier } from './ingest/visitors';
import type { DiskGuard } from './pipeline/disk-guard';
import type { Quarantine } from './pipeline/quarantine';
import type { SpoolWriter } from './pipeline/spool-writer';
import type { Insert } from './storage/batch-insert';
import { rows, statementsInFlight } from './storage/client';

/**
 * What an operator watches (GET /metrics, Prometheus' text format, behind METRICS_TOKEN;
 * docs/metrics.md): beacons by outcome, the spool's backlog, inserts, quarantine, reads by
 * route, the engine's memory, visits and sessions, and Node's own (event-loop delay, memory, CPU).
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #beacons = new Counter({
    name: 'analytics_beacons_total',
    help: 'Beacons answered by /api/send: result accepted (stored), dropped (not stored, by reason: bot or a counting rule) or refused (4xx/5xx, by error code)',
    labelNames: ['result', 'reason'] as const,
    registers: [this.registry],
  });
  readonly #insertBatches = new Counter({
    name: 'analytics_insert_batches_total',
    help: 'Batch inserts from the spool into ClickHouse, by table and result (ok or failed)',
    labelNames: ['table', 'result'] as const,
    registers: [this.registry],
  });
  readonly #insertRows = new Counter({
    name: 'analytics_insert_rows_total',
    help: 'Rows inserted from the spool, by table',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });
  readonly #insertSeconds = new Histogram({
    name: 'analytics_insert_duration_seconds',
    help: 'Time of one batch insert (successful ones), by table',
    labelNames: ['table'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly #readSeconds = new Histogram({
    name: 'analytics_read_duration_seconds',
    help: 'Time of GET /api requests (reads), by route pattern and status code',
    labelNames: ['route', 'status'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Reads these parts' state at each scrape. */
  watch(parts: { writer: SpoolWriter; quarantine: Quarantine; diskGuard: DiskGuard; visitors: VisitorIdentifier; db: ClickHouseClient }): void {
    const { writer, quarantine, diskGuard, visitors, db } = parts;
    const gauge = (name: string, help: string, read: () => number | Promise<number | null>) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          const value = await read();
          if (value !== null) this.set(value);
        },
      });
    gauge('analytics_spool_backlog_rows', 'Rows in the spool not yet inserted into ClickHouse', () => writer.backlog.rows);
    gauge('analytics_spool_backlog_bytes', 'Bytes of the spool not yet inserted into ClickHouse', () => writer.backlog.bytes);
    gauge('analytics_storage_up', '1 when the last insert into ClickHouse succeeded, 0 while inserts fail (beacons wait in the spool)', () =>
      writer.insertFailure ? 0 : 1,
    );
    gauge('analytics_quarantine_rows', 'Rows ClickHouse refused for their content, kept in DATA_DIR/quarantine', () => quarantine.stats.rows);
    gauge('analytics_quarantine_bytes', 'Bytes in DATA_DIR/quarantine', () => quarantine.stats.bytes);
    gauge('analytics_disk_free_bytes', "Free space on the data directory's disk", () => Math.min(diskGuard.freeBytes, Number.MAX_SAFE_INTEGER));
    gauge('analytics_disk_accepting', '1 while beacons are accepted, 0 while the disk is (nearly) full and /api/send answers 503', () =>
      diskGuard.accepting ? 1 : 0,
    );
    gauge('analytics_active_sessions', 'Visitor sessions seen within the 30-minute visit timeout (held in memory, at most 200,000)', () =>
      visitors.activeSessions(),
    );
    new Counter({
      name: 'analytics_visits_started_total',
      help: 'Visits begun (a session’s first beacon, or its first after 30 minutes without one)',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(visitors.visitsStarted);
      },
    });
    gauge(
      'analytics_engine_statements_in_flight',
      "Statements sent to the embedded engine's connections and not yet answered, running or waiting for a connection (ENGINE_CONNECTIONS); 0 on a server",
      () => statementsInFlight(db),
    );
    // The engine's own account of its memory (MemoryTracking); left out when it cannot be read.
    gauge('analytics_engine_memory_bytes', "ClickHouse's tracked memory (system.metrics MemoryTracking; the embedded engine is in this process)", async () => {
      const [row] = await rows<{ value: string }>(db, "SELECT value FROM system.metrics WHERE metric = 'MemoryTracking'").catch(() => []);
      return row === undefined ? null : Number(row.value);
    });
  }

  /** A beacon's outcome. */
  beacon(result: 'accepted' | 'dropped' | 'refused', reason = ''): void {
    this.#beacons.inc({ result, reason });
  }

  /** `insert`, counted and timed. */
  measured(insert: Insert): Insert {
    return async (table, lines, token) => {
      const started = performance.now();
      try {
        await insert(table, lines, token);
      } catch (error) {
        this.#insertBatches.inc({ table, result: 'failed' });
        throw error;
      }
      this.#insertSeconds.observe({ table }, (performance.now() - started) / 1000);
      this.#insertBatches.inc({ table, result: 'ok' });
      // One line per row.
      this.#insertRows.inc({ table }, lines.length);
    };
  }

  /** Times every GET /api request but the heartbeat, by its route's pattern. */
  timeReads(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url;
      if (request.method !== 'GET' || !route?.startsWith('/api/') || route === '/api/heartbeat') return;
      this.#readSeconds.observe({ route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
  }

  /** GET /metrics, for a bearer of `token` only (others: 401, as if there were nothing to see). */
  serve(app: FastifyInstance, token: string): void {
    const expected = Buffer.from(`Bearer ${token}`);
    app.get('/metrics', { config: { public: true }, logLevel: 'warn' }, async (request, reply) => {
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        reply.code(401);
        return { error: { message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>', code: 'unauthorized', status: 401 } };
      }
      reply.header('content-type', this.registry.contentType);
      return this.registry.metrics();
    });
  }
}
