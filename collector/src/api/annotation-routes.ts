import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { currentUser } from '../auth/guard';
import { ApiError } from '../errors';
import { NoBody, Ok, pagingProperties, UnixMs, Uuid } from '../shared/schema';
import { findReport, listReports, writeReport, type ReportRow } from '../storage/saved-reports-table';
import { permittedWebsite, websiteParams, type WebsiteAccess } from './website-routes';

/** The most annotations one website keeps, and the longest note. */
export const annotationLimits = { perWebsite: 1000, noteLength: 1000 } as const;

const Annotation = Type.Object({
  id: Type.String(),
  websiteId: Type.String(),
  userId: Type.String(),
  date: Type.String(),
  allDay: Type.Boolean(),
  note: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const AnnotationBody = Type.Object({
  /** When: an ISO 8601 date or date-time (a date alone is that day's 00:00 UTC). */
  date: Type.String({ minLength: 10, maxLength: 40 }),
  note: Type.String({ minLength: 1, maxLength: annotationLimits.noteLength }),
  allDay: Type.Optional(Type.Boolean()),
});
const idParams = Type.Object({ websiteId: Uuid, annotationId: Uuid });

const isoDate = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The date as ISO 8601 in UTC, or a 400 naming it. */
function checkedDate(date: string): string {
  const at = isoDate.test(date) ? Date.parse(date) : Number.NaN;
  if (Number.isNaN(at) || at < 0 || at >= Date.UTC(2106, 0, 1))
    throw new ApiError('badRequest', 'date must be an ISO 8601 date or date-time between 1970 and 2105');
  return new Date(at).toISOString();
}

const asAnnotation = (row: ReportRow) => {
  const { date, allDay } = JSON.parse(row.parameters) as { date: string; allDay: boolean };
  return { id: row.id, websiteId: row.websiteId, userId: row.userId, date, allDay, note: row.name, createdAt: row.createdAt, updatedAt: row.updatedAt };
};

/**
 * Annotations (Umami's `/api/websites/:id/annotations`): dated notes the dashboard draws on the
 * overview chart ("launched v2", "newsletter sent"). Kept with the saved reports; read by whoever
 * may see the website (share links too), changed by whoever may change it.
 */
export function annotationRoutes(app: FastifyInstance, { access, db }: { access: WebsiteAccess; db: ClickHouseClient }): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const base = '/api/websites/:websiteId/annotations';
  const all = async (websiteId: string) =>
    (await listReports(db, { websiteId, kind: 'annotation', search: '', page: 1, pageSize: annotationLimits.perWebsite })).data.map(asAnnotation);
  const find = async (websiteId: string, id: string) => {
    const row = await findReport(db, { websiteId, kind: 'annotation', id: id.toLowerCase() });
    if (!row) throw new ApiError('notFound', 'Annotation not found');
    return row;
  };

  typed.get(
    base,
    {
      schema: {
        params: websiteParams,
        querystring: Type.Object({
          startAt: Type.Optional(UnixMs),
          endAt: Type.Optional(UnixMs),
          search: Type.Optional(Type.String({ maxLength: 200 })),
          ...pagingProperties,
        }),
        response: { 200: Type.Object({ data: Type.Array(Annotation), count: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() }) },
      },
    },
    async (request) => {
      const website = await permittedWebsite(access, request);
      const { startAt = 0, endAt = Number.MAX_SAFE_INTEGER, search = '', page, pageSize } = request.query;
      const needle = search.toLowerCase();
      const kept = (await all(website.id))
        .filter((a) => {
          const at = Date.parse(a.date);
          return at >= startAt && at <= endAt && (!needle || a.note.toLowerCase().includes(needle));
        })
        .sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : a.id < b.id ? -1 : 1));
      return { data: kept.slice((page - 1) * pageSize, page * pageSize), count: kept.length, page, pageSize };
    },
  );

  typed.post(base, { schema: { params: websiteParams, body: AnnotationBody, response: { 200: Annotation } }, config: { write: true } }, async (request) => {
    const website = await permittedWebsite(access, request, 'write');
    const date = checkedDate(request.body.date);
    if ((await all(website.id)).length >= annotationLimits.perWebsite) {
      throw new ApiError('badRequest', `a website keeps at most ${annotationLimits.perWebsite} annotations; delete some first`);
    }
    const at = new Date().toISOString();
    const row: ReportRow = {
      id: randomUUID(),
      websiteId: website.id,
      userId: currentUser(request).id,
      kind: 'annotation',
      name: request.body.note,
      description: '',
      parameters: JSON.stringify({ date, allDay: request.body.allDay ?? false }),
      createdAt: at,
      updatedAt: at,
    };
    await writeReport(db, row);
    return asAnnotation(row);
  });

  const one = `${base}/:annotationId`;
  typed.get(one, { schema: { params: idParams, response: { 200: Annotation } } }, async (request) => {
    const website = await permittedWebsite(access, request);
    return asAnnotation(await find(website.id, request.params.annotationId));
  });

  typed.post(one, { schema: { params: idParams, body: AnnotationBody, response: { 200: Annotation } }, config: { write: true } }, async (request) => {
    const website = await permittedWebsite(access, request, 'write');
    const row = await find(website.id, request.params.annotationId);
    const date = checkedDate(request.body.date);
    const updated: ReportRow = {
      ...row,
      name: request.body.note,
      parameters: JSON.stringify({ date, allDay: request.body.allDay ?? false }),
      updatedAt: new Date().toISOString(),
    };
    await writeReport(db, updated);
    return asAnnotation(updated);
  });

  typed.delete(one, { schema: { params: idParams, body: NoBody, response: { 200: Ok } }, config: { write: true } }, async (request) => {
    const website = await permittedWebsite(access, request, 'write');
    await writeReport(db, await find(website.id, request.params.annotationId), true);
    return { ok: true } as const;
  });
}
