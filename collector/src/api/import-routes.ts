import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { currentUser } from '../auth/guard';
import { ApiError } from '../errors';
import { describeSource, parseDatabaseUrl, SourceError } from '../import/umami-source';
import { Nullable, Uuid } from '../shared/schema';
import type { ClusterTopology } from '../storage/cluster-ddl';
import { importUmami, type ImportSummary } from '../storage/umami-import';
import type { Websites } from '../websites/websites';

/** One import run, as the dashboard follows it. */
const ImportRun = Type.Object({
  id: Type.String(),
  source: Type.String(),
  state: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('stopped'), Type.Literal('failed')]),
  events: Type.Integer(),
  total: Type.Integer(),
  day: Type.String(),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  error: Nullable(Type.String()),
  websites: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), created: Type.Boolean() })),
  eventsPerSecond: Type.Integer(),
});
type Run = Static<typeof ImportRun>;

/**
 * Imports from an Umami database started from the dashboard (admins): a background job in this
 * process, one at a time, followed by polling `GET /api/admin/imports` (the last 20 runs, newest
 * first). Stopping one finishes the chunk in hand; starting it again resumes (docs/import.md).
 */
export const importRoutes: FastifyPluginAsyncTypebox<{ db: ClickHouseClient; websites: Websites; cluster: ClusterTopology | null }> = async (
  app,
  { db, websites, cluster },
) => {
  const runs: Run[] = [];
  const stops = new Map<string, AbortController>();
  const adminOnly = { admin: true } as const;

  app.post(
    '/api/admin/imports',
    {
      schema: {
        body: Type.Object({ source: Type.Literal('umami'), databaseUrl: Type.String({ minLength: 1, maxLength: 2000 }) }),
        response: { 200: ImportRun },
      },
      config: adminOnly,
    },
    async (request) => {
      if (runs.some((run) => run.state === 'running')) throw new ApiError('badRequest', 'An import is running: wait for it, or stop it');
      let source: ReturnType<typeof parseDatabaseUrl>;
      try {
        source = parseDatabaseUrl(request.body.databaseUrl);
      } catch (error) {
        throw new ApiError('badRequest', error instanceof SourceError ? error.message : String(error));
      }
      const owner = currentUser(request);
      const run: Run = {
        id: randomUUID(),
        source: describeSource(source),
        state: 'running',
        events: 0,
        total: 0,
        day: '',
        startedAt: new Date().toISOString(),
        finishedAt: null,
        error: null,
        websites: [],
        eventsPerSecond: 0,
      };
      runs.unshift(run);
      runs.splice(20);
      const stop = new AbortController();
      stops.set(run.id, stop);
      const started = performance.now();
      const finish = (state: Run['state'], summary?: ImportSummary, error?: string) => {
        run.state = state;
        run.finishedAt = new Date().toISOString();
        if (summary) run.websites = summary.websites.map(({ id, name, created }) => ({ id, name, created }));
        run.error = error ?? null;
        stops.delete(run.id);
      };
      void importUmami(db, {
        source,
        cluster,
        signal: stop.signal,
        adopt: (website) => websites.adopt(owner.id, website),
        onProgress: ({ events, total, day }) => {
          Object.assign(run, { events, total, day, eventsPerSecond: Math.round(events / Math.max((performance.now() - started) / 1000, 0.001)) });
        },
      }).then(
        (summary) => finish(stop.signal.aborted ? 'stopped' : 'done', summary),
        (error: unknown) => {
          request.log.warn({ err: error }, 'an import failed');
          finish('failed', undefined, error instanceof Error ? error.message : String(error));
        },
      );
      return run;
    },
  );

  app.get('/api/admin/imports', { schema: { response: { 200: Type.Object({ data: Type.Array(ImportRun) }) } }, config: adminOnly }, async () => ({
    data: runs,
  }));

  app.delete(
    '/api/admin/imports/:importId',
    { schema: { params: Type.Object({ importId: Uuid }), response: { 200: ImportRun } }, config: adminOnly },
    async (request) => {
      const run = runs.find((r) => r.id === request.params.importId);
      if (!run) throw new ApiError('notFound', 'No such import');
      stops.get(run.id)?.abort();
      return run;
    },
  );
};
