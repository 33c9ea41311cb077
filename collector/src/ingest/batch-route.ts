import { setMaxListeners } from 'node:events';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../errors';

/** What one `/api/batch` request may carry: items in all, reads among them, and body bytes. */
export const batchLimits = { items: 100, reads: 20, bodyBytes: 1024 * 1024 } as const;

/** The request headers a beacon in a batch is sent with (the batch's own, as Umami does), less those of the batch body. */
const beaconHeaders = (request: FastifyRequest) => {
  const { 'content-length': _length, 'content-type': _type, 'transfer-encoding': _encoding, ...headers } = request.headers;
  return { ...headers, 'content-type': 'application/json' };
};

/** A read's credentials: the batch's bearer token or share token, nothing else (no cookies). */
const readHeaders = (request: FastifyRequest) => {
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'x-umami-share-token', 'x-umami-api-key', 'user-agent', 'x-forwarded-for']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
};

type Item = { type?: unknown; url?: unknown };

/** The items in order, from an array or from an object keyed by their places. */
const asItems = (body: Item[] | Record<string, Item>): Item[] =>
  Array.isArray(body)
    ? body
    : Object.keys(body)
        .sort((a, b) => Number(a) - Number(b))
        .map((key) => body[key]!);
const isRead = (item: Item) => typeof item.url === 'string';
const readable = (url: string) => /^\/api\/[^?#]*(\?.*)?$/s.test(url) && !url.startsWith('/api/batch') && !url.startsWith('/api/send') && url.length <= 4000;

const failure = (index: number, status: number, message: string) => ({ index, response: { error: { message, code: 'bad-request', status } } });

/** The signal a batch gave the read it made with inject (light-my-request keeps it on the request it makes; an internal field, read only here). */
export function batchReadSignal(raw: unknown): AbortSignal | undefined {
  return (raw as { _lightMyRequest?: { signal?: AbortSignal } })._lightMyRequest?.signal;
}

/**
 * `POST /api/batch` (Umami's current contract): an array of beacons, each sent as `/api/send` with
 * the batch's headers (so each is validated, rate-limited and stored on its own), answered
 * `{size, processed, errors, details: [{index, response}], cache}`. Ours besides: an item
 * `{url: "/api/…"}` is a GET read under the batch's credentials; its answer is in `results`
 * (`[{index, status, body}]`, in order), so a dashboard view costs one request. Reads run at once
 * (each in its client's turn of reads), beacons one after the other, in their order.
 */
export function batchRoute(app: FastifyInstance): void {
  app.post(
    '/api/batch',
    {
      schema: {
        // An array; or an object keyed "0", "1", … (what @umami/api-client 0.81 makes of the array it is given).
        body: Type.Union([
          Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: batchLimits.items }),
          Type.Object(
            {},
            {
              patternProperties: { '^(0|[1-9][0-9]{0,2})$': Type.Object({}, { additionalProperties: true }) },
              additionalProperties: false,
              maxProperties: batchLimits.items,
            },
          ),
        ]),
        response: {
          200: Type.Object({
            size: Type.Integer(),
            processed: Type.Integer(),
            errors: Type.Integer(),
            details: Type.Array(Type.Object({ index: Type.Integer(), response: Type.Unknown() })),
            cache: Type.Union([Type.String(), Type.Null()]),
            results: Type.Optional(Type.Array(Type.Object({ index: Type.Integer(), status: Type.Integer(), body: Type.Unknown() }))),
          }),
        },
      },
      bodyLimit: batchLimits.bodyBytes,
      config: { public: true },
      // Before the schema, which would strip an object's other keys rather than refuse them.
      preValidation: async (request) => {
        const body = request.body;
        if (body !== null && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).some((key) => !/^\d+$/.test(key))) {
          throw new ApiError('badRequest', 'body must be an array of beacons (or of {url} reads)');
        }
      },
    },
    async (request, reply) => {
      const items = asItems(request.body as Item[] | Record<string, Item>);
      const reads = items.flatMap((item, index) => (isRead(item) ? [{ index, url: item.url as string }] : []));
      const details: { index: number; response: unknown }[] = [];
      if (reads.length > batchLimits.reads) {
        return {
          size: items.length,
          processed: 0,
          errors: items.length,
          details: [failure(0, 400, `at most ${batchLimits.reads} reads per batch`)],
          cache: null,
        };
      }
      // The batch's client left before its answer: its reads are cancelled (bounded-reads.ts ends
      // their queries and turns on this signal).
      const left = new AbortController();
      // Each read listens to it twice (inject, and its bounded read): up to 40 listeners, not a leak.
      setMaxListeners(2 * batchLimits.reads + 2, left.signal);
      const leave = () => {
        if (!reply.raw.writableFinished) left.abort();
      };
      request.raw.socket?.once('close', leave);
      reply.raw.once('close', () => {
        request.raw.socket?.off('close', leave);
        leave();
      });
      const readsDone = Promise.all(
        reads.map(async ({ index, url }) => {
          if (!readable(url))
            return { index, status: 400, body: failure(index, 400, 'url must be a path under /api/ other than /api/send and /api/batch').response };
          const answer = await app
            .inject({ method: 'GET', url, headers: readHeaders(request), remoteAddress: request.socket.remoteAddress, signal: left.signal })
            .catch((error: unknown) => {
              if (left.signal.aborted) return null;
              throw error;
            });
          // Nobody is waiting for this answer.
          if (answer === null) return { index, status: 499, body: null };
          let body: unknown = answer.body;
          try {
            body = answer.json();
          } catch {
            // A non-JSON answer (none of the API's) is passed on as text.
          }
          return { index, status: answer.statusCode, body };
        }),
      );
      let cache: string | null = null;
      for (const [index, item] of items.entries()) {
        if (isRead(item)) continue;
        const answer = await app.inject({
          method: 'POST',
          url: '/api/send',
          headers: beaconHeaders(request),
          payload: JSON.stringify(item),
          remoteAddress: request.socket.remoteAddress,
        });
        const body = answer.json() as { cache?: string };
        if (answer.statusCode !== 200) details.push({ index, response: body });
        else cache ??= body.cache ?? null;
      }
      const results = await readsDone;
      for (const result of results) if (result.status !== 200) details.push({ index: result.index, response: result.body });
      details.sort((a, b) => a.index - b.index);
      return { size: items.length, processed: items.length - details.length, errors: details.length, details, cache, ...(reads.length > 0 ? { results } : {}) };
    },
  );
}
