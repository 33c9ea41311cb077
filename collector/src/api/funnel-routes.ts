import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ClickHouseClient } from '@clickhouse/client';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TProperties, type TObject } from 'typebox';
import { funnelReached } from '../storage/funnel-reads';
import { checkRange } from './date-range';
import { buildFilters, type FilterName } from './filters';
import { funnelFigures, funnelLimits, parseSteps, stepPattern } from './funnel-steps';
import { ownedWebsite, websiteParams, type WebsiteAccess } from './website-routes';

const FunnelAnswer = Type.Array(
  Type.Object({
    type: Type.String(),
    value: Type.String(),
    visitors: Type.Integer(),
    previous: Type.Integer(),
    dropped: Type.Integer(),
    dropoff: Type.Number(),
    remaining: Type.Number(),
  }),
);

type Query = { startAt: number; endAt: number; steps: string; window: number; url?: string; host?: string } & Partial<Record<FilterName, string>>;

export interface FunnelRouteDeps {
  access: WebsiteAccess;
  readsOf: (request: FastifyRequest) => ClickHouseClient;
  querystring: <Extra extends TProperties>(extra: Extra) => TObject;
}

/** Umami's current `/funnels/stats?steps=…&window=…`: visitors per step in order, each step within `window` minutes of the one before. */
export function funnelRoutes(app: FastifyInstance, { access, readsOf, querystring }: FunnelRouteDeps): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/websites/:websiteId/funnels/stats',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({
          steps: Type.String({ maxLength: 10_000 }),
          window: Type.Integer({ minimum: 1, maximum: funnelLimits.maxWindowMinutes }),
        }),
        response: { 200: FunnelAnswer },
      },
    },
    async (request) => {
      const query = request.query as Query;
      const website = await ownedWebsite(access, request);
      const { startAt, endAt } = checkRange(query.startAt, query.endAt);
      const steps = parseSteps(query.steps);
      const { url, host, steps: _steps, window: windowMinutes, startAt: _s, endAt: _e, ...filters } = query;
      const filter = buildFilters({ ...filters, path: filters.path ?? url, hostname: filters.hostname ?? host });
      const from = website.resetAt === null ? startAt : Math.max(startAt, Date.parse(website.resetAt) + 1);
      const reached = await funnelReached(readsOf(request), {
        websiteId: website.id,
        startAt: from,
        endAt,
        filterConditions: filter.sql,
        params: filter.params,
        steps: steps.map((step) => {
          const pattern = stepPattern(step.value);
          return { column: step.type === 'path' ? 'url_path' : 'event_name', value: pattern ?? step.value, pattern: pattern !== null };
        }),
        windowMinutes,
      });
      return funnelFigures(steps, reached);
    },
  );
}
