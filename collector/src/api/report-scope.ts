import type { Website } from '../websites/websites';
import { checkRange, type DateRange } from './date-range';
import type { FilterName, FilterOptions } from './filters';

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
