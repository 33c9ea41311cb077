import type { ClickHouseClient } from '@clickhouse/client';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TObject, type TProperties } from 'typebox';
import { ApiError } from '../errors';
import { SessionRow } from './analytics-schemas';
import { DateText, NoBody, Nullable, Ok, Uuid } from '../shared/schema';
import { sessionStats, tiedSessions, visitorActivity, visitorProperties, visitorSession, weeklyVisitors } from '../reads/visitor-reads';
import type { Website } from '../websites/websites';
import { checkTimezone } from '../reads/date-range';
import { reportRange, reportScope, type ReportQuery } from './report-scope';
import { pageviewsSplit } from '../reads/rollup-choice';
import { permittedWebsite, type WebsiteAccess } from './website-routes';

export interface VisitorRouteDeps {
  access: WebsiteAccess;
  db: ClickHouseClient;
  readsOf: (request: FastifyRequest) => ClickHouseClient;
  querystring: <Extra extends TProperties>(extra: Extra) => TObject;
  timeZones: ReadonlySet<string>;
  eraseVisitor: (websiteId: string, sessionId: string) => Promise<boolean>;
}

const sessionParams = Type.Object({ websiteId: Uuid, sessionId: Uuid });
const websiteParams = Type.Object({ websiteId: Uuid });

/** The sessions list's row (but `createdAt`), with what one session's answer adds. */
const SessionAnswer = Type.Object({
  ...Type.Omit(SessionRow, ['createdAt']).properties,
  distinctId: Type.String(),
  totaltime: Type.Integer(),
  stitchedSessionCount: Type.Integer(),
  canDelete: Type.Boolean(),
});
const ActivityAnswer = Type.Array(
  Type.Object({
    createdAt: DateText,
    eventId: Type.String(),
    eventType: Type.Integer(),
    eventName: Type.String(),
    urlPath: Type.String(),
    urlQuery: Type.String(),
    pageTitle: Type.String(),
    referrerDomain: Type.String(),
    hostname: Type.String(),
    visitId: Type.String(),
    sessionId: Type.String(),
    hasData: Type.Boolean(),
    data: Type.Unknown(),
  }),
);
const PropertiesAnswer = Type.Array(
  Type.Object({
    websiteId: Type.String(),
    sessionId: Type.String(),
    dataKey: Type.String(),
    dataType: Type.Integer(),
    stringValue: Nullable(Type.String()),
    numberValue: Nullable(Type.Number()),
    dateValue: Nullable(Type.String()),
    createdAt: DateText,
  }),
);
const Value = Type.Object({ value: Type.Number() });
const SessionStatsAnswer = Type.Object({ pageviews: Value, visitors: Value, visits: Value, countries: Value, events: Value });

/** The time of a website's reset in Unix ms, 0 when it was never reset: nothing before it shows. */
const resetTime = (website: Website) => (website.resetAt === null ? 0 : Date.parse(website.resetAt));

/**
 * One visitor (Umami's `/sessions/:sessionId`, `/activity`, `/properties`) and the visitor
 * figures of a range (`/sessions/stats`, `/sessions/weekly`). A visitor's days each have their own
 * session id; the ones tied to the same distinct id are "stitched" (`stitchedSessionCount`), and
 * `activity?distinctId=` reads them all.
 */
export function visitorRoutes(app: FastifyInstance, { access, db, readsOf, querystring, timeZones, eraseVisitor }: VisitorRouteDeps): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  const filteredRange = (website: Website, query: ReportQuery) => reportScope(db, website, query);

  typed.get(
    '/api/websites/:websiteId/sessions/stats',
    { schema: { params: websiteParams, querystring: querystring({}), response: { 200: SessionStatsAnswer } } },
    async (request) => {
      const website = await permittedWebsite(access, request);
      const figures = await sessionStats(readsOf(request), await filteredRange(website, request.query as ReportQuery));
      return Object.fromEntries(Object.entries(figures).map(([name, value]) => [name, { value: Number(value) }])) as Record<
        keyof typeof figures,
        { value: number }
      >;
    },
  );

  typed.get(
    '/api/websites/:websiteId/sessions/weekly',
    { schema: { params: websiteParams, querystring: querystring({}), response: { 200: Type.Array(Type.Array(Type.Integer())) } } },
    async (request) => {
      const query = request.query as ReportQuery & { timezone?: string };
      const website = await permittedWebsite(access, request);
      const scope = await filteredRange(website, query);
      const timezone = checkTimezone(query.timezone ?? 'UTC', timeZones);
      return weeklyVisitors(readsOf(request), { ...scope, timezone }, pageviewsSplit(scope, 'hour', timezone));
    },
  );

  typed.get('/api/websites/:websiteId/sessions/:sessionId', { schema: { params: sessionParams, response: { 200: SessionAnswer } } }, async (request) => {
    const website = await permittedWebsite(access, request);
    const session = await visitorSession(readsOf(request), { websiteId: website.id, sessionId: request.params.sessionId, after: resetTime(website) });
    if (!session) throw new ApiError('notFound', 'Session not found');
    const canDelete = await permittedWebsite(access, request, 'write').then(
      () => true,
      () => false,
    );
    return { ...session, canDelete };
  });

  // An erasure request: the visitor's events, data, orders and vitals, gone from every answer once this answers.
  typed.delete(
    '/api/websites/:websiteId/sessions/:sessionId',
    { schema: { params: sessionParams, body: NoBody, response: { 200: Ok } }, config: { write: true } },
    async (request) => {
      const website = await permittedWebsite(access, request, 'write');
      if (!(await eraseVisitor(website.id, request.params.sessionId.toLowerCase()))) throw new ApiError('notFound', 'Session not found');
      return { ok: true } as const;
    },
  );

  typed.get(
    '/api/websites/:websiteId/sessions/:sessionId/activity',
    {
      schema: {
        params: sessionParams,
        querystring: Type.Object({
          startAt: Type.Integer({ minimum: 0 }),
          endAt: Type.Integer({ minimum: 0 }),
          distinctId: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: { 200: ActivityAnswer },
      },
    },
    async (request) => {
      const website = await permittedWebsite(access, request);
      const { startAt, endAt } = reportRange(website, request.query as ReportQuery);
      const reads = readsOf(request);
      // With a distinct id: every session tied to it (the visitor's other days) besides this one.
      const tied = request.query.distinctId ? await tiedSessions(reads, website.id, request.query.distinctId) : [];
      const sessionIds = [...new Set([request.params.sessionId.toLowerCase(), ...tied])];
      return visitorActivity(reads, { websiteId: website.id, sessionIds, startAt, endAt });
    },
  );

  typed.get(
    '/api/websites/:websiteId/sessions/:sessionId/properties',
    { schema: { params: sessionParams, response: { 200: PropertiesAnswer } } },
    async (request) => {
      const website = await permittedWebsite(access, request);
      return visitorProperties(readsOf(request), { websiteId: website.id, sessionId: request.params.sessionId });
    },
  );
}
