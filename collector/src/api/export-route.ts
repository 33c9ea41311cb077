import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { toCsv } from '../shared/csv';
import { UnixMs } from '../shared/schema';
import { base64Stream, zipStream, type ZipEntry } from '../shared/zip-stream';
import { plausibleCsv, plausibleFileName, plausibleTables, plausibleVisitorsColumns, utcDays } from '../storage/plausible-export';
import { queryStats } from '../reads/stats-query';
import { eventsCsv } from '../storage/website-export';
import { buildFilters } from '../reads/filters';
import { queryDateRange } from '../reads/listing-queries';
import { queryMetric, type MetricType } from '../reads/metric-query';
import { reportRange } from './report-scope';
import type { Website } from '../websites/websites';
import { permittedWebsite, websiteParams, type WebsiteAccess } from './website-routes';

/** Umami's export files, each one metric of the range (`x`, `y`), and the metric they hold. */
const metricFiles: [string, MetricType][] = [
  ['events.csv', 'event'],
  ['pages.csv', 'path'],
  ['referrers.csv', 'referrer'],
  ['browsers.csv', 'browser'],
  ['os.csv', 'os'],
  ['devices.csv', 'device'],
  ['countries.csv', 'country'],
];

/** The most rows one metric file holds. */
export const exportMetricRows = 10_000;

/** The range asked for; without one, the website's whole history (after its last reset). */
async function exportRange(reads: ClickHouseClient, website: Website, query: { startAt?: number; endAt?: number }) {
  const resetAt = website.resetAt === null ? 0 : Date.parse(website.resetAt);
  let { startAt, endAt } = query;
  if (startAt === undefined || endAt === undefined) {
    const stored = await queryDateRange(reads, website.id, resetAt);
    startAt ??= stored.startDate ? Date.parse(stored.startDate) : Date.now();
    endAt ??= stored.endDate ? Date.parse(stored.endDate) : Date.now();
  }
  return reportRange(website, { startAt, endAt });
}

async function* once(text: Promise<string>): AsyncGenerator<string> {
  yield await text;
}

/**
 * `GET /api/websites/:id/export` as the contract defines it: `{zip}`, a base64 zip of Umami's
 * metric files (events, pages, referrers, browsers, os, devices, countries: `x,y`), and ours beside
 * them, `website_event.csv`, every raw event of the range. The answer is streamed: the zip is
 * written and encoded as the events are read, one UTC day at a time, so a large site exports in
 * bounded memory. Without a range: the website's whole history.
 */
export function exportRoute(
  app: FastifyInstance,
  { access, readsOf }: { access: WebsiteAccess; readsOf: (request: FastifyRequest) => ClickHouseClient },
): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/websites/:websiteId/export',
    {
      schema: {
        params: websiteParams,
        querystring: Type.Object({ startAt: Type.Optional(UnixMs), endAt: Type.Optional(UnixMs), timezone: Type.Optional(Type.String({ maxLength: 64 })) }),
        response: { 200: Type.Object({ zip: Type.String() }) },
      },
    },
    async (request, reply) => {
      const website = await permittedWebsite(access, request);
      const reads = readsOf(request);
      const range = await exportRange(reads, website, request.query);
      const scope = { websiteId: website.id, ...range, filter: buildFilters({}) };
      const entries: ZipEntry[] = [
        ...metricFiles.map(([name, type]) => ({
          name,
          chunks: once(
            queryMetric(reads, scope, type, { limit: exportMetricRows, offset: 0 }).then((points) =>
              toCsv(
                ['x', 'y'],
                points.map((p) => [p.x, p.y]),
              ),
            ),
          ),
        })),
        { name: 'website_event.csv', chunks: eventsCsv(reads, { websiteId: website.id, ...range }) },
      ];
      async function* json() {
        yield '{"zip":"';
        try {
          yield* base64Stream(zipStream(entries));
        } catch (error) {
          // The answer has begun: the connection is cut (the client sees it end early), and the cause logged.
          request.log.error({ err: error }, 'the export failed while streaming');
          throw error;
        }
        yield '"}';
      }
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `inline; filename="${website.id}.json"`)
        .send(Readable.from(json()) as never);
    },
  );

  // Ours: the same figures as Plausible's export files (its CSV importer reads them), and the raw
  // events beside, as a zip streamed while the days are read.
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get(
      '/api/websites/:websiteId/export/plausible',
      { schema: { params: websiteParams, querystring: Type.Object({ startAt: Type.Optional(UnixMs), endAt: Type.Optional(UnixMs) }) } },
      async (request, reply) => {
        const website = await permittedWebsite(access, request);
        const reads = readsOf(request);
        const range = await exportRange(reads, website, request.query);
        const days = utcDays(range.startAt, range.endAt);
        // The daily totals are our stats of each UTC day (a visit counts on the day it began), so an
        // import of this file shows the figures the dashboard shows.
        async function* visitors() {
          yield `${plausibleVisitorsColumns.join(',')}\n`;
          for (const day of days) {
            const start = Date.parse(day);
            const scope = {
              websiteId: website.id,
              startAt: Math.max(range.startAt, start),
              endAt: Math.min(range.endAt, start + 86_400_000 - 1),
              filter: buildFilters({}),
            };
            const stats = await queryStats(reads, scope);
            if (stats.visits > 0 || stats.pageviews > 0)
              yield `${day},${stats.visitors},${stats.pageviews},${stats.bounces},${stats.visits},${stats.totaltime}\n`;
          }
        }
        const entries: ZipEntry[] = [
          { name: plausibleFileName('imported_visitors', days), chunks: visitors() },
          ...plausibleTables.map((table) => ({ name: plausibleFileName(table.table, days), chunks: plausibleCsv(reads, website.id, days, table) })),
          { name: 'website_event.csv', chunks: eventsCsv(reads, { websiteId: website.id, ...range }) },
        ];
        async function* zip() {
          try {
            yield* zipStream(entries);
          } catch (error) {
            request.log.error({ err: error }, 'the export failed while streaming');
            throw error;
          }
        }
        return reply
          .type('application/zip')
          .header('content-disposition', `attachment; filename="plausible-${website.id}.zip"`)
          .send(Readable.from(zip()) as never);
      },
    );
}
