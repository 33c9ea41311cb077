import type { ClickHouseClient } from '@clickhouse/client';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { analyticsRoutes } from './api/analytics-routes';
import { websiteRoutes } from './api/website-routes';
import { ingestRulesRoutes } from './api/ingest-rules-routes';
import { ReadSlots } from './api/read-slots';
import { ApiKeys } from './auth/api-keys';
import type { AuthDeps } from './auth/auth-deps';
import { authRoutes } from './auth/auth-routes';
import { installGuard } from './auth/guard';
import { KnownDevices } from './auth/known-devices';
import { LoginLimiter } from './auth/login-limiter';
import { Passwords, type ScryptCost } from './auth/passwords';
import { meRoutes } from './auth/me-routes';
import { Tokens } from './auth/tokens';
import { twoFactorRoutes } from './auth/two-factor-routes';
import { TwoFactor } from './auth/two-factor';
import { userRoutes } from './auth/user-routes';
import { Users } from './auth/users';
import { AppSettings } from './auth/app-settings';
import { Tickets } from './auth/tickets';
import { Mailer } from './mail/mailer';
import { accountRoutes } from './auth/account-routes';
import { invitationRoutes } from './auth/invitation-routes';
import { foreignSignInRoutes } from './auth/foreign-sign-in-routes';
import type { Config } from './config';
import { ApiError, installErrorHandling } from './errors';
import { clientErrorHandler, installSecurityHeaders } from './http-hardening';
import { installJsonBodies, signedInBodyLimit } from './json-body';
import { installOpenApi } from './openapi';
import { eraseSession } from './storage/visitor-erasure';
import { dashboardRoute } from './dashboard-route';
import { sendRoute } from './ingest/send-route';
import { DropCounter } from './ingest/drop-counter';
import { insertDropTallies } from './storage/dropped-events';
import { IngestRulesStore } from './websites/ingest-rules-store';
import { GeoLocator } from './ingest/geo';
import { VisitorIdentifier } from './ingest/visitors';
import { Spool } from './pipeline/spool';
import { Quarantine } from './pipeline/quarantine';
import { SpoolWriter } from './pipeline/spool-writer';
import { insertLines, type Insert } from './storage/batch-insert';
import { heavyReadPriority, insertPriority } from './storage/engine-priority';
import { scriptRoute } from './tracker/script-route';
import { installResponseCheck } from './response-check';
import { installValidation } from './validation';
import { Websites } from './websites/websites';
import { ShareLinks, shareRoute } from './websites/share-links';
import { ShareRecords } from './websites/share-records';
import { shareRecordRoutes } from './websites/share-record-routes';
import { teamRoutes } from './teams/team-routes';
import { Teams } from './teams/teams';
import { Metrics } from './metrics';
import { heartbeatRoute } from './heartbeat-route';
import { DiskGuard, type FreeSpace } from './pipeline/disk-guard';
import { RetentionJob } from './storage/retention';
import type { ClusterTopology } from './storage/cluster-ddl';
import { BackupError, backupTarget, writeBackup } from './storage/backup';
import { backupRoute } from './api/backup-route';
import { importRoutes } from './api/import-routes';
import { importedRoutes } from './api/imported-routes';

export interface AppDeps {
  config: Readonly<Config>;
  db: ClickHouseClient;
  appSecret: string;
  trackerScript: Buffer;
  /** The tracker's opt-in extras module (dist/tracker-extras.js); without it /tracker-extras.js answers 404. */
  trackerExtras?: Buffer;
  /** How batches reach ClickHouse; tests wrap it to inject faults. Default: an insert with a deduplication token. */
  insert?: Insert;
  /** Tests only: a cheaper scrypt cost than OWASP's. No setting of the environment reaches it. */
  passwordCost?: ScryptCost;
  /** Tests only: how many password hashes may run at once (default hashingCapacity). */
  hashingCapacity?: number;
  /** The built dashboard (dist/dashboard), served at `/`; none when absent. */
  dashboardDir?: URL;
  /** Tests: check every answer against its response schema, strictly (see response-check.ts). */
  checkResponses?: boolean;
  /** Tests where no small filesystem can be mounted: the data directory's free space, as a seam. Default: statfs. */
  freeSpace?: FreeSpace;
}

export interface RouteInfo {
  method: string;
  url: string;
  public: boolean;
  admin: boolean;
  write: boolean;
  /** True when the route declares its 200 answer's schema. */
  answerSchema: boolean;
}

export interface Collector {
  app: FastifyInstance;
  users: Users;
  websites: Websites;
  writer: SpoolWriter;
  /** Deletes what websites keep past their retention (started by startCollector). */
  retention: RetentionJob;
  /** Inserts every spooled row now (tests, and shutdown). */
  flush(): Promise<void>;
  /** Every route registered, with what the guard asks of it. */
  routes: RouteInfo[];
}

