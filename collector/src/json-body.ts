import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors';
import { jsonDeeperThan, maxJsonDepth } from './shared/json-depth';

/**
 * The size of a body a route takes without credentials (sign-in, the second factor). Every other
 * guarded route refuses a request without credentials before reading its body (the guard runs
 * at onRequest), and the beacon has its own limit (sendBodyLimit).
 */
export const publicBodyLimit = 4 * 1024;

/**
 * The size of a body any other route takes (signed in): none needs more than a few KB, and the
 * parser's worst shapes cost under 0.1 µs a byte (`npm run bench:abuse`), ~3.5 ms at this size.
 */
export const signedInBodyLimit = 64 * 1024;

type JsonParser = (request: FastifyRequest, body: string, done: (error: Error | null, value?: unknown) => void) => void;

/**
 * Fastify's JSON parser (with its prototype-poisoning protection) behind a nesting bound: a body
 * nested deeper than maxJsonDepth is refused (400) by one scan before JSON.parse sees it.
 */
export function boundedJsonParser(app: FastifyInstance): JsonParser {
  const parse = app.getDefaultJsonParser('error', 'error') as unknown as JsonParser;
  return (request, body, done) => {
    if (jsonDeeperThan(body, maxJsonDepth)) return done(new ApiError('jsonTooDeep'));
    parse(request, body, done);
  };
}

/**
 * Installs the bounded JSON parser for every route, and the small body limit on every public
 * route that does not name its own.
 */
export function installJsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, boundedJsonParser(app));
  app.addHook('onRoute', (route) => {
    if (route.config?.public && route.bodyLimit === undefined) route.bodyLimit = publicBodyLimit;
  });
}
