import type { ClickHouseClient } from '@clickhouse/client';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TObject, type TProperties } from 'typebox';
import { pagingProperties, StringEnum } from '../shared/schema';
import {
  type DataSubject,
  dateSeries,
  eventDataPivot,
  type NumericMetric,
  numericSeries,
  numericStats,
  propertySeries,
  type SeriesKind,
  sessionDataPivot,
} from '../reads/data-pivots';
import type { FilteredRange } from '../reads/visitor-reads';
import { checkTimezone, clampUnit, type units } from '../reads/date-range';
import { maxFilterLength } from '../reads/filters';
import { websiteParams } from './website-routes';

export interface DataPivotDeps {
  readsOf: (request: FastifyRequest) => ClickHouseClient;
  querystring: <Extra extends TProperties>(extra: Extra) => TObject;
  timeZones: ReadonlySet<string>;
  /** The route's website and range under the request's filters, segment and cohort. */
  scoped: (request: FastifyRequest<{ Params: { websiteId: string } }>) => Promise<FilteredRange>;
}

const name = Type.String({ minLength: 1, maxLength: maxFilterLength });
const count = Type.Integer();
const Series = Type.Array(Type.Object({ t: Type.String(), y: Type.Number() }));
const ValueSeries = Type.Array(Type.Object({ t: Type.String(), x: Type.String(), y: count }));
const NumericStats = Type.Object({ average: Type.Number(), max: Type.Number(), median: Type.Number(), min: Type.Number(), total: Type.Number() });
const pivotProperties = { ...pagingProperties, maxResults: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 10_000 })) };
const PivotOf = (row: TProperties) =>
  Type.Object({
    data: Type.Array(Type.Object({ createdAt: Type.String(), propertyKeys: Type.Array(Type.String()), propertyValues: Type.Array(Type.String()), ...row })),
    count,
    page: count,
    pageSize: count,
    isCapped: Type.Boolean(),
  });

type SeriesQuery = { eventName?: string; propertyName: string; unit?: (typeof units)[number]; timezone?: string; metric?: NumericMetric };

/**
 * Pivots and series of one property of event data (`/event-data-pivot/*`, of one custom event)
 * and of visitor data (`/session-data/*-series|numeric-stats`, `/session-data-pivot`), in
 * Umami's current shapes; what each figure counts is in docs/api.md.
 */
export function dataPivotRoutes(app: FastifyInstance, { readsOf, querystring, timeZones, scoped }: DataPivotDeps): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const base = '/api/websites/:websiteId';
  const subjects: { prefix: string; extra: TProperties; subject: (query: SeriesQuery) => DataSubject }[] = [
    { prefix: `${base}/event-data-pivot`, extra: { eventName: name }, subject: (q) => ({ of: 'event', eventName: q.eventName as string }) },
    { prefix: `${base}/session-data`, extra: {}, subject: () => ({ of: 'session' }) },
  ];

  for (const { prefix, extra, subject } of subjects) {
    const property = async (request: FastifyRequest<{ Params: { websiteId: string } }>) => {
      const query = request.query as SeriesQuery;
      const range = await scoped(request);
      return { range, query, property: { ...range, ...subject(query), propertyName: query.propertyName } };
    };
    const timed = async (request: FastifyRequest<{ Params: { websiteId: string } }>) => {
      const { range, query, property: found } = await property(request);
      const timezone = checkTimezone(query.timezone ?? 'UTC', timeZones);
      return { ...found, query, timezone, unit: clampUnit(query.unit ?? 'day', range) };
    };
    const params = websiteParams;

    for (const kind of ['property', 'array'] as SeriesKind[])
      typed.get(
        `${prefix}/${kind}-series`,
        { schema: { params, querystring: querystring({ ...extra, propertyName: name }), response: { 200: ValueSeries } } },
        async (request) => propertySeries(readsOf(request), { ...(await timed(request)), kind }),
      );

    typed.get(
      `${prefix}/numeric-series`,
      {
        schema: {
          params,
          querystring: querystring({ ...extra, propertyName: name, metric: Type.Optional(StringEnum(['sum', 'avg', 'count'])) }),
          response: { 200: Series },
        },
      },
      async (request) => {
        const found = await timed(request);
        return numericSeries(readsOf(request), { ...found, metric: found.query.metric ?? 'sum' });
      },
    );

    typed.get(
      `${prefix}/numeric-stats`,
      { schema: { params, querystring: querystring({ ...extra, propertyName: name }), response: { 200: NumericStats } } },
      async (request) => numericStats(readsOf(request), (await property(request)).property),
    );

    typed.get(
      `${prefix}/date-series`,
      { schema: { params, querystring: querystring({ ...extra, propertyName: name }), response: { 200: Series } } },
      async (request) => dateSeries(readsOf(request), await timed(request)),
    );
  }

  typed.get(
    `${base}/event-data-pivot`,
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ eventName: name, ...pivotProperties }),
        response: { 200: PivotOf({ eventId: Type.String(), eventName: Type.String(), sessionId: Type.String(), urlPath: Type.String() }) },
      },
    },
    async (request) => {
      const { eventName, page, pageSize, maxResults } = request.query as { eventName: string; page: number; pageSize: number; maxResults: number };
      return eventDataPivot(readsOf(request), { ...(await scoped(request)), eventName, page, pageSize, maxResults });
    },
  );

  typed.get(
    `${base}/session-data-pivot`,
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ propertyName: name, ...pivotProperties }),
        response: { 200: PivotOf({ sessionId: Type.String() }) },
      },
    },
    async (request) => {
      const { propertyName, page, pageSize, maxResults } = request.query as { propertyName: string; page: number; pageSize: number; maxResults: number };
      return sessionDataPivot(readsOf(request), { ...(await scoped(request)), propertyName, page, pageSize, maxResults });
    },
  );
}
