import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type, type TProperties } from 'typebox';
import { pagingProperties, StringEnum, UnixMs, Uuid } from '../shared/schema';
import { engineTimeZones } from '../reads/time-buckets';
import type { Teams } from '../teams/teams';
import type { Website, Websites } from '../websites/websites';
import type { ShareRecords } from '../websites/share-records';
import {
  ActiveAnswer,
  DateRangeAnswer,
  EventDataEventsAnswer,
  EventDataPropertiesAnswer,
  EventsAnswer,
  MetricAnswer,
  PageviewsAnswer,
  RealtimeAnswer,
  SessionsAnswer,
  StatsAnswer,
} from './analytics-schemas';
import { installBoundedReads, type ReadBounds } from './bounded-reads';
import type { ReadSlots } from './read-slots';
import { checkRange, checkTimezone, clampUnit, units } from '../reads/date-range';
import { afterReset, filterProperties, maxFilterLength } from '../reads/filters';
import { savedAwareFilter } from './saved-filters';
import { reportFilters, type ReportQuery } from './report-scope';
import { checkDepth, maxListDepth, queryDateRange, queryEventDataEvents, queryEventDataProperties, queryEvents, querySessions } from '../reads/listing-queries';
import { metricTypeAliases, metricTypes, type MetricType } from '../reads/metric-query';
import { metricAnswer, pageviewsAnswer, statsAnswer } from '../reads/figure-answers';
import type { Scope } from '../reads/query-vocabulary';
import { queryActive, queryRealtime } from '../reads/realtime-queries';
import { permittedWebsite, websiteParams } from './website-routes';
import { performanceRoutes } from './performance-routes';
import { revenueRoutes } from './revenue-routes';
import { reportRoutes } from './report-routes';
import { segmentRoutes } from './segment-routes';
import { annotationRoutes } from './annotation-routes';
import { chartsRoute } from './charts-route';
import { exportRoute } from './export-route';
import { dataRoutes } from './data-routes';
import { visitorRoutes } from './visitor-routes';

// Unix ms up to 2106-01-01 (UnixMs): series buckets are ClickHouse DateTimes, which end on 2106-02-07
// (a range in 2199 was labelled 2062), and DateTime64 ends in 2299 (a query past it failed, 500).
const time = UnixMs;
const timezone = Type.String({ maxLength: 64, default: 'UTC' });
const unit = StringEnum(units);
const compare = StringEnum(['prev', 'yoy']);

/**
 * A querystring schema: the range (required), the filters with Umami's older names `url` (path)
 * and `host` (hostname), `timezone` and `unit` (Umami's clients send them to every route; they
 * change nothing where a route has no series), and `extra`. Any other parameter is refused with
 * 400 naming it: a filter we do not know must not answer unfiltered numbers.
 */
export const querystring = <Extra extends TProperties>(extra: Extra) =>
  Type.Object(
    {
      startAt: time,
      endAt: time,
      ...filterProperties,
      url: filterProperties.path,
      host: filterProperties.hostname,
      match: Type.Optional(StringEnum(['all', 'any'])),
      excludeBounce: Type.Optional(Type.String({ maxLength: 10 })),
      segment: Type.Optional(Uuid),
      cohort: Type.Optional(Uuid),
      timezone: Type.Optional(timezone),
      unit: Type.Optional(unit),
      ...extra,
    },
    { additionalProperties: false },
  );

const search = Type.Optional(Type.String({ maxLength: maxFilterLength }));
/** Ours: `true` adds the imported days' figures (see imported-figures.ts); Umami has none. */
const imported = Type.Optional(Type.Boolean());
const paging = { ...pagingProperties, search };

type RangeQuery = ReportQuery;
type ScopedRequest = FastifyRequest<{ Params: { websiteId: string } }> & { query: RangeQuery };

