import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors';
import type { Teams } from '../teams/teams';
import type { Website, Websites } from '../websites/websites';
import { metricTypeAliases, metricTypes, queryMetric, type MetricType } from './metric-query';
import { queryPageviews } from './pageviews-query';
import type { Scope } from './query-vocabulary';
import { queryStatsCompared } from './stats-query';
import { checkRange, checkTimezone, clampUnit, comparisonRange, units, type Unit } from './date-range';
import { afterReset, buildFilters, filterProperties, maxFilterLength, type FilterName } from './filters';
import { queryDateRange, queryEventDataEvents, queryEventDataProperties, queryEvents, querySessions } from './listing-queries';
import { queryActive, queryRealtime } from './realtime-queries';
import { ownedWebsite, websiteParams } from './website-routes';
import { pagingProperties } from '../validation';
import { installBoundedReads, type ReadBounds } from './bounded-reads';
import { rows } from '../storage/client';

// Unix ms up to 2106-01-01: series buckets are ClickHouse DateTimes, which end on 2106-02-07
// (a range in 2199 was labelled 2062), and DateTime64 ends in 2299 (a query past it failed, 500).
const latestDate = Date.UTC(2106, 0, 1);
const range = {
  startAt: { type: 'integer', minimum: 0, maximum: latestDate },
  endAt: { type: 'integer', minimum: 0, maximum: latestDate },
} as const;

const timezone = { type: 'string', maxLength: 64, default: 'UTC' } as const;

/**
 * A querystring schema: the range (required), the filters with Umami's older names `url` (path)
 * and `host` (hostname), `timezone` and `unit` (Umami's clients send them to every route; they
 * change nothing where a route has no series), and `extra`. Any other parameter is refused with
 * 400 naming it: a filter we do not know must not answer unfiltered numbers.
 */
const querystring = (extra: Record<string, object> = {}, required: string[] = []) => ({
  type: 'object',
  required: ['startAt', 'endAt', ...required],
  additionalProperties: false,
  properties: {
    ...range,
    ...filterProperties,
    url: filterProperties.path,
    host: filterProperties.hostname,
    timezone,
    unit: { type: 'string', enum: units },
    ...extra,
  },
});

const paging = { ...pagingProperties, search: { type: 'string', maxLength: maxFilterLength } } as const;

/**
 * The deepest row a list (events, sessions, metrics) serves. Deeper pages cost the engine a sort
 * of everything above them, and nobody reads past the ten-thousandth row: narrow the range or
 * filter instead (400 says so).
 */
export const maxListDepth = 10_000;
const checkDepth = ({ page, pageSize }: { page: number; pageSize: number }) => {
  if (page * pageSize > maxListDepth) throw new ApiError('badRequest', `page × pageSize must be at most ${maxListDepth}; narrow the range or filter instead`);
};

type RangeQuery = { startAt: number; endAt: number; url?: string; host?: string } & Partial<Record<FilterName, string>>;
type Request<Q> = FastifyRequest<{ Params: { websiteId: string }; Querystring: RangeQuery & Q }>;

