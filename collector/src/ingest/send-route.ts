import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors';
import type { BatchWriter } from '../pipeline/batch-writer';
import type { Websites } from '../websites/websites';
import { buildEventRow, type EventRow, type SessionDataRow } from './event-row';
import { sendBodySchema, uuidPattern, type SendBody } from './send-schema';
import { describeAgent } from './user-agent';
import type { GeoLocator } from './geo';
import type { VisitorIdentifier } from './visitors';

/** The beacon's body limit: Umami's payloads are well under 8 KB; 64 KB leaves room for event data. */
export const sendBodyLimit = 64 * 1024;

export interface IngestDeps {
  websites: Websites;
  visitors: VisitorIdentifier;
  geo: GeoLocator;
  events: BatchWriter<EventRow>;
  sessionData: BatchWriter<SessionDataRow>;
  /** /api/send, and the COLLECT_API_ENDPOINT alias when one is set. */
  paths: string[];
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

function allowAnyOrigin(_request: FastifyRequest, reply: FastifyReply, done: () => void) {
  // Any site may send beacons; error answers carry these headers too, since they are set first.
  reply.header('access-control-allow-origin', '*');
  done();
}

/** `POST /api/send`: Umami's beacon. Validates, drops bots, enriches, queues for a batched insert. */
export async function sendRoute(app: FastifyInstance, { websites, visitors, geo, events, sessionData, paths }: IngestDeps) {
  app.addHook('onRequest', allowAnyOrigin);
  // Beacons sent as text/plain (CORS-simple, no preflight) are parsed as JSON with the same
  // prototype-poisoning protection as application/json.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  const preflight = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'content-type, x-umami-cache')
      .header('access-control-max-age', '86400')
      .send();

  const handler = async (request: FastifyRequest<{ Body: SendBody }>, reply: FastifyReply) => {
    const userAgent = request.headers['user-agent'];
    if (!userAgent) throw new ApiError('missingUserAgent');
    const { type, payload } = request.body;
    if (!websiteId.test(payload.website)) throw new ApiError('invalidWebsite');
    const agent = describeAgent(userAgent);
    // Umami's answer to bots: 200 and nothing stored, so crawlers see no difference.
    if (agent.bot) return reply.send({ beep: 'boop' });
    const website = payload.website.toLowerCase();
    if (!(await websites.accepts(website))) throw new ApiError('unknownWebsite');

    const now = Date.now();
    const ids = visitors.identify(website, request.ip, userAgent, cacheToken(request.headers['x-umami-cache']), now);
    const accepted =
      type === 'identify'
        ? sessionData.enqueue({
            website_id: website,
            session_id: ids.sessionId,
            distinct_id: payload.id ?? '',
            data: payload.data ? JSON.stringify(payload.data) : '',
            created_at: now,
          })
        : events.enqueue(buildEventRow({ ...payload, website }, ids, agent, geo.locate(request.ip, request.headers), now));
    if (!accepted) throw new ApiError('overloaded');
    return reply.send({ cache: ids.cache, sessionId: ids.sessionId, visitId: ids.visitId });
  };

  for (const path of paths) {
    app.options(path, { config: { public: true } }, preflight);
    app.post<{ Body: SendBody }>(path, { schema: { body: sendBodySchema }, bodyLimit: sendBodyLimit, config: { public: true } }, handler);
  }
}
