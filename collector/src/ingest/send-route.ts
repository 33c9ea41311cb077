import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config';
import { ApiError, apiErrorOf } from '../errors';
import { boundedJsonParser } from '../json-body';
import { batchRoute } from './batch-route';
import { isDiskFull } from '../pipeline/disk-guard';
import { DiskFullError } from '../pipeline/spool';
import type { SpoolWriter } from '../pipeline/spool-writer';
import type { Websites } from '../websites/websites';
import { eventDataProblem } from './event-data';
import { buildEventRow, buildSessionDataRow, type EventRow, type SessionDataRow } from './event-row';
import { buildPerformanceRow, measuredVitals } from './performance-row';
import { revenueOf, type Revenue } from './revenue';
import { cleanStrings } from './clean-text';
import type { GeoLocator } from './geo';
import type { DropCounter } from './drop-counter';
import { addressList, listed, type BeaconFacts } from './ingest-rules';
import type { IngestRulesStore } from '../websites/ingest-rules-store';
import { splitLocation } from './page-location';
import { RateLimiter } from '../shared/rate-limiter';
import { uuidPattern } from '../shared/ids';
import { SendAnswer, sendBodySchema, type SendBody } from './send-schema';
import { SessionTies } from './session-ties';
import { describeAgent } from './user-agent';
import type { VisitorIdentifier } from './visitors';

/** The beacon's body limit: Umami's payloads are well under 8 KB; 64 KB leaves room for event data. */
export const sendBodyLimit = 64 * 1024;

export interface IngestDeps {
  config: Readonly<Config>;
  websites: Websites;
  visitors: VisitorIdentifier;
  geo: GeoLocator;
  writer: SpoolWriter;
  /** Each website's counting rules (hostnames, excluded addresses and paths, referrer spam). */
  ingestRules: IngestRulesStore;
  /** Counts what is not stored, per website and reason. */
  drops: DropCounter;
  /** /api/send, and the COLLECT_API_ENDPOINT alias when one is set. */
  paths: string[];
  /** Told each beacon's outcome (for /metrics): stored, not stored (why), or refused (the error's code). */
  outcome?: (result: 'accepted' | 'dropped' | 'refused', reason?: string) => void;
}

const websiteId = new RegExp(uuidPattern);

/**
 * The x-umami-cache token. Umami's trackers up to v2.10 send back the whole answer they got, so a
 * JSON answer of ours arrives as `{"cache":"…",…}`; newer clients send the token itself.
 */
function cacheToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string' || header.length > 1024) return undefined;
  if (!header.startsWith('{')) return header;
  try {
    const cache = JSON.parse(header).cache;
    return typeof cache === 'string' ? cache : undefined;
  } catch {
    return undefined;
  }
}

/** What the website's rules are checked on: the address, and for a page's events its hostname, path and referrer. */
function beaconFacts(ip: string, { type, payload }: SendBody): BeaconFacts {
  if (type === 'identify') return { ip };
  const hostname = payload.hostname ?? '';
  const location = splitLocation(payload.url ?? '', payload.referrer ?? '', hostname);
  return { ip, page: { hostname, path: location.urlPath, referrerDomain: location.referrerDomain } };
}

function allowAnyOrigin(request: FastifyRequest, reply: FastifyReply, done: () => void) {
  // Any site may send beacons; error answers carry these headers too, since they are set first.
  // A tracker sending with credentials (Umami's data-fetch-credentials="include") needs its own
  // origin named, not `*`; no cookie of ours means anything on this route.
  const origin = request.headers.origin;
  if (typeof origin === 'string' && /^https?:\/\/[^\s/]{1,253}$/.test(origin)) {
    reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true').header('vary', 'Origin');
  } else reply.header('access-control-allow-origin', '*');
  done();
}

