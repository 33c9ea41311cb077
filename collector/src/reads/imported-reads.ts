import type { ClickHouseClient } from '@clickhouse/client';
import type { ImportedTable } from '../import/plausible-files';
import { rows } from '../storage/client';

/**
 * The imported daily figures (imported_stats) a read adds to its own: only whole days count, the
 * days whose every moment, in the read's time zone, lies in its range (an imported day has no
 * hours). Visitors are summed over days, as Plausible sums them: a day's visitors are unique that
 * day only.
 */
export interface ImportedScope {
  websiteId: string;
  startAt: number;
  endAt: number;
  timezone: string;
}

const inDays = `website_id = {websiteId:UUID}
  AND date >= toDate(fromUnixTimestamp64Milli({startAt:Int64} - 1), {timezone:String}) + 1
  AND date <= toDate(fromUnixTimestamp64Milli({endAt:Int64} + 1), {timezone:String}) - 1`;

const params = (scope: ImportedScope) => ({ websiteId: scope.websiteId, startAt: scope.startAt, endAt: scope.endAt, timezone: scope.timezone });

export interface ImportedTotals {
  visitors: number;
  visits: number;
  pageviews: number;
  bounces: number;
  totaltime: number;
}

/** The imported days' totals (Plausible's visitors file). */
export async function importedTotals(db: ClickHouseClient, scope: ImportedScope): Promise<ImportedTotals> {
  const [totals] = await rows<ImportedTotals>(
    db,
    `SELECT sum(visitors) AS visitors, sum(visits) AS visits, sum(pageviews) AS pageviews, sum(bounces) AS bounces, sum(visit_duration) AS totaltime
      FROM imported_stats WHERE ${inDays} AND kind = 'visitors'`,
    params(scope),
  );
  return totals ?? { visitors: 0, visits: 0, pageviews: 0, bounces: 0, totaltime: 0 };
}

/** Pageviews and visitors per bucket (`x` as the pageviews series writes it: the bucket's local start), only buckets with imported days; none by the hour or minute. */
export async function importedSeries(
  db: ClickHouseClient,
  scope: ImportedScope,
  unit: 'minute' | 'hour' | 'day' | 'month' | 'year',
): Promise<{ x: string; pageviews: number; sessions: number }[]> {
  if (unit === 'minute' || unit === 'hour') return [];
  const bucket = { day: 'date', month: 'toStartOfMonth(date)', year: 'toStartOfYear(date)' }[unit];
  return rows(
    db,
    `SELECT concat(toString(${bucket}), ' 00:00:00') AS x, sum(pageviews) AS pageviews, sum(visitors) AS sessions
      FROM imported_stats WHERE ${inDays} AND kind = 'visitors' GROUP BY x ORDER BY x`,
    params(scope),
  );
}

/** Where each metric type's imported values are: the table, its column, and whether rows without one are left out (as the metric leaves them). */
export const importedMetrics: Partial<Record<string, { table: ImportedTable; column: string; present?: true }>> = {
  path: { table: 'pages', column: 'page' },
  entry: { table: 'entry_pages', column: 'entry_page' },
  exit: { table: 'exit_pages', column: 'exit_page' },
  referrer: { table: 'sources', column: 'referrer_domain', present: true },
  domain: { table: 'sources', column: 'referrer_domain', present: true },
  browser: { table: 'browsers', column: 'browser' },
  os: { table: 'operating_systems', column: 'operating_system' },
  device: { table: 'devices', column: 'device' },
  country: { table: 'locations', column: 'country' },
  region: { table: 'locations', column: 'region', present: true },
  utmSource: { table: 'sources', column: 'utm_source', present: true },
  utmMedium: { table: 'sources', column: 'utm_medium', present: true },
  utmCampaign: { table: 'sources', column: 'utm_campaign', present: true },
  utmContent: { table: 'sources', column: 'utm_content', present: true },
  utmTerm: { table: 'sources', column: 'utm_term', present: true },
  event: { table: 'custom_events', column: 'name' },
};

/**
 * One metric's imported values (`y`: visitors summed over days; events for `event`), largest
 * first, the `limit` first; and, for `alsoValues`, their imported figures whatever their rank.
 */
export async function importedMetric(
  db: ClickHouseClient,
  scope: ImportedScope,
  type: string,
  options: { limit: number; search?: string; alsoValues?: string[] },
): Promise<{ x: string; y: number }[]> {
  const source = importedMetrics[type];
  if (!source) return [];
  const y = type === 'event' ? 'sum(events)' : 'sum(visitors)';
  const conditions = [source.present ? 'x != {empty:String}' : '', options.search ? 'positionCaseInsensitiveUTF8(x, {search:String}) > 0' : ''].filter(Boolean);
  const having = conditions.length ? `HAVING ${conditions.join(' AND ')}` : '';
  const ranked = `SELECT dims[{column:String}] AS x, ${y} AS y FROM imported_stats
      WHERE ${inDays} AND kind = {table:String} GROUP BY x ${having}`;
  return rows(
    db,
    `SELECT x, y FROM (${ranked}) ORDER BY y DESC, x ASC LIMIT {limit:UInt32}
      UNION DISTINCT
      SELECT x, y FROM (${ranked}) WHERE x IN {values:Array(String)}`,
    {
      ...params(scope),
      column: source.column,
      table: source.table,
      empty: '',
      search: options.search ?? '',
      limit: options.limit,
      values: options.alsoValues ?? [],
    },
  );
}
