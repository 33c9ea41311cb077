import type { ClickHouseClient } from '@clickhouse/client';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../errors';
import { uuidPattern } from '../shared/ids';
import { UnixMs } from '../shared/schema';
import { websiteCharts } from '../reads/website-charts';
import { checkTimezone } from '../reads/date-range';
import { websiteFor, type WebsiteAccess } from './website-routes';

/** The most websites one charts request names (the contract's bound), and the longest range. */
export const chartLimits = { websites: 20, days: 366 } as const;

const uuid = new RegExp(uuidPattern);

/** The local dates (YYYY-MM-DD) a range touches in a time zone, in order. */
export function localDates(startAt: number, endAt: number, timezone: string): string[] {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const dates: string[] = [];
  // Hour steps catch every local day, whatever the zone's offset (a day is 23 to 25 hours).
  for (let at = startAt; ; at = Math.min(at + 3600_000, endAt)) {
    const date = format.format(at);
    if (dates.at(-1) !== date) dates.push(date);
    if (at >= endAt) return dates;
  }
}

/**
 * `GET /api/websites/charts?ids=…`: visitors per local day and over the range for up to 20
 * websites at once (the websites list's trends); ids the caller may not see are left out.
 */
export function chartsRoute(
  app: FastifyInstance,
  { access, readsOf, timeZones }: { access: WebsiteAccess; readsOf: (request: FastifyRequest) => ClickHouseClient; timeZones: ReadonlySet<string> },
): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/websites/charts',
    {
      schema: {
        querystring: Type.Object({
          ids: Type.String({ minLength: 1, maxLength: 37 * chartLimits.websites }),
          startAt: Type.Optional(UnixMs),
          endAt: Type.Optional(UnixMs),
          timezone: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: { 200: Type.Object({ data: Type.Record(Type.String(), Type.Object({ total: Type.Integer(), values: Type.Array(Type.Integer()) })) }) },
      },
    },
    async (request) => {
      const ids = [...new Set(request.query.ids.split(',').map((id) => id.trim().toLowerCase()))];
      if (ids.length > chartLimits.websites || ids.some((id) => !uuid.test(id))) {
        throw new ApiError('badRequest', `ids must be 1 to ${chartLimits.websites} website ids, comma-separated`);
      }
      const endAt = request.query.endAt ?? Date.now();
      const startAt = request.query.startAt ?? endAt - 7 * 86_400_000 + 1;
      if (endAt < startAt || endAt - startAt > chartLimits.days * 86_400_000)
        throw new ApiError('badRequest', `startAt to endAt must be in order and span at most ${chartLimits.days} days`);
      const timezone = checkTimezone(request.query.timezone ?? 'UTC', timeZones);
      const visible = (
        await Promise.all(
          ids.map((id) =>
            websiteFor(access, request, id).then(
              (w) => w.id,
              () => null,
            ),
          ),
        )
      ).filter((id): id is string => id !== null);
      const charts = visible.length === 0 ? new Map() : await websiteCharts(readsOf(request), { websiteIds: visible, startAt, endAt, timezone });
      const dates = localDates(startAt, endAt, timezone);
      const data: Record<string, { total: number; values: number[] }> = {};
      for (const [id, { total, byDay }] of charts) data[id] = { total, values: dates.map((date) => byDay.get(date) ?? 0) };
      return { data };
    },
  );
}
