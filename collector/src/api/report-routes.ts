import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ClickHouseClient } from '@clickhouse/client';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TProperties, type TObject } from 'typebox';
import { currentUser } from '../auth/guard';
import { ApiError } from '../errors';
import { NoBody, Ok, pagingProperties, StringEnum, Uuid } from '../shared/schema';
import { funnelReached } from '../reads/funnel-reads';
import { goalReached } from '../reads/goal-reads';
import { journeys } from '../reads/journey-reads';
import { retention, type RetentionUnit } from '../reads/retention-reads';
import { attribution, attributionFields } from '../reads/attribution-reads';
import { breakdown, breakdownColumns, type BreakdownField } from '../reads/breakdown-reads';
import { utmColumns, utmViews } from '../reads/utm-reads';
import { findReport, listReports, writeReport, type ReportRow } from '../storage/saved-reports-table';
import type { Website } from '../websites/websites';
import { reportScope, type ReportQuery } from './report-scope';
import { maxFilterLength } from '../reads/filters';
import { checkTimezone, units } from '../reads/date-range';
import { visitRollupsSplit } from '../reads/rollup-choice';
import { funnelFigures, funnelLimits, parseSteps, stepPattern, type FunnelStep } from './funnel-steps';
import { permittedWebsite, websiteParams, type WebsiteAccess } from './website-routes';

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
const GoalAnswer = Type.Object({ num: Type.Integer(), total: Type.Integer() });

/** A saved goal or funnel, in Umami's report shape (`ok: true` too: the contract's answer to a create or update). */
const ReportSchema = Type.Object({
  ok: Type.Literal(true),
  id: Type.String(),
  websiteId: Type.String(),
  userId: Type.String(),
  type: Type.String(),
  name: Type.String(),
  description: Type.String(),
  parameters: Type.Unknown(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const ReportsPage = Type.Object({ data: Type.Array(ReportSchema), count: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() });

/** A goal: a page, a custom event, or (our extension) a custom event with a data property's value: `{type: 'property', value: event, property, propertyValue}`. */
const goalParameters = Type.Object({
  type: StringEnum(['path', 'event', 'property']),
  value: Type.String({ minLength: 1, maxLength: funnelLimits.valueLength }),
  property: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  propertyValue: Type.Optional(Type.String({ maxLength: funnelLimits.valueLength })),
});
type GoalParameters = { type: 'path' | 'event' | 'property'; value: string; property?: string; propertyValue?: string };
const funnelParameters = Type.Object({
  steps: Type.Array(Type.Object({ type: StringEnum(['path', 'event']), value: Type.String({ minLength: 1, maxLength: funnelLimits.valueLength }) }), {
    minItems: funnelLimits.minSteps,
    maxItems: funnelLimits.maxSteps,
  }),
  window: Type.Integer({ minimum: 1, maximum: funnelLimits.maxWindowMinutes }),
});
const reportBody = <P extends TObject>(parameters: P) =>
  Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), description: Type.Optional(Type.String({ maxLength: 1000 })), parameters });

type RangeQuery = ReportQuery;

export interface ReportRouteDeps {
  access: WebsiteAccess;
  db: ClickHouseClient;
  readsOf: (request: FastifyRequest) => ClickHouseClient;
  querystring: <Extra extends TProperties>(extra: Extra) => TObject;
  timeZones: ReadonlySet<string>;
}

/** Retention's period for the `unit` a client sends: finer than a day reads as days, a year as months. */
const retentionUnit = (unit: string | undefined): RetentionUnit => (unit === 'week' ? 'week' : unit === 'month' || unit === 'year' ? 'month' : 'day');

/** `fields`: a JSON array or a comma-separated list of 1 to 5 dimension names (breakdownColumns). */
function parseFields(raw: string): BreakdownField[] {
  let names: unknown;
  try {
    names = raw.trim().startsWith('[') ? JSON.parse(raw) : raw.split(',').map((name) => name.trim());
  } catch {
    names = null;
  }
  const known = Object.keys(breakdownColumns);
  if (!Array.isArray(names) || names.length < 1 || names.length > 5 || names.some((name) => !known.includes(name)) || new Set(names).size !== names.length) {
    throw new ApiError('badRequest', `fields must be 1 to 5 different names of: ${known.join(', ')}`);
  }
  return names as BreakdownField[];
}

/** A property goal names its property and value (the schema cannot say "required when type is property"). */
function checkParameters(parameters: object): void {
  const goal = parameters as Partial<GoalParameters>;
  if (goal.type === 'property' && (goal.property === undefined || goal.propertyValue === undefined)) {
    throw new ApiError('badRequest', 'a property goal needs property and propertyValue');
  }
}

const asReport = ({ kind, parameters, ...row }: ReportRow) => ({ ok: true as const, ...row, type: kind, parameters: JSON.parse(parameters) as unknown });

/**
 * Goals and funnels (Umami's current report routes): ad-hoc figures (`/goals/stats`,
 * `/funnels/stats`), saved ones (CRUD), and the figures of a saved one.
 */
