import Ajv from 'ajv';
import type { FastifyInstance } from 'fastify';

/**
 * Two validators: query strings, params and headers arrive as text and are coerced to the
 * schema's types ("5" → 5); bodies are JSON and are not, so a number where a string belongs
 * is refused rather than silently converted.
 */
export function installValidation(app: FastifyInstance): void {
  const common = { allErrors: false, useDefaults: true, removeAdditional: true, strict: false } as const;
  const coercing = new Ajv({ ...common, coerceTypes: 'array' });
  const exact = new Ajv({ ...common, coerceTypes: false });
  // A query string whose schema says `additionalProperties: false` refuses an unknown parameter
  // (400 naming it) rather than dropping it: `?url=` ignored used to answer unfiltered numbers.
  const strictQuery = new Ajv({ ...common, removeAdditional: false, coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? exact : httpPart === 'querystring' ? strictQuery : coercing).compile(schema));
  // A request without a body, on a route that takes none, is validated as `{}`.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined && request.routeOptions.schema?.body === noBody) request.body = {};
    done();
  });
}

/**
 * Paging for list routes: pages of up to 1000 items, up to page 100,000 (so the offset stays
 * within the UInt32 ClickHouse takes; past it, 400 instead of a failed query).
 */
export const pagingProperties = {
  page: { type: 'integer', minimum: 1, maximum: 100_000, default: 1 },
  pageSize: { type: 'integer', minimum: 1, maximum: 1000, default: 20 },
} as const;

/**
 * The body of a route that takes none: nothing, or an empty JSON object. `null`, arrays, text
 * and objects with fields are refused (400), so a client's mistake does not pass unnoticed.
 */
export const noBody = { type: 'object', maxProperties: 0 } as const;
