import type { FastifyInstance, RouteOptions } from 'fastify';
import { Type } from 'typebox';

/** What the document needs of a route: its method, path, schemas and how it is guarded. */
export interface DescribedRoute {
  method: string;
  url: string;
  schema: RouteOptions['schema'];
  public: boolean;
  share: boolean;
  admin: boolean;
}

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[] };

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['message', 'code', 'status'],
      properties: { message: { type: 'string' }, code: { type: 'string' }, status: { type: 'integer' } },
    },
  },
};

/** `/api/websites/:websiteId` in OpenAPI's spelling, `/api/websites/{websiteId}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z]\w*)/g, '{$1}');

/** A tuple in draft-07's spelling (`items: [...]`, TypeBox's) in 2020-12's (`prefixItems`), at any depth. */
function as2020(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(as2020);
  if (schema === null || typeof schema !== 'object') return schema;
  const { items, additionalItems, ...rest } = schema as Record<string, unknown>;
  const converted: Record<string, unknown> = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [key, key === 'enum' || key === 'const' ? value : as2020(value)]),
  );
  if (Array.isArray(items)) return { ...converted, prefixItems: as2020(items), ...(additionalItems === false ? { items: false } : {}) };
  return items === undefined ? converted : { ...converted, items: as2020(items) };
}

/** A schema as plain JSON Schema 2020-12 (TypeBox's are JSON; this drops anything that is not). */
const plain = (schema: unknown): JsonSchema => as2020(JSON.parse(JSON.stringify(schema ?? {}))) as JsonSchema;

function parameters(schema: unknown, where: 'path' | 'query') {
  const object = plain(schema);
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      // A parameter with a default may be left out (the server fills it in).
      required: where === 'path' || ((object.required ?? []).includes(name) && rest.default === undefined),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

/**
 * An OpenAPI 3.1 document of every route, built from the schemas the routes declare (TypeBox's
 * JSON Schema, which 3.1 takes as it is): parameters, body and 200 answer; every error answer is
 * the one shape `{error: {message, code, status}}`. Routes that are not public need a bearer token
 * (a session token or an API key); share-readable ones take `x-umami-share-token` instead.
 */
export function openApiDocument(routes: readonly DescribedRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    if (route.method === 'HEAD' || route.method === 'OPTIONS') continue;
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    const answer = (schema.response as Record<string, unknown> | undefined)?.[200];
    const tag = route.url.split('/')[2] ?? 'root';
    const operation: Record<string, unknown> = {
      operationId: `${route.method.toLowerCase()}${route.url.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      tags: [tag || 'root'],
      parameters: [...parameters(schema.params, 'path'), ...parameters(schema.querystring, 'query')],
      responses: {
        200: answer ? { description: 'The answer', content: { 'application/json': { schema: plain(answer) } } } : { description: 'The answer (not JSON)' },
        default: { description: 'An error', content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } } },
      },
    };
    if (schema.body) operation.requestBody = { required: true, content: { 'application/json': { schema: plain(schema.body) } } };
    if (!route.public) operation.security = route.share ? [{ bearer: [] }, { shareToken: [] }] : [{ bearer: [] }];
    if (route.admin) operation.description = 'Administrators only.';
    const path = openApiPath(route.url);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Analytics collector API',
      version,
      description:
        "Umami's public API (the contract of @umami/api-client 0.81) and ours beside it. Every path, parameter and answer here is generated from the schemas the server validates with. See docs/api.md.",
    },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : 1))),
    components: {
      schemas: { ApiError: errorSchema },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A session token from /api/auth/login, or an API key.' },
        shareToken: { type: 'apiKey', in: 'header', name: 'x-umami-share-token', description: "A share link's token, from /api/share/:shareId." },
      },
    },
  };
}

/** Collects every route as it is registered, and serves the document at `GET /api/openapi.json` (public, like Umami's API docs). */
export function installOpenApi(app: FastifyInstance, version: string): void {
  const routes: DescribedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as { public?: boolean; share?: boolean; admin?: boolean };
    for (const method of [route.method].flat()) {
      routes.push({ method, url: route.url, schema: route.schema, public: config.public ?? false, share: config.share ?? false, admin: config.admin ?? false });
    }
  });
  let document: Record<string, unknown> | null = null;
  app.get(
    '/api/openapi.json',
    { schema: { response: { 200: Type.Object({ openapi: Type.Literal('3.1.0') }, { additionalProperties: true }) } }, config: { public: true } },
    async () => {
      document ??= openApiDocument(routes, version);
      return document;
    },
  );
}