export function reportRoutes(app: FastifyInstance, { access, db, readsOf, querystring, timeZones }: ReportRouteDeps): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  /** The range and filters of a report read, after the website's reset (`filter` whole, for the rollup choice). */
  const rangeOf = (website: Website, query: RangeQuery) => reportScope(db, website, query);

  const funnel = async (request: FastifyRequest, website: Website, query: RangeQuery, steps: FunnelStep[], windowMinutes: number) => {
    const reached = await funnelReached(readsOf(request), {
      ...(await rangeOf(website, query)),
      steps: steps.map((step) => {
        const pattern = stepPattern(step.value);
        return { column: step.type === 'path' ? 'url_path' : 'event_name', value: pattern ?? step.value, pattern: pattern !== null };
      }),
      windowMinutes,
    });
    return funnelFigures(steps, reached);
  };

  const goal = async (request: FastifyRequest, website: Website, query: RangeQuery, { type, value, property, propertyValue }: GoalParameters) => {
    checkParameters({ type, property, propertyValue });
    const pattern = stepPattern(value);
    return goalReached(readsOf(request), {
      ...(await rangeOf(website, query)),
      goal: {
        type: type === 'path' ? 'path' : 'event',
        value: pattern ?? value,
        pattern: pattern !== null,
        property: type === 'property' ? { name: property!, value: propertyValue! } : undefined,
      },
    });
  };

  typed.get(
    '/api/websites/:websiteId/funnels/stats',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ steps: Type.String({ maxLength: 10_000 }), window: Type.Integer({ minimum: 1, maximum: funnelLimits.maxWindowMinutes }) }),
        response: { 200: FunnelAnswer },
      },
    },
    async (request) => {
      const query = request.query as RangeQuery & { steps: string; window: number };
      const website = await permittedWebsite(access, request);
      return funnel(request, website, query, parseSteps(query.steps), query.window);
    },
  );

  typed.get(
    '/api/websites/:websiteId/goals/stats',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({
          type: StringEnum(['path', 'event', 'property']),
          value: Type.String({ minLength: 1, maxLength: maxFilterLength }),
          property: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
          propertyValue: Type.Optional(Type.String({ maxLength: maxFilterLength })),
        }),
        response: { 200: GoalAnswer },
      },
    },
    async (request) => {
      const query = request.query as RangeQuery & GoalParameters;
      return goal(request, await permittedWebsite(access, request), query, query);
    },
  );

  typed.get(
    '/api/websites/:websiteId/journeys',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({
          steps: Type.Integer({ minimum: 2, maximum: 7 }),
          startStep: Type.Optional(Type.String({ maxLength: maxFilterLength })),
          endStep: Type.Optional(Type.String({ maxLength: maxFilterLength })),
        }),
        response: { 200: Type.Array(Type.Object({ items: Type.Array(Type.String()), count: Type.Integer() })) },
      },
    },
    async (request) => {
      const query = request.query as RangeQuery & { steps: number; startStep?: string; endStep?: string };
      const website = await permittedWebsite(access, request);
      const range = await rangeOf(website, query);
      const reads = readsOf(request);
      const split = await visitRollupsSplit(reads, range);
      return journeys(reads, { ...range, steps: query.steps, startStep: query.startStep, endStep: query.endStep, split });
    },
  );

  typed.get(
    '/api/websites/:websiteId/retention',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ unit: Type.Optional(StringEnum([...units, 'week'])) }),
        response: {
          200: Type.Array(
            Type.Object({ date: Type.String(), day: Type.Integer(), visitors: Type.Integer(), returnVisitors: Type.Integer(), percentage: Type.Number() }),
          ),
        },
      },
    },
    async (request) => {
      const query = request.query as RangeQuery & { unit?: string; timezone?: string };
      const website = await permittedWebsite(access, request);
      return retention(readsOf(request), {
        ...(await rangeOf(website, query)),
        unit: retentionUnit(query.unit),
        timezone: checkTimezone(query.timezone ?? 'UTC', timeZones),
      });
    },
  );

  // Visitors, or with a currency (ours) revenue.
  const Credited = Type.Array(Type.Object({ name: Type.String(), value: Type.Number() }));
  typed.get(
    '/api/websites/:websiteId/attribution',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({
          model: StringEnum(['first-click', 'last-click']),
          type: StringEnum(['path', 'event']),
          step: Type.String({ minLength: 1, maxLength: maxFilterLength }),
          // Empty: none (visitors are credited).
          currency: Type.Optional(Type.String({ pattern: '^([A-Za-z]{3})?$' })),
        }),
        response: {
          200: Type.Object({
            ...Object.fromEntries(attributionFields.map((field) => [field, Credited])),
            total: Type.Object({ pageviews: Type.Integer(), visitors: Type.Integer(), visits: Type.Integer(), revenue: Type.Optional(Type.Number()) }),
          }),
        },
      },
    },
    async (request) => {
      const query = request.query as RangeQuery & { model: 'first-click' | 'last-click'; type: 'path' | 'event'; step: string; currency?: string };
      const website = await permittedWebsite(access, request);
      const { fields, total } = await attribution(readsOf(request), {
        ...(await rangeOf(website, query)),
        goal: { type: query.type, value: query.step },
        model: query.model,
        currency: query.currency ? query.currency.toUpperCase() : undefined,
      });
      return { ...fields, total };
    },
  );

  typed.get(
    '/api/websites/:websiteId/breakdown',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ fields: Type.String({ minLength: 1, maxLength: 500 }) }),
        response: { 200: Type.Array(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))) },
      },
    },
    async (request) => {
      const query = request.query as RangeQuery & { fields: string };
      const website = await permittedWebsite(access, request);
      const range = await rangeOf(website, query);
      return breakdown(readsOf(request), { ...range, fields: parseFields(query.fields) });
    },
  );

  typed.get(
    '/api/websites/:websiteId/utm/metrics',
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ type: StringEnum(utmColumns) }),
        response: { 200: Type.Array(Type.Object({ utm: Type.String(), views: Type.Integer() })) },
      },
    },
    async (request) => {
      const query = request.query as RangeQuery & { type: (typeof utmColumns)[number] };
      const website = await permittedWebsite(access, request);
      return utmViews(readsOf(request), { ...(await rangeOf(website, query)), column: query.type });
    },
  );

  // Saved goals and funnels: read by whoever may see the website, changed by whoever may change it.
  for (const [kind, plural, parameters] of [
    ['goal', 'goals', goalParameters],
    ['funnel', 'funnels', funnelParameters],
  ] as const) {
    // The path's second id is named as Umami names it: goalId, funnelId.
    const idName = `${kind}Id` as const;
    const idParams = Type.Object({ websiteId: Uuid, [idName]: Uuid }) as unknown as TObject<{ websiteId: typeof Uuid; id: typeof Uuid }>;
    const base = `/api/websites/:websiteId/${plural}`;
    const body = reportBody(parameters);
    const find = async (websiteId: string, id: string) => {
      const row = await findReport(db, { websiteId, kind, id: id.toLowerCase() });
      if (!row) throw new ApiError('notFound', `${kind === 'goal' ? 'Goal' : 'Funnel'} not found`);
      return row;
    };

    typed.get(
      base,
      {
        schema: {
          params: websiteParams,
          querystring: Type.Object({ ...pagingProperties, search: Type.Optional(Type.String({ maxLength: 200 })) }),
          response: { 200: ReportsPage },
        },
      },
      async (request) => {
        const website = await permittedWebsite(access, request);
        const { page, pageSize, search = '' } = request.query;
        const { data, count } = await listReports(db, { websiteId: website.id, kind, search, page, pageSize });
        return { data: data.map(asReport), count, page, pageSize };
      },
    );

    typed.post(base, { schema: { params: websiteParams, body, response: { 200: ReportSchema } }, config: { write: true } }, async (request) => {
      checkParameters(request.body.parameters);
      const website = await permittedWebsite(access, request, 'write');
      const at = new Date().toISOString();
      const row: ReportRow = {
        id: randomUUID(),
        websiteId: website.id,
        userId: currentUser(request).id,
        kind,
        name: request.body.name,
        description: request.body.description ?? '',
        parameters: JSON.stringify(request.body.parameters),
        createdAt: at,
        updatedAt: at,
      };
      await writeReport(db, row);
      return asReport(row);
    });

    const one = `${base}/:${idName}`;
    typed.get(one, { schema: { params: idParams, response: { 200: ReportSchema } } }, async (request) => {
      const website = await permittedWebsite(access, request);
      return asReport(await find(website.id, (request.params as Record<string, string>)[idName]!));
    });

    typed.post(one, { schema: { params: idParams, body, response: { 200: ReportSchema } }, config: { write: true } }, async (request) => {
      checkParameters(request.body.parameters);
      const website = await permittedWebsite(access, request, 'write');
      const row = await find(website.id, (request.params as Record<string, string>)[idName]!);
      const updated: ReportRow = {
        ...row,
        name: request.body.name,
        description: request.body.description ?? row.description,
        parameters: JSON.stringify(request.body.parameters),
        updatedAt: new Date().toISOString(),
      };
      await writeReport(db, updated);
      return asReport(updated);
    });

    typed.delete(one, { schema: { params: idParams, body: NoBody, response: { 200: Ok } }, config: { write: true } }, async (request) => {
      const website = await permittedWebsite(access, request, 'write');
      await writeReport(db, await find(website.id, (request.params as Record<string, string>)[idName]!), true);
      return { ok: true } as const;
    });

    typed.get(
      `${one}/stats`,
      {
        schema: {
          params: idParams,
          querystring: querystring({}),
          response: { 200: kind === 'goal' ? GoalAnswer : FunnelAnswer },
        },
      },
      async (request) => {
        const website = await permittedWebsite(access, request);
        const saved = JSON.parse((await find(website.id, (request.params as Record<string, string>)[idName]!)).parameters);
        const query = request.query as RangeQuery;
        return kind === 'goal' ? goal(request, website, query, saved) : funnel(request, website, query, saved.steps, saved.window);
      },
    );
  }
}
