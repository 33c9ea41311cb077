import type { ClickHouseClient } from '@clickhouse/client';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TObject, type TProperties } from 'typebox';
import { pagingProperties, StringEnum, Uuid } from '../shared/schema';
import {
  columnValues,
  customEventSeries,
  customEventStats,
  eventDataFields,
  eventDataList,
  eventDataOf,
  eventDataStats,
  eventDataValues,
  sessionDataProperties,
  sessionDataStats,
  sessionDataValues,
} from '../reads/data-reads';
import { listReports } from '../storage/saved-reports-table';
import type { FilteredRange } from '../reads/visitor-reads';
import type { Website } from '../websites/websites';
import { dataPivotRoutes } from './data-pivot-routes';
import { checkTimezone, clampUnit, comparisonRange, type units } from '../reads/date-range';
import { queryExpanded } from '../reads/expanded-query';
import { maxFilterLength } from '../reads/filters';
import { metricTypeAliases } from '../reads/metric-query';
import { reportScope, type ReportQuery } from './report-scope';
import type { Scope } from '../reads/query-vocabulary';
import { customEventsSplit } from '../reads/rollup-choice';
import { columnMetrics, filterNames, type ColumnMetric, type FilterName } from '../reads/umami-names';
import { permittedWebsite, websiteParams, type WebsiteAccess } from './website-routes';

export interface DataRouteDeps {
  access: WebsiteAccess;
  db: ClickHouseClient;
  readsOf: (request: FastifyRequest) => ClickHouseClient;
  querystring: <Extra extends TProperties>(extra: Extra) => TObject;
  timeZones: ReadonlySet<string>;
}

const name = Type.String({ minLength: 1, maxLength: maxFilterLength });
const count = Type.Integer();
const Property = Type.Object({ propertyName: Type.String(), dataType: Type.Integer(), total: count });
const ValueCount = Type.Object({ value: Type.String(), total: count });
const StoredProperty = {
  dataKey: Type.String(),
  dataType: Type.Integer(),
  stringValue: Type.Union([Type.String(), Type.Null()]),
  numberValue: Type.Union([Type.Number(), Type.Null()]),
  dateValue: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
};
const EventFigures = { events: count, visitors: count, visits: count, uniqueEvents: count };

/** Value types `/values` knows: the filters' columns (but the event type) and the saved segments and cohorts. */
const valueTypes = [...filterNames.filter((n) => n !== 'eventType' && n !== 'distinctId'), 'url', 'host', 'segment', 'cohort'] as const;

/**
 * The data sites attach to events and visitors, custom events, expanded metrics and filter
 * values (Umami's `/event-data/*`, `/session-data/*`, `/events/stats|series`, `/metrics/expanded`,
 * `/values`), under every filter, segment and cohort.
 */
