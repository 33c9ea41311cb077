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
import { revenueOf } from './revenue';
import type { GeoLocator } from './geo';
import type { DropCounter } from './drop-counter';
import { addressList, listed, type BeaconFacts, type DropReason } from './ingest-rules';
import type { IngestRulesStore } from '../websites/ingest-rules-store';
import { splitLocation } from './page-location';
import { RateLimiter } from '../shared/rate-limiter';
import { uuidPattern } from '../shared/ids';
import { SendAnswer, sendBodySchema, type SendBody } from './send-schema';
import { type AdmittedBeacon, BeaconSpool, type Sender } from './beacon-spool';
import { type AgentInfo, describeAgent } from './user-agent';
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
function beaconFacts(ip: string, { type, payload }: AdmittedBeacon): BeaconFacts {
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

/** The beacon as it will be stored: its website and hostname settled (payload or headers), its event data and order checked. */
function admittedBeacon(request: FastifyRequest<{ Body: SendBody }>): AdmittedBeacon {
  const { type } = request.body;
  const hostHeader = request.headers['x-umami-hostname'];
  const payload = {
    ...request.body.payload,
    website: websiteOf(request),
    hostname: request.body.payload.hostname ?? (typeof hostHeader === 'string' ? hostHeader.slice(0, 100) : undefined),
  };
  const problem = payload.data ? eventDataProblem(payload.data) : null;
  if (problem) throw new ApiError('invalidData', problem);
  const revenue = type === 'event' ? revenueOf(payload.data) : null;
  if (revenue && 'problem' in revenue) throw new ApiError('invalidData', revenue.problem);
  return { type, payload, revenue };
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

  const beacons = new BeaconSpool(writer);

  /** The sender's address and User-Agent, once neither is ignored nor over the rate limit. */
  const admitSender = (request: FastifyRequest): { ip: string; userAgent: string } => {
    const ip = request.ip;
    if (ignored && listed(ignored, ip)) throw new ApiError('ignoredIp');
    const wait = limiter?.hit(ip) ?? 0;
    if (wait > 0) throw new ApiError('rateLimited', undefined, wait);
    const userAgent = request.headers['user-agent'];
    if (!userAgent) throw new ApiError('missingUserAgent');
    return { ip, userAgent };
  };

  /** Why a beacon is not stored (a bot, or one of the website's counting rules), or null; refuses a website we do not know. */
  const dropReason = async (beacon: AdmittedBeacon, ip: string, agent: AgentInfo): Promise<DropReason | null> => {
    // Bots first: Umami answers them 200 whatever website they name, so crawlers see no difference.
    if (agent.bot) return 'bot';
    if (!(await websites.accepts(beacon.payload.website))) throw new ApiError('unknownWebsite');
    return (await ingestRules.forBeacons(beacon.payload.website)).check(beaconFacts(ip, beacon));
  };

  /** Spools the beacon's rows; the answer goes out only after they are written: an acknowledged event is safe. */
  const spool = async (request: FastifyRequest, beacon: AdmittedBeacon, sender: Sender): Promise<void> => {
    let diskFull = false;
    const spooled = await beacons.store(beacon, sender).catch((error: unknown) => {
      diskFull = isDiskFull(error);
      // Refusals while the disk is low are the heartbeat's to report, not one log line per beacon.
      if (!(error instanceof DiskFullError)) request.log.error({ err: error }, 'could not write to the spool');
      return false;
    });
    if (diskFull) throw new ApiError('diskFull');
    if (!spooled) throw new ApiError('overloaded');
  };

  const handler = async (request: FastifyRequest<{ Body: SendBody }>, reply: FastifyReply) => {
    const { ip, userAgent } = admitSender(request);
    const beacon = admittedBeacon(request);
    const website = beacon.payload.website;
    const agent = describeAgent(userAgent);
    const dropped = await dropReason(beacon, ip, agent);
    if (dropped) {
      // A bot's beacon is counted only for a website we know; its answer says nothing more than 200.
      if (dropped !== 'bot' || (await websites.accepts(website).catch(() => false))) drops.count(website, dropped);
      outcome?.('dropped', dropped);
      return reply.send(dropped === 'bot' ? { beep: 'boop' } : { beep: 'boop', dropped });
    }
    const now = Date.now();
    const isPageview = beacon.type === 'event' && !beacon.payload.name;
    const ids = visitors.idsFor(website, ip, userAgent, cacheToken(request.headers['x-umami-cache']), now, isPageview);
    await spool(request, beacon, { ids, agent, locate: () => geo.locate(ip, request.headers), now });
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