/**
 * The request headers a preflight may allow: those the browser asks for (Umami's current tracker
 * and its framework plugins send `x-umami-cache`, `x-umami-website-id`, `x-umami-hostname` and
 * may add others), when each is a plain header name; else the ones we read.
 */
const knownHeaders = 'content-type, x-umami-cache, x-umami-website-id, x-umami-hostname';
function allowedHeaders(request: FastifyRequest): string {
  const asked = request.headers['access-control-request-headers'];
  if (typeof asked !== 'string' || asked.length > 1000) return knownHeaders;
  const names = asked.split(',').map((name) => name.trim().toLowerCase());
  return names.length <= 30 && names.every((name) => /^[a-z0-9-]{1,64}$/.test(name))
    ? [...new Set([...knownHeaders.split(', '), ...names])].join(', ')
    : knownHeaders;
}

/** The website a beacon names: in its payload (Umami's trackers) or the x-umami-website-id header (its framework plugins). */
function websiteOf(request: FastifyRequest<{ Body: SendBody }>): string {
  const header = request.headers['x-umami-website-id'];
  const website = request.body.payload.website ?? (typeof header === 'string' ? header : '');
  if (!websiteId.test(website)) throw new ApiError('invalidWebsite');
  return website.toLowerCase();
}

/** `POST /api/send`: Umami's beacon. Validates, drops bots, enriches, spools for a batched insert. */
export async function sendRoute(app: FastifyInstance, { config, websites, visitors, geo, writer, ingestRules, drops, paths, outcome }: IngestDeps) {
  const ignored = addressList(config.ignoreIps);
  const limiter = config.rateLimitPerMinute > 0 ? new RateLimiter(config.rateLimitPerMinute) : null;

  app.addHook('onRequest', allowAnyOrigin);
  // Beacons sent as text/plain (CORS-simple, no preflight) are parsed as JSON with the same
  // prototype-poisoning protection and nesting bound as application/json.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, boundedJsonParser(app));

  const preflight = async (request: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', allowedHeaders(request))
      .header('access-control-max-age', '86400')
      .send();

  const ties = new SessionTies();
  /** Writes a row that ties a session to a distinct id (see session-ties.ts); forgets the tie if it could not be written. */
  const writeTie = async (sessionId: string, distinctId: string, row: SessionDataRow): Promise<boolean> => {
    const written = await writer.enqueue('s', row);
    if (!written) ties.forget(sessionId, distinctId);
    return written;
  };

  /** An event, and beside it the order it records (one spool line each; acknowledged once both are written). */
  const enqueueEvent = async (row: EventRow, revenue: Revenue | null): Promise<boolean> => {
    if (!revenue) return writer.enqueue('e', row);
    const [event, order] = await Promise.all([
      writer.enqueue('e', row),
      writer.enqueue(
        'r',
        cleanStrings({
          website_id: row.website_id,
          session_id: row.session_id,
          visit_id: row.visit_id,
          event_id: row.event_id,
          created_at: row.created_at,
          event_name: row.event_name,
          currency: revenue.currency,
          revenue: revenue.revenue,
          order_key: revenue.orderId ? `order:${revenue.orderId}` : `event:${row.event_id}`,
        }),
      ),
    ]);
    return event && order;
  };

  const handler = async (request: FastifyRequest<{ Body: SendBody }>, reply: FastifyReply) => {
    const ip = request.ip;
    if (ignored && listed(ignored, ip)) throw new ApiError('ignoredIp');
    const wait = limiter?.hit(ip) ?? 0;
    if (wait > 0) throw new ApiError('rateLimited', undefined, wait);
    const userAgent = request.headers['user-agent'];
    if (!userAgent) throw new ApiError('missingUserAgent');
    const { type } = request.body;
    const website = websiteOf(request);
    const hostHeader = request.headers['x-umami-hostname'];
    const payload = {
      ...request.body.payload,
      website,
      hostname: request.body.payload.hostname ?? (typeof hostHeader === 'string' ? hostHeader.slice(0, 100) : undefined),
    };
    const problem = payload.data ? eventDataProblem(payload.data) : null;
    if (problem) throw new ApiError('invalidData', problem);
    const revenue = type === 'event' ? revenueOf(payload.data) : null;
    if (revenue && 'problem' in revenue) throw new ApiError('invalidData', revenue.problem);
    const agent = describeAgent(userAgent);
    if (agent.bot) {
      // Umami's answer to bots: 200 and nothing stored, so crawlers see no difference; counted for a known website.
      if (await websites.accepts(website).catch(() => false)) drops.count(website, 'bot');
      outcome?.('dropped', 'bot');
      return reply.send({ beep: 'boop' });
    }
    if (!(await websites.accepts(website))) throw new ApiError('unknownWebsite');
    const dropped = (await ingestRules.forBeacons(website)).check(beaconFacts(ip, { type, payload }));
    if (dropped) {
      drops.count(website, dropped);
      outcome?.('dropped', dropped);
      return reply.send({ beep: 'boop', dropped });
    }

    const now = Date.now();
    const isPageview = type === 'event' && !payload.name;
    const ids = visitors.idsFor(website, ip, userAgent, cacheToken(request.headers['x-umami-cache']), now, isPageview);
    /** What the beacon stores: session data, a page's vitals (none reported: nothing), or an event with its order. */
    const spool = (): Promise<boolean> => {
      const distinctId = payload.id;
      // The first identify call or event of a session carrying a distinct id ties the session to
      // it: an identify call by its own row, an event (Umami's tracker sends the id with each one)
      // by a row beside it.
      const firstTie = () => distinctId !== undefined && distinctId !== '' && ties.first(ids.sessionId, distinctId);
      if (type === 'identify') {
        const row = buildSessionDataRow(payload, ids.sessionId, now);
        return firstTie() ? writeTie(ids.sessionId, distinctId!, row) : writer.enqueue('s', row);
      }
      const place = geo.locate(ip, request.headers);
      if (type === 'performance')
        return measuredVitals(payload) ? writer.enqueue('p', buildPerformanceRow(payload, ids, agent, place, now)) : Promise.resolve(true);
      const event = enqueueEvent(buildEventRow(payload, ids, agent, place, now), revenue);
      if (!firstTie()) return event;
      const tie = writeTie(ids.sessionId, distinctId!, buildSessionDataRow({ ...payload, data: undefined }, ids.sessionId, now));
      return Promise.all([tie, event]).then(([tied, stored]) => tied && stored);
    };
    // The answer goes out only after the row is written to the spool: an acknowledged event is safe.
    let diskFull = false;
    const spooled = await spool().catch((error: unknown) => {
      diskFull = isDiskFull(error);
      // Refusals while the disk is low are the heartbeat's to report, not one log line per beacon.
      if (!(error instanceof DiskFullError)) request.log.error({ err: error }, 'could not write to the spool');
      return false;
    });
    if (diskFull) throw new ApiError('diskFull');
    if (!spooled) throw new ApiError('overloaded');
    outcome?.('accepted');
    return reply.send({ cache: ids.cache, sessionId: ids.sessionId, visitId: ids.visitId });
  };

  if (outcome) {
    // Refusals, whatever raised them (the handler, the body's parsing or its schema), by code.
    app.addHook('onError', async (request, _reply, error) => {
      if (request.method === 'POST' && paths.includes(request.routeOptions.url ?? '')) outcome('refused', apiErrorOf(error).code);
    });
  }
  for (const path of paths) {
    app.options(path, { config: { public: true } }, preflight);
    app.post<{ Body: SendBody }>(
      path,
      { schema: { body: sendBodySchema, response: { 200: SendAnswer } }, bodyLimit: sendBodyLimit, config: { public: true } },
      handler,
    );
  }
  app.options('/api/batch', { config: { public: true } }, preflight);
  batchRoute(app);
}
