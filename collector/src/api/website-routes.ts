import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyInstance } from 'fastify';
import { currentUser } from '../auth/guard';
import type { User } from '../auth/users';
import { ApiError } from '../errors';
import { uuidPattern } from '../ingest/send-schema';
import type { Website, Websites } from '../websites/websites';
import { metricTypes, queryMetric, queryStats, type MetricType } from './stats-queries';

const idParams = {
  type: 'object',
  required: ['websiteId'],
  properties: { websiteId: { type: 'string', pattern: uuidPattern } },
} as const;

const rangeProperties = {
  startAt: { type: 'integer', minimum: 0 },
  endAt: { type: 'integer', minimum: 0 },
} as const;

/** Admins see every website, others their own; a website someone else owns reads as not found. */
async function ownedWebsite(websites: Websites, user: User, id: string): Promise<Website> {
  const website = await websites.get(id.toLowerCase());
  if (!website || (user.role !== 'admin' && website.userId !== user.id)) throw new ApiError('notFound', 'Website not found');
  return website;
}

function checkedRange(websiteId: string, startAt: number, endAt: number) {
  if (endAt < startAt) throw new ApiError('badRequest', 'endAt must not be before startAt');
  return { websiteId, startAt, endAt };
}

/** Website management and the read API, in Umami's paths and shapes. */
export async function websiteRoutes(app: FastifyInstance, { websites, db }: { websites: Websites; db: ClickHouseClient }) {
  app.post<{ Body: { name: string; domain: string } }>(
    '/api/websites',
    {
      schema: {
        body: {
          type: 'object',
          required: ['name', 'domain'],
          properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, domain: { type: 'string', minLength: 1, maxLength: 500 } },
        },
      },
      config: { write: true },
    },
    async (request) => websites.create(currentUser(request).id, request.body.name, request.body.domain),
  );

  app.get<{ Querystring: { page: number; pageSize: number } }>(
    '/api/websites',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            page: { type: 'integer', minimum: 1, default: 1 },
            pageSize: { type: 'integer', minimum: 1, maximum: 1000, default: 20 },
          },
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

  app.get<{ Params: { websiteId: string } }>('/api/websites/:websiteId', { schema: { params: idParams } }, async (request) =>
    ownedWebsite(websites, currentUser(request), request.params.websiteId),
  );

  app.get<{ Params: { websiteId: string }; Querystring: { startAt: number; endAt: number } }>(
    '/api/websites/:websiteId/stats',
    {
      schema: {
        params: idParams,
        querystring: { type: 'object', required: ['startAt', 'endAt'], properties: rangeProperties },
      },
    },
    async (request) => {
      const website = await ownedWebsite(websites, currentUser(request), request.params.websiteId);
      return queryStats(db, checkedRange(website.id, request.query.startAt, request.query.endAt));
    },
  );

  app.get<{ Params: { websiteId: string }; Querystring: { startAt: number; endAt: number; type: MetricType; limit: number } }>(
    '/api/websites/:websiteId/metrics',
    {
      schema: {
        params: idParams,
        querystring: {
          type: 'object',
          required: ['startAt', 'endAt', 'type'],
          properties: {
            ...rangeProperties,
            type: { type: 'string', enum: metricTypes },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 500 },
          },
        },
      },
    },
    async (request) => {
      const website = await ownedWebsite(websites, currentUser(request), request.params.websiteId);
      const { startAt, endAt, type, limit } = request.query;
      return queryMetric(db, checkedRange(website.id, startAt, endAt), type, limit);
    },
  );
}