/** The analytics read API, in Umami's paths, parameters and shapes. */
export const analyticsRoutes: FastifyPluginAsyncTypebox<{
  websites: Websites;
  teams: Teams;
  shares: ShareRecords;
  db: ClickHouseClient;
  readBounds: ReadBounds;
  readSlots: ReadSlots;
  /** Erases one visitor of a website (storage/visitor-erasure.ts, between batch inserts); false when there is none. */
  eraseVisitor: (websiteId: string, sessionId: string) => Promise<boolean>;
}> = async (app, { websites, teams, shares, db, readBounds, readSlots, eraseVisitor }) => {
  const access = { websites, teams, shares };
  // Every route here reads one website's figures: a share token of that website may too.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, share: true };
  });
  const timeZones = await engineTimeZones(db);
  // Every query below goes through the request's bounded client (time, memory, cancelled when the
  // client leaves), in a turn of its client's (a few reads at once per user, API key or share link).
  const readsOf = installBoundedReads(app, db, readBounds, readSlots);
  /** The reset time of a website whose old rows ClickHouse is still deleting (they must not show), else null. */
  const removedUntil = async (website: Website): Promise<number | null> =>
    website.resetAt !== null && (await websites.removing(website.id)) ? Date.parse(website.resetAt) : null;

  /** The website (if the user may see it), the checked range and the filters. */
  const scopeOf = async (request: ScopedRequest, query: RangeQuery = request.query): Promise<Scope> => {
    const website = await permittedWebsite(access, request);
    const { startAt, endAt } = checkRange(query.startAt, query.endAt);
    const filter = await savedAwareFilter(db, website.id, reportFilters(query));
    const resetAt = await removedUntil(website);
    return { websiteId: website.id, startAt, endAt, filter: resetAt === null ? filter : afterReset(filter, resetAt) };
  };

  app.get(
    '/api/websites/:websiteId/stats',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ compare: Type.Optional(StringEnum(['prev', 'yoy'], { default: 'prev' })), imported }),
        response: { 200: StatsAnswer },
      },
    },
    async (request) => {
      const scope = await scopeOf(request);
      const tz = checkTimezone(request.query.timezone ?? 'UTC', timeZones);
      return statsAnswer(readsOf(request), scope, { compare: request.query.compare ?? 'prev', imported: request.query.imported, tz });
    },
  );

  app.get(
    '/api/websites/:websiteId/pageviews',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({
          unit: Type.Optional(StringEnum(units, { default: 'day' })),
          timezone: Type.Optional(timezone),
          compare: Type.Optional(compare),
          imported,
        }),
        response: { 200: PageviewsAnswer },
      },
    },
    async (request) => {
      const scope = await scopeOf(request);
      const { compare, imported } = request.query;
      const options = { unit: clampUnit(request.query.unit ?? 'day', scope), tz: checkTimezone(request.query.timezone ?? 'UTC', timeZones), compare, imported };
      return pageviewsAnswer(readsOf(request), scope, options);
    },
  );

  app.get(
    '/api/websites/:websiteId/metrics',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({
          type: StringEnum([...metricTypes, ...Object.keys(metricTypeAliases)]),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 500 }),
          offset: Type.Integer({ minimum: 0, maximum: maxListDepth, default: 0 }),
          search,
          imported,
        }),
        response: { 200: MetricAnswer },
      },
    },
    async (request) => {
      const scope = await scopeOf(request);
      const { type, limit, offset, search, imported } = request.query;
      const metric = metricTypeAliases[type] ?? (type as MetricType);
      const tz = checkTimezone(request.query.timezone ?? 'UTC', timeZones);
      return metricAnswer(readsOf(request), scope, metric, { limit, offset, search, imported, tz });
    },
  );

  app.get(
    '/api/websites/:websiteId/events',
    { schema: { params: websiteParams, querystring: querystring(paging), response: { 200: EventsAnswer } } },
    async (request) => {
      checkDepth(request.query);
      return queryEvents(readsOf(request), await scopeOf(request), request.query);
    },
  );

  app.get(
    '/api/websites/:websiteId/sessions',
    { schema: { params: websiteParams, querystring: querystring(paging), response: { 200: SessionsAnswer } } },
    async (request) => {
      checkDepth(request.query);
      return querySessions(readsOf(request), await scopeOf(request), request.query);
    },
  );

  const eventDataQuery = querystring({ event: Type.Optional(Type.String({ maxLength: 50 })) });
  app.get(
    '/api/websites/:websiteId/event-data/events',
    { schema: { params: websiteParams, querystring: eventDataQuery, response: { 200: EventDataEventsAnswer } } },
    async (request) => {
      const { event, ...rest } = request.query;
      return queryEventDataEvents(readsOf(request), await scopeOf(request, rest), event);
    },
  );
  app.get(
    '/api/websites/:websiteId/event-data/properties',
    { schema: { params: websiteParams, querystring: eventDataQuery, response: { 200: EventDataPropertiesAnswer } } },
    async (request) => {
      const { event, ...rest } = request.query;
      return queryEventDataProperties(readsOf(request), await scopeOf(request, rest), event);
    },
  );

  app.get('/api/websites/:websiteId/active', { schema: { params: websiteParams, response: { 200: ActiveAnswer } } }, async (request) => {
    const website = await permittedWebsite(access, request);
    return queryActive(readsOf(request), website.id, Date.now(), (await removedUntil(website)) ?? 0);
  });

  app.get('/api/realtime/:websiteId', { schema: { params: websiteParams, response: { 200: RealtimeAnswer } } }, async (request) => {
    const website = await permittedWebsite(access, request);
    return queryRealtime(readsOf(request), website.id, Date.now(), (await removedUntil(website)) ?? 0);
  });

  performanceRoutes(app, { access, db, readsOf, querystring, timeZones });
  revenueRoutes(app, { access, db, readsOf, querystring, timeZones });
  reportRoutes(app, { access, db, readsOf, querystring, timeZones });
  segmentRoutes(app, { access, db });
  annotationRoutes(app, { access, db });
  chartsRoute(app, { access, readsOf, timeZones });
  exportRoute(app, { access, readsOf });
  dataRoutes(app, { access, db, readsOf, querystring, timeZones });
  visitorRoutes(app, { access, db, readsOf, querystring, timeZones, eraseVisitor });

  app.get('/api/websites/:websiteId/daterange', { schema: { params: websiteParams, response: { 200: DateRangeAnswer } } }, async (request) => {
    const website = await permittedWebsite(access, request);
    return queryDateRange(readsOf(request), website.id, (await removedUntil(website)) ?? 0);
  });
};
