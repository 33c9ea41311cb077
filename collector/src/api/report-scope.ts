import type { ClickHouseClient } from '@clickhouse/client';
import type { FilteredRange } from '../reads/visitor-reads';
import type { Website } from '../websites/websites';
import { checkRange, type DateRange } from '../reads/date-range';
import type { FilterName, FilterOptions } from '../reads/filters';
import type { Scope } from '../reads/query-vocabulary';
import { savedAwareFilter } from './saved-filters';

/** A report request's range and filters, as its querystring gives them (Umami's older `url` and `host` included). */
export type ReportQuery = { startAt: number; endAt: number; url?: string; host?: string; segment?: string; cohort?: string } & Partial<
  Record<FilterName, string>
> &
  FilterOptions;

/**
 * The range a report reads: checked, and starting after the website's last reset, so nothing from
 * before it shows whether or not ClickHouse has deleted it yet.
 */
export function reportRange(website: Website, query: ReportQuery): DateRange {
  const { startAt, endAt } = checkRange(query.startAt, query.endAt);
  return { startAt: website.resetAt === null ? startAt : Math.max(startAt, Date.parse(website.resetAt) + 1), endAt };
}

/** The read API's filters of a query, `url` and `host` read as `path` and `hostname`; other parameters are not filters (buildFilters ignores them). */
export function reportFilters(query: ReportQuery): Partial<Record<FilterName, string>> & FilterOptions & { segment?: string; cohort?: string } {
  const { url, host, ...filters } = query;
  return { ...filters, path: filters.path ?? url, hostname: filters.hostname ?? host };
}

/**
 * A read's scope: the website's range after its last reset, under the request's filters, segment
 * and cohort, compiled once (`filter`): the figures' Scope and the reports' FilteredRange.
 */
export async function reportScope(db: ClickHouseClient, website: Website, query: ReportQuery): Promise<Scope & FilteredRange> {
  const filter = await savedAwareFilter(db, website.id, reportFilters(query));
  return { websiteId: website.id, ...reportRange(website, query), filter };
}