/** Builds the collector's HTTP app on an open, migrated database. Does not listen. */
export function buildCollector(deps: AppDeps): Collector {
  const { config, db, appSecret } = deps;
  const cluster = config.clickhouse?.cluster ?? null;
  const app = createHttpApp(config, deps.checkResponses);
  const auth = authParts(deps);
  const websites = new Websites(db, cluster);
  const teams = new Teams(db);
  const shares = new ShareRecords(db);
  const shareLinks = new ShareLinks(appSecret);
  const ingest = ingestParts(app, deps);
  const { writer, drops } = ingest;

  // Every route registered from here on is guarded unless it says `public: true`.
  installGuard(app, { ...auth, shareLinks });
  const routes = routeList(app);
  installOpenApi(app, '1.0.0');
  heartbeatRoute(app, { detailFrom: config.heartbeatDetailFrom, auth, ...ingest });
  if (ingest.metrics && config.metricsToken) ingest.metrics.serve(app, config.metricsToken);
  if (deps.dashboardDir) app.register(dashboardRoute, { dir: deps.dashboardDir });
  app.register(scriptRoute, { script: deps.trackerScript, aliases: config.trackerScriptAliases, collectPath: config.collectPath, extras: deps.trackerExtras });
  app.register(sendRoute, {
    config,
    websites,
    ...ingest,
    paths: [...new Set(['/api/send', config.collectPath])],
    outcome: ingest.metrics ? (result, reason) => ingest.metrics!.beacon(result, reason) : undefined,
  });
  registerAccountRoutes(app, auth, teams);
  app.register(ingestRulesRoutes, { websites, teams, ingestRules: ingest.ingestRules, db });
  const retention = new RetentionJob(db, () => websites.withRetention(), cluster);
  const retentionChanged = () => retention.runSoon((error) => app.log.error({ err: error }, 'retention failed; retrying at the next run'));
  app.register(websiteRoutes, { websites, teams, shares, retentionChanged });
  app.register(shareRoute, { websites, shareLinks, shares });
  app.register(shareRecordRoutes, { websites, teams, shares });
  app.register(teamRoutes, { teams, users: auth.users, websites });
  app.register(importRoutes, { db, websites, cluster });
  app.register(importedRoutes, { websites, teams, shares, db, cluster, maxBytes: config.importMaxBytes });
  app.register(analyticsRoutes, {
    websites,
    teams,
    shares,
    db,
    readBounds: {
      timeoutMs: config.readTimeoutMs,
      maxMemoryBytes: config.readMaxMemoryBytes,
      heavy: config.clickhouse ? {} : heavyReadPriority(config.engineNice),
    },
    readSlots: new ReadSlots({ running: config.readsPerClient, waiting: config.readQueuePerClient }),
    eraseVisitor: visitorEraser(writer, db, cluster),
  });
  backupRoute(app, { appSecret, auth, backup: backupMaker(writer, db, config) });

  drainConnectionsOnClose(app, config.shutdownTimeoutMs);
  // Runs after the server stopped accepting and in-flight requests finished.
  app.addHook('onClose', () => Promise.all([writer.close(config.shutdownTimeoutMs), drops.close()]).finally(() => auth.mailer.close()));
  return { app, users: auth.users, websites, writer, retention, flush: () => Promise.all([writer.flush(), drops.flush()]).then(() => {}), routes };
}

/** The Fastify app with the collector's server settings, and what every route shares: validation, JSON bodies, errors, security headers. */
function createHttpApp(config: Readonly<Config>, checkResponses = false): FastifyInstance {
  const app = Fastify({
    logger: { level: config.logLevel },
    trustProxy: config.trustProxy,
    // Fastify sets no request timeouts by default; a beacon or an API call never needs long.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 65_000,
    // No signed-in route takes more than a few KB; at 64 KB the worst JSON costs ~3.5 ms to parse (1 MB: ~90 ms). See json-body.ts.
    bodyLimit: signedInBodyLimit,
    clientErrorHandler,
    // One log line per beacon would cost more than the beacon; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
  });
  installValidation(app);
  installJsonBodies(app);
  if (checkResponses) installResponseCheck(app);
  installErrorHandling(app);
  installSecurityHeaders(app);
  return app;
}

/** Users, passwords, tokens, API keys, two-factor, tickets and mail: what the guard and the account routes share. */
function authParts({ db, config, appSecret, passwordCost, hashingCapacity }: AppDeps): AuthDeps {
  const passwords = new Passwords(passwordCost, hashingCapacity);
  return {
    users: new Users(db, passwords),
    passwords,
    tokens: new Tokens(db),
    apiKeys: new ApiKeys(db),
    limiter: new LoginLimiter(),
    twoFactor: new TwoFactor(appSecret, db),
    devices: new KnownDevices(appSecret),
    settings: new AppSettings(db),
    tickets: new Tickets(db),
    mailer: new Mailer(config.smtpUrl, config.mailFrom),
    publicUrl: config.publicUrl,
  };
}

