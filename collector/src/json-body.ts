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

/** An escaped UTF-16 surrogate: the only way a lone one gets into a JSON text (UTF-8 cannot carry it). */
const escapedSurrogate = /\\u[dD][89a-fA-F]/;
const loneSurrogates = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Every string of a parsed body, keys too, with lone surrogates replaced by U+FFFD (in place). */
function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(loneSurrogates, '\ufffd');
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = wellFormed(value[i]);
    return value;
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const clean = wellFormed(key) as string;
    const child = wellFormed(object[key]);
    if (clean !== key) delete object[key];
    object[clean] = child;
  }
  return object;
}

/**
 * Fastify's JSON parser (with its prototype-poisoning protection) behind a nesting bound: a body
 * nested deeper than maxJsonDepth is refused (400) by one scan before JSON.parse sees it. Lone
 * surrogates (`"\ud800"`: not Unicode; ClickHouse refuses them, which was a 500 on every
 * route that stores a name) become U+FFFD, as the beacon's text always did.
 */
export function boundedJsonParser(app: FastifyInstance): JsonParser {
  const parse = app.getDefaultJsonParser('error', 'error') as unknown as JsonParser;
  return (request, body, done) => {
    if (jsonDeeperThan(body, maxJsonDepth)) return done(new ApiError('jsonTooDeep'));
    if (!escapedSurrogate.test(body)) return parse(request, body, done);
    parse(request, body, (error, value) => (error ? done(error) : done(null, wellFormed(value))));
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
