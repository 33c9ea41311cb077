import type { ClickHouseClient } from '@clickhouse/client';
import { Type, type Static } from 'typebox';
import { ApiError } from '../errors';
import { StringEnum } from '../shared/schema';
import { findReport } from '../storage/saved-reports-table';
import { buildFilters, filterNames, maxFilterLength, type CohortFilter, type FilterName, type FilterOptions, type SqlFilter } from '../reads/filters';
import { savedDateRange } from './saved-date-range';

/** The most filters one segment or cohort holds. */
export const maxSavedFilters = 20;

/** Umami's older names of two filters, accepted in saved filters as in query strings. */
const olderNames: Record<string, FilterName> = { url: 'path', host: 'hostname' };

/** A segment's or cohort's parameters, as Umami's clients save them. */
export const SavedFilterParameters = Type.Object({
  filters: Type.Optional(
    Type.Array(
      Type.Object({
        name: StringEnum([...filterNames, ...Object.keys(olderNames)]),
        operator: StringEnum(['eq', 'neq', 'c', 'dnc']),
        value: Type.String({ maxLength: maxFilterLength }),
      }),
      { maxItems: maxSavedFilters },
    ),
  ),
  match: Type.Optional(StringEnum(['all', 'any'])),
  /** A cohort's range: `30day`, `12month`, `range:<startMs>:<endMs>` (saved-date-range.ts). */
  dateRange: Type.Optional(Type.String({ maxLength: 40 })),
  /** What a cohort's members did: visited a path or sent a custom event. */
  action: Type.Optional(Type.Object({ type: StringEnum(['path', 'event']), value: Type.String({ minLength: 1, maxLength: maxFilterLength }) })),
});
export type SavedFilterParameters = Static<typeof SavedFilterParameters>;

export type SavedKind = 'segment' | 'cohort';

/** Refuses what could not be applied later: a name given twice, a cohort without its action or range. */
export function checkSavedParameters(kind: SavedKind, parameters: SavedFilterParameters, now = Date.now()): void {
  const names = (parameters.filters ?? []).map(({ name }) => olderNames[name] ?? name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice) throw new ApiError('badRequest', `the filter ${twice} is given twice; one value per filter`);
  if (kind === 'cohort') {
    if (!parameters.action || !parameters.dateRange) throw new ApiError('badRequest', 'a cohort needs an action ({type, value}) and a dateRange');
    savedDateRange(parameters.dateRange, now);
  }
}

type Filters = Partial<Record<FilterName, string>> & FilterOptions;

/**
 * A request's filters with its saved segment's filters in (they win over the request's own of the
 * same name, and the segment's `match` over the request's, as in Umami), and its saved cohort
 * resolved to a range and conditions. An id that names nothing of this website is refused with 400.
 */
export async function withSavedFilters(
  db: ClickHouseClient,
  websiteId: string,
  { segment, cohort, ...filters }: Filters & { segment?: string; cohort?: string },
  now = Date.now(),
): Promise<{ filters: Filters; cohort: CohortFilter | null }> {
  const load = async (kind: SavedKind, id: string) => {
    const row = await findReport(db, { websiteId, kind, id: id.toLowerCase() });
    if (!row) throw new ApiError('badRequest', `${kind} ${id} is not a saved ${kind} of this website`);
    return JSON.parse(row.parameters) as SavedFilterParameters;
  };
  const merged: Filters = { ...filters };
  if (segment) {
    const saved = await load('segment', segment);
    for (const { name, operator, value } of saved.filters ?? []) merged[olderNames[name] ?? (name as FilterName)] = `${operator}.${value}`;
    if (saved.match) merged.match = saved.match;
  }
  if (!cohort) return { filters: merged, cohort: null };
  const saved = await load('cohort', cohort);
  return {
    filters: merged,
    cohort: {
      ...savedDateRange(saved.dateRange!, now),
      action: saved.action!,
      match: saved.match ?? 'all',
      terms: (saved.filters ?? []).map(({ name, operator, value }) => ({ name: olderNames[name] ?? (name as FilterName), operator, value })),
    },
  };
}

/** The request's filter, saved segment and cohort applied: what most read routes need. */
export async function savedAwareFilter(db: ClickHouseClient, websiteId: string, query: Filters & { segment?: string; cohort?: string }): Promise<SqlFilter> {
  const { filters, cohort } = await withSavedFilters(db, websiteId, query);
  return buildFilters(filters, cohort);
}
