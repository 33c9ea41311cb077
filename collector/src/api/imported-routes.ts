import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../errors';
import { ImportFileError } from '../import/plausible-files';
import type { ClusterTopology } from '../storage/cluster-ddl';
import { importedRanges, importPlausible, removeImported } from '../storage/plausible-import';
import { permittedWebsite, websiteParams, type WebsiteAccess } from './website-routes';

const ImportedFiles = Type.Object({
  files: Type.Array(Type.Object({ name: Type.String(), table: Type.String(), first: Type.String(), last: Type.String(), rows: Type.Integer() })),
  skipped: Type.Array(Type.String()),
});
const ImportedList = Type.Object({
  data: Type.Array(
    Type.Object({
      source: Type.String(),
      firstDay: Type.String(),
      lastDay: Type.String(),
      days: Type.Integer(),
      pageviews: Type.Integer(),
      importedAt: Type.String(),
    }),
  ),
});

/**
 * A website's imported figures (Plausible's CSV export, docs/import.md): upload the zip (its body,
 * `application/zip`, up to IMPORT_MAX_MB), list what is imported, delete it all. The reads add
 * them in with `imported=true` (analytics-routes.ts).
 */
export const importedRoutes: FastifyPluginAsyncTypebox<WebsiteAccess & { db: ClickHouseClient; cluster: ClusterTopology | null; maxBytes: number }> = async (
  app,
  { db, cluster, maxBytes, ...access },
) => {
  app.addContentTypeParser(
    ['application/zip', 'application/x-zip-compressed', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: maxBytes },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/api/websites/:websiteId/import/plausible',
    { schema: { params: websiteParams, response: { 200: ImportedFiles } }, config: { write: true }, bodyLimit: maxBytes },
    async (request) => {
      const website = await permittedWebsite(access, request, 'write');
      if (!Buffer.isBuffer(request.body))
        throw new ApiError('badRequest', 'Send the zip of Plausible’s export as the body, with Content-Type: application/zip');
      try {
        return await importPlausible(db, website.id, request.body, cluster);
      } catch (error) {
        if (error instanceof ImportFileError) throw new ApiError('badRequest', error.message);
        throw error;
      }
    },
  );

  app.get(
    '/api/websites/:websiteId/imported',
    { schema: { params: websiteParams, response: { 200: ImportedList } }, config: { share: true } },
    async (request) => ({ data: await importedRanges(db, (await permittedWebsite(access, request)).id) }),
  );

  app.delete(
    '/api/websites/:websiteId/imported',
    { schema: { params: websiteParams, response: { 200: Type.Object({ ok: Type.Boolean() }) } }, config: { write: true } },
    async (request) => {
      const website = await permittedWebsite(access, request, 'write');
      await removeImported(db, website.id, cluster);
      return { ok: true };
    },
  );
};