/** The analytics read API, in Umami's paths, parameters and shapes. */
export async function analyticsRoutes(
  app: FastifyInstance,
  { websites, teams, db: engine, readBounds }: { websites: Websites; teams: Teams; db: ClickHouseClient; readBounds: ReadBounds },
) {
  // Every route here reads one website's figures: a share token of that website may too.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, share: true };
  });
  const timeZones = new Set((await rows<{ name: string }>(engine, 'SELECT time_zone AS name FROM system.time_zones')).map((row) => row.name));
  // Every query below goes through the request's bounded client (time, memory, cancelled when the client leaves).
  const readsOf = installBoundedReads(app, engine, readBounds);
  /** The website (if the user may see it), the checked range and the filters. */
  /** The reset time of a website whose old rows ClickHouse is still deleting (they must not show), else null. */
  const removedUntil = async (website: Website): Promise<number | null> =>
    website.resetAt !== null && (await websites.removing(website.id)) ? Date.parse(website.resetAt) : null;

  const scopeOf = async (request: Request<object>): Promise<Scope> => {
    const website = await ownedWebsite({ websites, teams }, request);
    const { startAt, endAt } = checkRange(request.query.startAt, request.query.endAt);
    const { url, host, ...query } = request.query;
    const filter = buildFilters({ path: url, hostname: host, ...query });
    const resetAt = await removedUntil(website);
    return { websiteId: website.id, startAt, endAt, filter: resetAt === null ? filter : afterReset(filter, resetAt) };
  };

  app.get(
    '/api/websites/:websiteId/stats',
    { schema: { params: websiteParams, querystring: querystring({ compare: { type: 'string', enum: ['prev', 'yoy'], default: 'prev' } }) } },
    async (request: Request<{ compare: 'prev' | 'yoy' }>) => {
      const scope = await scopeOf(request);
      const previous = { ...scope, ...comparisonRange(scope, request.query.compare) };
      const [current, comparison] = await queryStatsCompared(readsOf(request), scope, previous);
      return { ...current, comparison };
    },
  );

  app.get(
    '/api/websites/:websiteId/pageviews',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ unit: { type: 'string', enum: units, default: 'day' }, timezone, compare: { type: 'string', enum: ['prev', 'yoy'] } }),
      },
    },
    async (request: Request<{ unit: Unit; timezone: string; compare?: 'prev' | 'yoy' }>) => {
      const scope = await scopeOf(request);
      const tz = checkTimezone(request.query.timezone, timeZones);
      const unit = clampUnit(request.query.unit, scope);
      const series = await queryPageviews(readsOf(request), scope, unit, tz);
      if (!request.query.compare) return series;
      const other = comparisonRange(scope, request.query.compare);
      const compared = await queryPageviews(readsOf(request), { ...scope, ...other }, unit, tz);
      return { ...series, compare: { ...compared, startDate: new Date(other.startAt).toISOString(), endDate: new Date(other.endAt).toISOString() } };
    },
  );

  app.get(
    '/api/websites/:websiteId/metrics',
    {
      schema: {
        params: websiteParams,
        querystring: querystring(
          {
            type: { type: 'string', enum: [...metricTypes, ...Object.keys(metricTypeAliases)] },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 500 },
            offset: { type: 'integer', minimum: 0, maximum: maxListDepth, default: 0 },
            search: { type: 'string', maxLength: maxFilterLength },
          },
          ['type'],
        ),
      },
    },
    async (request: Request<{ type: string; limit: number; offset: number; search?: string }>) => {
      const scope = await scopeOf(request);
      const { type, limit, offset, search } = request.query;
      return queryMetric(readsOf(request), scope, metricTypeAliases[type] ?? (type as MetricType), { limit, offset, search });
    },
  );

  app.get(
    '/api/websites/:websiteId/events',
    { schema: { params: websiteParams, querystring: querystring(paging) } },
    async (request: Request<{ page: number; pageSize: number; search?: string }>) => {
      checkDepth(request.query);
      return queryEvents(readsOf(request), await scopeOf(request), request.query);
    },
  );

  app.get(
    '/api/websites/:websiteId/sessions',
    { schema: { params: websiteParams, querystring: querystring(paging) } },
    async (request: Request<{ page: number; pageSize: number; search?: string }>) => {
      checkDepth(request.query);
      return querySessions(readsOf(request), await scopeOf(request), request.query);
    },
  );

  const eventDataQuery = { schema: { params: websiteParams, querystring: querystring({ event: { type: 'string', maxLength: 50 } }) } };
  app.get('/api/websites/:websiteId/event-data/events', eventDataQuery, async (request: Request<{ event?: string }>) => {
    const { event, ...rest } = request.query;
    const scope = await scopeOf({ ...request, query: rest } as Request<object>);
    return queryEventDataEvents(readsOf(request), scope, event);
  });
  app.get('/api/websites/:websiteId/event-data/properties', eventDataQuery, async (request: Request<{ event?: string }>) => {
    const { event, ...rest } = request.query;
    const scope = await scopeOf({ ...request, query: rest } as Request<object>);
    return queryEventDataProperties(readsOf(request), scope, event);
  });

  app.get('/api/websites/:websiteId/active', { schema: { params: websiteParams } }, async (request: FastifyRequest<{ Params: { websiteId: string } }>) => {
    const website = await ownedWebsite({ websites, teams }, request);
    return queryActive(readsOf(request), website.id, Date.now(), (await removedUntil(website)) ?? 0);
  });

  app.get('/api/realtime/:websiteId', { schema: { params: websiteParams } }, async (request: FastifyRequest<{ Params: { websiteId: string } }>) => {
    const website = await ownedWebsite({ websites, teams }, request);
    return queryRealtime(readsOf(request), website.id, Date.now(), (await removedUntil(website)) ?? 0);
  });

  app.get('/api/websites/:websiteId/daterange', { schema: { params: websiteParams } }, async (request: FastifyRequest<{ Params: { websiteId: string } }>) => {
    const website = await ownedWebsite({ websites, teams }, request);
    return queryDateRange(readsOf(request), website.id, (await removedUntil(website)) ?? 0);
  });
}
