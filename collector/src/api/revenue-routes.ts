import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ClickHouseClient } from '@clickhouse/client';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TProperties, type TObject } from 'typebox';
import { pagingProperties, StringEnum } from '../shared/schema';
import { revenueChart, revenueDimensions, revenueMetrics, revenueStats, type RevenueScope } from '../reads/revenue-reads';
import { checkDepth, querySessions } from '../reads/listing-queries';
import { queryStatsCompared } from '../reads/stats-query';
import { SessionsAnswer } from './analytics-schemas';
import { checkTimezone, clampUnit, comparisonRange, units } from '../reads/date-range';
import { reportScope, type ReportQuery } from './report-scope';
import { maxFilterLength, type SqlFilter } from '../reads/filters';
import { permittedWebsite, websiteParams, type WebsiteAccess } from './website-routes';

const Stats = {
  sum: Type.Number(),
  count: Type.Integer(),
  unique_count: Type.Integer(),
  total_sessions: Type.Integer(),
  average: Type.Number(),
  arpu: Type.Number(),
};
const StatsAnswer = Type.Object({ ...Stats, comparison: Type.Object(Stats) });
const ChartAnswer = Type.Object({ chart: Type.Array(Type.Object({ x: Type.String(), t: Type.String(), y: Type.Number(), count: Type.Integer() })) });

const currency = Type.String({ pattern: '^[A-Za-z]{3}$' });

type Query = ReportQuery & { currency: string };

export interface RevenueRouteDeps {
  access: WebsiteAccess;
  /** For the saved segments and cohorts a request names. */
  db: ClickHouseClient;
  readsOf: (request: FastifyRequest) => ClickHouseClient;
  querystring: <Extra extends TProperties>(extra: Extra) => TObject;
  timeZones: ReadonlySet<string>;
}

/**
 * Revenue (Umami's current `/revenue/stats|chart`) from the orders events carry (`data.commerce`,
 * or Umami's `data.revenue` with `data.currency`), one currency at a time; an order sent twice
 * counts once. Filters keep the visits that had a matching event in the range.
 */
export function revenueRoutes(app: FastifyInstance, { access, db, readsOf, querystring, timeZones }: RevenueRouteDeps): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  /** The revenue read's scope, and the request's filters whole (for the stats' visitors and the sessions list). */
  const scopeOf = async (request: FastifyRequest<{ Params: { websiteId: string } }>, query: Query): Promise<RevenueScope & { filter: SqlFilter }> => {
    const { websiteId, startAt, endAt, filter } = await reportScope(db, await permittedWebsite(access, request), query);
    return { websiteId, startAt, endAt, currency: query.currency.toUpperCase(), visitConditions: filter.sql, params: filter.params, filter };
  };

  typed.get(
    '/api/websites/:websiteId/revenue/stats',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ currency, compare: Type.Optional(StringEnum(['prev', 'yoy'], { default: 'prev' })) }),
        response: { 200: StatsAnswer },
      },
    },
    async (request) => {
      const query = request.query as Query & { compare?: 'prev' | 'yoy' };
      const scope = await scopeOf(request, query);
      const other = comparisonRange(scope, query.compare ?? 'prev');
      // Every visitor of each period as /stats counts them (its rollups where they apply), for total_sessions and arpu.
      const reads = readsOf(request);
      const [visitors, previousVisitors] = await queryStatsCompared(reads, scope, { ...scope, ...other });
      const [current, comparison] = await Promise.all([
        revenueStats(reads, scope, visitors.visitors),
        revenueStats(reads, { ...scope, ...other }, previousVisitors.visitors),
      ]);
      return { ...current, comparison };
    },
  );

  typed.get(
    '/api/websites/:websiteId/revenue/chart',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({
          currency,
          unit: Type.Optional(StringEnum(units, { default: 'day' })),
          timezone: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: { 200: ChartAnswer },
      },
    },
    async (request) => {
      const query = request.query as Query & { unit?: (typeof units)[number]; timezone?: string };
      const scope = await scopeOf(request, query);
      const timezone = checkTimezone(query.timezone ?? 'UTC', timeZones);
      return { chart: await revenueChart(readsOf(request), scope, { unit: clampUnit(query.unit ?? 'day', scope), timezone }) };
    },
  );

  typed.get(
    '/api/websites/:websiteId/revenue/metrics',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ currency, type: StringEnum(revenueDimensions) }),
        response: { 200: Type.Array(Type.Object({ name: Type.String(), value: Type.Number(), country: Type.Optional(Type.String()) })) },
      },
    },
    async (request) => {
      const query = request.query as Query & { type: (typeof revenueDimensions)[number] };
      return revenueMetrics(readsOf(request), await scopeOf(request, query), query.type);
    },
  );

  typed.get(
    '/api/websites/:websiteId/revenue/sessions',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ currency, ...pagingProperties, search: Type.Optional(Type.String({ maxLength: maxFilterLength })) }),
        response: { 200: SessionsAnswer },
      },
    },
    async (request) => {
      const query = request.query as Query & { page: number; pageSize: number; search?: string };
      checkDepth(query);
      const scope = await scopeOf(request, query);
      return querySessions(readsOf(request), scope, query, { payingIn: scope.currency });
    },
  );
}
