import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ClickHouseClient } from '@clickhouse/client';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TProperties, type TObject } from 'typebox';
import { StringEnum } from '../shared/schema';
import { performanceBreakdown, performanceChart, performanceDimensions, performanceStats, vitals, type PerformanceScope } from '../reads/performance-reads';
import { checkTimezone, clampUnit, units } from '../reads/date-range';
import { reportFilters, reportRange, type ReportQuery } from './report-scope';
import { buildFilters, type FilterName } from '../reads/filters';
import { withSavedFilters } from './saved-filters';
import { permittedWebsite, websiteParams, type WebsiteAccess } from './website-routes';

/** The filters that name a column of website_performance itself: they pick the measured pages. */
const pageFilters = new Set<FilterName>(['path', 'hostname', 'browser', 'os', 'device', 'country']);

const Percentiles = Type.Object({ p50: Type.Number(), p75: Type.Number(), p95: Type.Number() });
const StatsAnswer = Type.Object({ ...Object.fromEntries(vitals.map((vital) => [vital, Percentiles])), count: Type.Integer() });
const MetricsAnswer = Type.Array(Type.Object({ name: Type.String(), count: Type.Integer(), ...Percentiles.properties }));
const ChartAnswer = Type.Object({ chart: Type.Array(Type.Object({ t: Type.String(), ...Percentiles.properties })) });

type Query = ReportQuery;

export interface PerformanceRouteDeps {
  access: WebsiteAccess;
  /** For the saved segments and cohorts a request names. */
  db: ClickHouseClient;
  /** The request's bounded read client (bounded-reads.ts). */
  readsOf: (request: FastifyRequest) => ClickHouseClient;
  /** The analytics routes' querystring: the range, every filter, timezone and unit, and `extra`. */
  querystring: <Extra extends TProperties>(extra: Extra) => TObject;
  timeZones: ReadonlySet<string>;
}

/**
 * Web vitals (Umami's current `/performance/stats|metrics|chart`): p50, p75 and p95 of LCP, INP,
 * CLS, FCP and TTFB from the `performance` beacons. Filters on the page itself (path, hostname,
 * browser, OS, device, country) pick the measured pages; any other filter keeps the visits that
 * had such an event in the range.
 */
export function performanceRoutes(app: FastifyInstance, { access, db, readsOf, querystring, timeZones }: PerformanceRouteDeps): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  const scopeOf = async (request: FastifyRequest<{ Params: { websiteId: string } }>, query: Query): Promise<PerformanceScope> => {
    const website = await permittedWebsite(access, request);
    // A filter on the page itself picks measured pages; any other keeps visits. Filters that must
    // combine as one (match=any) and excludeBounce are all read on the visits.
    const saved = await withSavedFilters(db, website.id, reportFilters(query));
    const { match, excludeBounce, ...filters } = saved.filters;
    const onPages: Partial<Record<FilterName, string>> = {};
    const onVisits: Partial<Record<FilterName, string>> = {};
    for (const [name, value] of Object.entries(filters) as [FilterName, string | undefined][]) {
      if (value !== undefined) (pageFilters.has(name) && match !== 'any' ? onPages : onVisits)[name] = value;
    }
    const pages = buildFilters(onPages);
    const visits = buildFilters({ ...onVisits, match, excludeBounce }, saved.cohort);
    return {
      websiteId: website.id,
      ...reportRange(website, query),
      pageConditions: pages.sql,
      visitConditions: visits.sql,
      params: { ...pages.params, ...visits.params },
    };
  };

  const vital = Type.Optional(StringEnum(vitals, { default: 'lcp' }));

  typed.get(
    '/api/websites/:websiteId/performance/stats',
    { schema: { params: websiteParams, querystring: querystring({}), response: { 200: StatsAnswer } } },
    async (request) => performanceStats(readsOf(request), await scopeOf(request, request.query as Query)),
  );

  typed.get(
    '/api/websites/:websiteId/performance/metrics',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({
          type: StringEnum(Object.keys(performanceDimensions) as (keyof typeof performanceDimensions)[]),
          metric: vital,
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 500 }),
        }),
        response: { 200: MetricsAnswer },
      },
    },
    async (request) => {
      const query = request.query as Query & { type: keyof typeof performanceDimensions; metric?: (typeof vitals)[number]; limit: number };
      return performanceBreakdown(readsOf(request), await scopeOf(request, query), { vital: query.metric ?? 'lcp', dimension: query.type, limit: query.limit });
    },
  );

  typed.get(
    '/api/websites/:websiteId/performance/chart',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({
          metric: vital,
          unit: Type.Optional(StringEnum(units, { default: 'day' })),
          timezone: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: { 200: ChartAnswer },
      },
    },
    async (request) => {
      const query = request.query as Query & { metric?: (typeof vitals)[number]; unit?: (typeof units)[number]; timezone?: string };
      const scope = await scopeOf(request, query);
      const timezone = checkTimezone(query.timezone ?? 'UTC', timeZones);
      const unit = clampUnit(query.unit ?? 'day', scope);
      return { chart: await performanceChart(readsOf(request), scope, { vital: query.metric ?? 'lcp', unit, timezone }) };
    },
  );
}
