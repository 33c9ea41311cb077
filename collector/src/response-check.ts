import Ajv from 'ajv';
import type { FastifyInstance } from 'fastify';
import { compiledOnFirstUse } from './validation';

/**
 * The response schemas are the contract; their serializers drop any field a schema does not name
 * and coerce a value of the wrong type. With this check installed (the test collectors do), every
 * 200 answer is first validated against its schema made strict (no field beyond those named, at
 * any depth), so an answer that drifts from its schema fails the test that got it (500, logged)
 * instead of passing with a field silently dropped or a number silently made from a string.
 */
export function installResponseCheck(app: FastifyInstance): void {
  const ajv = new Ajv({ allErrors: true, strict: false });
  app.addHook('onRoute', (route) => {
    const schema = (route.schema?.response as Record<string, unknown> | undefined)?.[200];
    if (!schema) return;
    const validate = compiledOnFirstUse(ajv, closed(schema) as object);
    const check = async (_request: unknown, reply: { statusCode: number }, payload: unknown) => {
      if (reply.statusCode === 200 && !validate(payload)) {
        throw new Error(`${route.method} ${route.url}: the answer does not match its schema: ${ajv.errorsText(validate.errors)}`);
      }
      return payload;
    };
    route.preSerialization = [...[route.preSerialization ?? []].flat(), check] as typeof route.preSerialization;
  });
}

/** A copy of `schema` in which every object that names its properties allows no others. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy: Record<string, unknown> = Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, key === 'enum' || key === 'const' ? value : closed(value)]),
  );
  if (copy.properties && copy.additionalProperties === undefined && copy.patternProperties === undefined) copy.additionalProperties = false;
  return copy;
}
