import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors';
import type { BatchWriter } from '../pipeline/batch-writer';
import type { Websites } from '../websites/websites';
import { buildEventRow, type EventRow, type SessionDataRow } from './event-row';
import { sendBodySchema, uuidPattern, type SendBody } from './send-schema';
import { describeAgent } from './user-agent';
import type { VisitorIdentifier } from './visitors';

/** The beacon's body limit: Umami's payloads are well under 8 KB; 64 KB leaves room for event data. */
export const sendBodyLimit = 64 * 1024;

export interface IngestDeps {
  websites: Websites;
  visitors: VisitorIdentifier;
  events: BatchWriter<EventRow>;
  sessionData: BatchWriter<SessionDataRow>;
}

const websiteId = new RegExp(uuidPattern);

function allowAnyOrigin(_request: FastifyRequest, reply: FastifyReply, done: () => void) {
  // Any site may send beacons; error answers carry these headers too, since they are set first.
  reply.header('access-control-allow-origin', '*');
  done();
}

/** `POST /api/send`: Umami's beacon. Validates, drops bots, enriches, queues for a batched insert. */
export async function sendRoute(app: FastifyInstance, { websites, visitors, events, sessionData }: IngestDeps) {
  app.addHook('onRequest', allowAnyOrigin);
  // Beacons sent as text/plain (CORS-simple, no preflight) are parsed as JSON with the same
  // prototype-poisoning protection as application/json.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  app.options('/api/send', { config: { public: true } }, async (_request, reply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'content-type, x-umami-cache')
      .header('access-control-max-age', '86400')
      .send(),
  );

  app.post<{ Body: SendBody }>(
    '/api/send',
    { schema: { body: sendBodySchema }, bodyLimit: sendBodyLimit, config: { public: true } },
    async (request, reply) => {
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
      const cacheHeader = request.headers['x-umami-cache'];
      const ids = visitors.identify(website, request.ip, userAgent, typeof cacheHeader === 'string' ? cacheHeader : undefined, now);
      const accepted =
        type === 'identify'
          ? sessionData.enqueue({
              website_id: website,
              session_id: ids.sessionId,
              distinct_id: payload.id ?? '',
              data: payload.data ? JSON.stringify(payload.data) : '',
              created_at: now,
            })
          : events.enqueue(buildEventRow({ ...payload, website }, ids, agent, now));
      if (!accepted) throw new ApiError('overloaded');
      return reply.send({ cache: ids.cache, sessionId: ids.sessionId, visitId: ids.visitId });
    },
  );
}