export function dataRoutes(app: FastifyInstance, { access, db, readsOf, querystring, timeZones }: DataRouteDeps): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  const scopeOf = (website: Website, query: ReportQuery) => reportScope(db, website, query);
  /** The route's website and its range under the request's filters. */
  const scoped = async (request: FastifyRequest<{ Params: { websiteId: string } }>) => {
    const website = await permittedWebsite(access, request);
    return scopeOf(website, request.query as ReportQuery);
  };
  const base = '/api/websites/:websiteId';
  dataPivotRoutes(app, { readsOf, querystring, timeZones, scoped });

  typed.get(
    `${base}/event-data/fields`,
    { schema: { params: websiteParams, querystring: querystring({ eventName: Type.Optional(name) }), response: { 200: Type.Array(Property) } } },
    async (request) => eventDataFields(readsOf(request), { ...(await scoped(request)), eventName: (request.query as { eventName?: string }).eventName }),
  );

  typed.get(
    `${base}/event-data/values`,
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ eventName: Type.Optional(name), propertyName: name, dataType: Type.Optional(Type.Integer()) }),
        response: { 200: Type.Array(ValueCount) },
      },
    },
    async (request) => {
      const query = request.query as { eventName?: string; propertyName: string };
      return eventDataValues(readsOf(request), { ...(await scoped(request)), eventName: query.eventName, propertyName: query.propertyName });
    },
  );

  typed.get(
    `${base}/event-data/stats`,
    { schema: { params: websiteParams, querystring: querystring({}), response: { 200: Type.Object({ events: count, properties: count, records: count }) } } },
    async (request) => eventDataStats(readsOf(request), await scoped(request)),
  );

  typed.get(
    `${base}/event-data`,
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ ...pagingProperties }),
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                eventId: Type.String(),
                eventName: Type.String(),
                websiteId: Type.String(),
                eventProperties: Type.Array(Type.Object(StoredProperty)),
              }),
            ),
            count,
            page: count,
            pageSize: count,
          }),
        },
      },
    },
    async (request) => {
      const { page, pageSize } = request.query as { page: number; pageSize: number };
      return eventDataList(readsOf(request), { ...(await scoped(request)), page, pageSize });
    },
  );

  typed.get(
    `${base}/event-data/:eventId`,
    {
      schema: {
        params: Type.Object({ websiteId: Uuid, eventId: Uuid }),
        response: { 200: Type.Array(Type.Object({ id: Type.String(), websiteEventId: Type.String(), websiteId: Type.String(), ...StoredProperty })) },
      },
    },
    async (request) => {
      const website = await permittedWebsite(access, request);
      return eventDataOf(readsOf(request), { websiteId: website.id, eventId: request.params.eventId });
    },
  );

  typed.get(
    `${base}/events/stats`,
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ compare: Type.Optional(StringEnum(['prev', 'yoy'])) }),
        response: { 200: Type.Object({ data: Type.Object({ ...EventFigures, comparison: Type.Object(EventFigures) }) }) },
      },
    },
    async (request) => {
      const website = await permittedWebsite(access, request);
      const scope = await scopeOf(website, request.query as ReportQuery);
      const compared = comparisonRange(scope, (request.query as { compare?: 'prev' | 'yoy' }).compare ?? 'prev');
      // Nothing from before a reset, in the compared period either.
      const after = website.resetAt === null ? 0 : Date.parse(website.resetAt) + 1;
      const previous = { ...scope, ...compared, startAt: Math.max(compared.startAt, after) };
      const reads = readsOf(request);
      const figures = (of: Scope & FilteredRange) => customEventStats(reads, of, customEventsSplit(of));
      const [current, comparison] = await Promise.all([figures(scope), figures(previous)]);
      return { data: { ...current, comparison } };
    },
  );

  typed.get(
    `${base}/events/series`,
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })) }),
        response: { 200: Type.Array(Type.Object({ x: Type.String(), t: Type.String(), y: count })) },
      },
    },
    async (request) => {
      const query = request.query as ReportQuery & { unit?: (typeof units)[number]; timezone?: string; limit: number };
      const range = await scoped(request);
      const unit = clampUnit(query.unit ?? 'day', range);
      return customEventSeries(readsOf(request), { ...range, unit, timezone: checkTimezone(query.timezone ?? 'UTC', timeZones), limit: query.limit });
    },
  );

  typed.get(
    `${base}/metrics/expanded`,
    {
      schema: {
        params: websiteParams,
        querystring: querystring({
          type: StringEnum([...columnMetrics, ...Object.keys(metricTypeAliases)]),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 500 })),
          offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, default: 0 })),
          search: Type.Optional(Type.String({ maxLength: maxFilterLength })),
        }),
        response: {
          200: Type.Array(Type.Object({ name: Type.String(), pageviews: count, visitors: count, visits: count, bounces: count, totaltime: count })),
        },
      },
    },
    async (request) => {
      const query = request.query as ReportQuery & { type: string; limit: number; offset: number; search?: string };
      const type = (metricTypeAliases[query.type] ?? query.type) as ColumnMetric;
      const scope = await scopeOf(await permittedWebsite(access, request), query);
      return queryExpanded(readsOf(request), scope, type, { limit: query.limit, offset: query.offset, search: query.search ?? '' });
    },
  );

  typed.get(
    `${base}/values`,
    {
      schema: {
        params: websiteParams,
        // The range is optional here (Umami's filter menu asks without one): the last 30 days then.
        querystring: Type.Object({
          type: StringEnum(valueTypes),
          search: Type.Optional(Type.String({ maxLength: maxFilterLength })),
          startAt: Type.Optional(Type.Integer({ minimum: 0 })),
          endAt: Type.Optional(Type.Integer({ minimum: 0 })),
          timezone: Type.Optional(Type.String({ maxLength: 64 })),
          unit: Type.Optional(Type.String({ maxLength: 10 })),
        }),
        response: { 200: Type.Array(Type.Object({ value: Type.String(), count: Type.Optional(count) })) },
      },
    },
    async (request) => {
      const website = await permittedWebsite(access, request);
      const { type, search = '' } = request.query;
      if (type === 'segment' || type === 'cohort') {
        const { data } = await listReports(db, { websiteId: website.id, kind: type, search, page: 1, pageSize: 100 });
        return data.map((row) => ({ value: row.name })).sort((a, b) => (a.value < b.value ? -1 : 1));
      }
      const endAt = request.query.endAt ?? Date.now();
      const startAt = request.query.startAt ?? endAt - 30 * 86_400_000;
      const range = await scopeOf(website, { startAt, endAt });
      const filter = (type === 'url' ? 'path' : type === 'host' ? 'hostname' : type) as FilterName;
      return columnValues(readsOf(request), { ...range, name: filter, search });
    },
  );

  typed.get(
    `${base}/session-data/properties`,
    { schema: { params: websiteParams, querystring: querystring({ propertyName: Type.Optional(name) }), response: { 200: Type.Array(Property) } } },
    async (request) => sessionDataProperties(readsOf(request), await scoped(request)),
  );

  typed.get(
    `${base}/session-data/values`,
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ propertyName: name, dataType: Type.Optional(Type.Integer()) }),
        response: { 200: Type.Array(ValueCount) },
      },
    },
    async (request) =>
      sessionDataValues(readsOf(request), { ...(await scoped(request)), propertyName: (request.query as { propertyName: string }).propertyName }),
  );

  typed.get(
    `${base}/session-data/stats`,
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ propertyName: name }),
        response: {
          200: Type.Array(Type.Object({ label: Type.String(), sessions: count, visits: count, views: count, events: count, activity: count })),
        },
      },
    },
    async (request) => {
      const found = await sessionDataStats(readsOf(request), {
        ...(await scoped(request)),
        propertyName: (request.query as { propertyName: string }).propertyName,
      });
      return found.map((row) => ({ ...row, activity: Number(row.views) + Number(row.events) }));
    },
  );
}
