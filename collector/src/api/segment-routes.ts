import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { currentUser } from '../auth/guard';
import { ApiError } from '../errors';
import { NoBody, Ok, pagingProperties, StringEnum, Uuid } from '../shared/schema';
import { findReport, listReports, writeReport, type ReportRow } from '../storage/saved-reports-table';
import { checkSavedParameters, SavedFilterParameters, type SavedKind } from './saved-filters';
import { permittedWebsite, websiteParams, type WebsiteAccess } from './website-routes';

const kinds = ['segment', 'cohort'] as const;

/** A saved segment or cohort in the contract's shape. */
const SegmentSchema = Type.Object({
  id: Type.String(),
  websiteId: Type.String(),
  type: StringEnum(kinds),
  name: Type.String(),
  parameters: SavedFilterParameters,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const SegmentBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), type: StringEnum(kinds), parameters: SavedFilterParameters });
const idParams = Type.Object({ websiteId: Uuid, segmentId: Uuid });

const asSegment = (row: ReportRow) => ({
  id: row.id,
  websiteId: row.websiteId,
  type: row.kind as SavedKind,
  name: row.name,
  parameters: JSON.parse(row.parameters) as SavedFilterParameters,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

/**
 * Segments (saved filter sets, `segment=<id>` on every read) and cohorts (the visitors who did
 * something in a range, `cohort=<id>`), Umami's `/api/websites/:id/segments` routes. Kept with the
 * saved goals and funnels; read by whoever may see the website, changed by whoever may change it.
 */
export function segmentRoutes(app: FastifyInstance, { access, db }: { access: WebsiteAccess; db: ClickHouseClient }): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const base = '/api/websites/:websiteId/segments';
  const find = async (websiteId: string, id: string): Promise<ReportRow> => {
    for (const kind of kinds) {
      const row = await findReport(db, { websiteId, kind, id: id.toLowerCase() });
      if (row) return row;
    }
    throw new ApiError('notFound', 'Segment not found');
  };

  typed.get(
    base,
    {
      schema: {
        params: websiteParams,
        querystring: Type.Object({ type: StringEnum(kinds), ...pagingProperties, search: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: Type.Object({ data: Type.Array(SegmentSchema), count: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() }) },
      },
    },
    async (request) => {
      const website = await permittedWebsite(access, request);
      const { type, page, pageSize, search = '' } = request.query;
      const { data, count } = await listReports(db, { websiteId: website.id, kind: type, search, page, pageSize });
      return { data: data.map(asSegment), count, page, pageSize };
    },
  );

  typed.post(base, { schema: { params: websiteParams, body: SegmentBody, response: { 200: SegmentSchema } }, config: { write: true } }, async (request) => {
    const { name, type, parameters } = request.body;
    checkSavedParameters(type, parameters);
    const website = await permittedWebsite(access, request, 'write');
    const at = new Date().toISOString();
    const row: ReportRow = {
      id: randomUUID(),
      websiteId: website.id,
      userId: currentUser(request).id,
      kind: type,
      name,
      description: '',
      parameters: JSON.stringify(parameters),
      createdAt: at,
      updatedAt: at,
    };
    await writeReport(db, row);
    return asSegment(row);
  });

  const one = `${base}/:segmentId`;
  typed.get(one, { schema: { params: idParams, response: { 200: SegmentSchema } } }, async (request) => {
    const website = await permittedWebsite(access, request);
    return asSegment(await find(website.id, request.params.segmentId));
  });

  typed.post(one, { schema: { params: idParams, body: SegmentBody, response: { 200: SegmentSchema } }, config: { write: true } }, async (request) => {
    const { name, type, parameters } = request.body;
    checkSavedParameters(type, parameters);
    const website = await permittedWebsite(access, request, 'write');
    const row = await find(website.id, request.params.segmentId);
    const updated: ReportRow = { ...row, kind: type, name, parameters: JSON.stringify(parameters), updatedAt: new Date().toISOString() };
    // A change of kind moves the record: the old kind's row is deleted, so lists and look-ups see it once.
    if (row.kind !== type) await writeReport(db, row, true);
    await writeReport(db, updated);
    return asSegment(updated);
  });

  typed.delete(one, { schema: { params: idParams, body: NoBody, response: { 200: Ok } }, config: { write: true } }, async (request) => {
    const website = await permittedWebsite(access, request, 'write');
    await writeReport(db, await find(website.id, request.params.segmentId), true);
    return { ok: true } as const;
  });
}