/** The ingest side: the spool and its writer (batch inserts), the quarantine, the disk guard, counting rules, drop counts, visitor ids, geo, and the metrics watching them. */
function ingestParts(app: FastifyInstance, { config, db, appSecret, insert, freeSpace }: AppDeps) {
  const diskGuard = new DiskGuard(config.dataDir, config.minFreeDiskBytes, freeSpace);
  const spool = new Spool(config.dataDir, { maxBytes: config.spoolMaxBytes, fsyncMs: config.spoolFsyncMs, diskGuard });
  const quarantine = new Quarantine(config.dataDir, config.quarantineMaxBytes);
  // Kept only when someone may read them (METRICS_TOKEN).
  const metrics = config.metricsToken ? new Metrics() : null;
  // On the embedded engine, batch inserts run below Node's threads and the reads (engine-priority.ts).
  const realInsert: Insert = insert ?? insertLines(db, config.clickhouse ? {} : insertPriority(config.engineNice));
  const insertBatch = metrics ? metrics.measured(realInsert) : realInsert;
  const writer = new SpoolWriter(
    spool,
    quarantine,
    insertBatch,
    { maxRows: config.batchMaxRows, intervalMs: config.batchIntervalMs, retryMaxMs: config.insertRetryMaxMs },
    app.log,
  );
  const drops = new DropCounter(
    (tallies) => insertDropTallies(db, tallies),
    config.batchIntervalMs * 5,
    (error) => app.log.warn({ err: error }, 'could not save the dropped-event counts; kept for the next try'),
  );
  const visitors = new VisitorIdentifier(appSecret);
  const parts = { diskGuard, quarantine, metrics, writer, drops, visitors, geo: new GeoLocator(config), ingestRules: new IngestRulesStore(db) };
  if (metrics) {
    metrics.watch({ writer, quarantine, diskGuard, visitors, db });
    metrics.timeReads(app);
  }
  return parts;
}

/** Every route registered from now on, with what the guard asks of it. */
function routeList(app: FastifyInstance): RouteInfo[] {
  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (route) => {
    const { public: open = false, admin = false, write = false } = route.config ?? {};
    for (const method of [route.method].flat()) {
      const answerSchema = Boolean((route.schema?.response as Record<number, unknown> | undefined)?.[200]);
      if (method !== 'HEAD') routes.push({ method, url: route.url, public: open, admin, write, answerSchema });
    }
  });
  return routes;
}

/** Sign-in, the signed-in user's own routes, accounts, invitations, foreign sign-in, two-factor and user administration. */
function registerAccountRoutes(app: FastifyInstance, auth: AuthDeps, teams: Teams): void {
  app.register(authRoutes, { ...auth, teams });
  app.register(meRoutes, auth);
  app.register(accountRoutes, { ...auth, teams });
  app.register(invitationRoutes, { ...auth, teams });
  app.register(foreignSignInRoutes, { ...auth, teams });
  app.register(twoFactorRoutes, auth);
  app.register(userRoutes, auth);
}

/**
 * Erases one visitor: what the session sent before the request is inserted first (else it would
 * come back after), then the erasure runs between batch inserts.
 */
function visitorEraser(writer: SpoolWriter, db: ClickHouseClient, cluster: ClusterTopology | null) {
  return async (websiteId: string, sessionId: string) => {
    await writer.flush().catch(() => {
      throw new ApiError('storageUnavailable');
    });
    return writer.exclusive(() => eraseSession(db, { websiteId, sessionId, cluster }));
  };
}

/** A backup of the embedded engine with the spool's pending segments beside it (a server is backed up by its own BACKUP). */
function backupMaker(writer: SpoolWriter, db: ClickHouseClient, config: Readonly<Config>) {
  return async (name: string) => {
    if (config.clickhouse)
      throw new ApiError('badRequest', "Back up a ClickHouse server with ClickHouse's own BACKUP (docs/backups.md); this backs up the embedded engine");
    const started = performance.now();
    try {
      const dir = backupTarget(config.backupDir, name);
      const manifest = await writer.withPendingSegments((segments) => writeBackup(db, { dir, dataDir: config.dataDir, segments }));
      return { ...manifest, dir, seconds: (performance.now() - started) / 1000 };
    } catch (error) {
      throw error instanceof BackupError ? new ApiError('badRequest', error.message) : error;
    }
  };
}

/**
 * Node's server.close() closes the keep-alive connections idle at that moment only: one whose
 * request was in flight then stays open after its answer until keepAliveTimeout (65 s), and
 * close() waits for it. So while closing, connections that fall idle are closed every 50 ms, and
 * any still busy after `timeoutMs` (a stuck request) are cut.
 */
function drainConnectionsOnClose(app: FastifyInstance, timeoutMs: number): void {
  let reaper: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  app.addHook('preClose', (done) => {
    reaper = setInterval(() => app.server.closeIdleConnections(), 50);
    deadline = setTimeout(() => app.server.closeAllConnections(), timeoutMs);
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    clearInterval(reaper);
    clearTimeout(deadline);
    done();
  });
}
