import Ajv, { type ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { NoBody } from './shared/schema';

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
  app.setValidatorCompiler(({ schema, httpPart }) =>
    compiledOnFirstUse(httpPart === 'body' ? exact : httpPart === 'querystring' ? strictQuery : coercing, schema),
  );
  // A request without a body, on a route that takes none, is validated as `{}`.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined && request.routeOptions.schema?.body === NoBody) request.body = {};
    done();
  });
}

/**
 * A validator compiled at its first request rather than when the app starts: compiling the ~400
 * schemas of ~200 routes took about half a second of every start (most of a test collector's
 * start), and most routes of a process are never called. Fastify reads `errors` after a failed
 * call, so they are copied from the compiled function.
 */
export function compiledOnFirstUse(ajv: Ajv, schema: object): ValidateFunction {
  let compiled: ValidateFunction | undefined;
  const validate = ((data: unknown) => {
    compiled ??= ajv.compile(schema);
    const valid = compiled(data);
    validate.errors = compiled.errors;
    return valid;
  }) as ValidateFunction;
  return validate;
}
