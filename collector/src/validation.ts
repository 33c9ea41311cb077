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
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? exact : coercing).compile(schema));
}

/**
 * Paging for list routes: pages of up to 1000 items, up to page 100,000 (so the offset stays
 * within the UInt32 ClickHouse takes; past it, 400 instead of a failed query).
 */
export const pagingProperties = {
  page: { type: 'integer', minimum: 1, maximum: 100_000, default: 1 },
  pageSize: { type: 'integer', minimum: 1, maximum: 1000, default: 20 },
} as const;
