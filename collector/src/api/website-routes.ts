import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentUser } from '../auth/guard';
import { ApiError } from '../errors';
import { uuidPattern } from '../ingest/send-schema';
import type { Website, Websites } from '../websites/websites';
import { noBody, pagingProperties } from '../validation';

export const websiteParams = {
  type: 'object',
  required: ['websiteId'],
  properties: { websiteId: { type: 'string', pattern: uuidPattern } },
} as const;

const websiteFields = {
  name: { type: 'string', minLength: 1, maxLength: 100 },
  domain: { type: 'string', minLength: 1, maxLength: 500 },
} as const;

/** The website a request names, when the user may see it; someone else's reads as not found. */
export async function ownedWebsite(websites: Websites, request: FastifyRequest<{ Params: { websiteId: string } }>): Promise<Website> {
  const user = currentUser(request);
  const website = await websites.get(request.params.websiteId.toLowerCase());
  if (!website || (user.role !== 'admin' && website.userId !== user.id)) throw new ApiError('notFound', 'Website not found');
  return website;
}

type WithId = { Params: { websiteId: string } };

/** Website management, in Umami's paths and shapes. */
export async function websiteRoutes(app: FastifyInstance, { websites }: { websites: Websites }) {
  app.post<{ Body: { name: string; domain: string } }>(
    '/api/websites',
    { schema: { body: { type: 'object', required: ['name', 'domain'], properties: websiteFields } }, config: { write: true } },
    async (request) => websites.create(currentUser(request).id, request.body.name, request.body.domain),
  );

  app.get<{ Querystring: { page: number; pageSize: number } }>(
    '/api/websites',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: pagingProperties,
        },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const { page, pageSize } = request.query;
      const { data, count } = await websites.list(user.role === 'admin' ? null : user.id, page, pageSize);
      return { data, count, page, pageSize };
    },
  );

  app.get<WithId>('/api/websites/:websiteId', { schema: { params: websiteParams } }, (request) => ownedWebsite(websites, request));

  app.post<WithId & { Body: { name?: string; domain?: string } }>(
    '/api/websites/:websiteId',
    { schema: { params: websiteParams, body: { type: 'object', properties: websiteFields } }, config: { write: true } },
    async (request) => websites.update(await ownedWebsite(websites, request), request.body),
  );

  app.delete<WithId>('/api/websites/:websiteId', { schema: { params: websiteParams, body: noBody }, config: { write: true } }, async (request) => {
    await websites.delete(await ownedWebsite(websites, request));
    return { ok: true };
  });

  app.post<WithId>('/api/websites/:websiteId/reset', { schema: { params: websiteParams, body: noBody }, config: { write: true } }, async (request) => {
    await websites.reset(await ownedWebsite(websites, request));
    return { ok: true };
  });
}
