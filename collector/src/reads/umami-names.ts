import { channelExpression } from './channel-sql';

/**
 * Umami's names for what events are grouped and filtered by, and the column each one reads: the
 * one table the filters (`?path=eq./x`) and the metrics (`?type=path`) are built from.
 * `filter`: a filter of that name exists; `metric`: a metric type of that name exists, over the
 * pageviews, `where` leaving out rows with nothing to show; `session`: the session keeps it for
 * its whole life, so every event of a visit matches a filter on it or none does.
 */
interface UmamiName {
  column: string;
  filter: boolean;
  metric: false | { where?: string };
  session?: true;
}

const referrerRows = { where: "referrer_domain != '' AND referrer_domain != hostname" };
const present = (column: string) => ({ where: `${column} != ''` });

export const umamiNames = {
  path: { column: 'url_path', filter: true, metric: {} },
  title: { column: 'page_title', filter: true, metric: {} },
  query: { column: 'url_query', filter: true, metric: present('url_query') },
  referrer: { column: 'referrer_domain', filter: true, metric: referrerRows },
  domain: { column: 'referrer_domain', filter: false, metric: referrerRows },
  browser: { column: 'browser', filter: true, metric: {}, session: true },
  os: { column: 'os', filter: true, metric: {}, session: true },
  device: { column: 'device', filter: true, metric: {}, session: true },
  screen: { column: 'screen', filter: false, metric: {} },
  language: { column: 'language', filter: true, metric: {}, session: true },
  country: { column: 'country', filter: true, metric: {}, session: true },
  region: { column: 'region', filter: true, metric: {}, session: true },
  city: { column: 'city', filter: true, metric: {}, session: true },
  hostname: { column: 'hostname', filter: true, metric: {} },
  tag: { column: 'tag', filter: true, metric: present('tag') },
  // Umami's channels (shared/channels.ts): direct, paid ads, organic or paid search, social, …
  channel: { column: channelExpression, filter: false, metric: { where: `${channelExpression} != ''` } },
  // Custom events: a filter here; the `event` metric counts events, not visitors (metric-query.ts).
  event: { column: 'event_name', filter: true, metric: false },
  // The distinct id a site gives its visitors: a filter on the sessions tied to it (filters.ts).
  distinctId: { column: 'distinct_id', filter: true, metric: false, session: true },
  // 1 for pageviews, 2 for custom events.
  eventType: { column: 'toString(event_type)', filter: true, metric: false },
  utmSource: { column: 'utm_source', filter: true, metric: present('utm_source') },
  utmMedium: { column: 'utm_medium', filter: true, metric: present('utm_medium') },
  utmCampaign: { column: 'utm_campaign', filter: true, metric: present('utm_campaign') },
  utmContent: { column: 'utm_content', filter: true, metric: present('utm_content') },
  utmTerm: { column: 'utm_term', filter: true, metric: present('utm_term') },
} as const satisfies Record<string, UmamiName>;

type Names = typeof umamiNames;
export type FilterName = { [K in keyof Names]: Names[K]['filter'] extends true ? K : never }[keyof Names];
export type ColumnMetric = { [K in keyof Names]: Names[K]['metric'] extends false ? never : K }[keyof Names];

export const filterNames = (Object.keys(umamiNames) as (keyof Names)[]).filter((name): name is FilterName => umamiNames[name].filter);
export const sessionFilters = filterNames.filter((name) => 'session' in umamiNames[name]);
export const columnMetrics = (Object.keys(umamiNames) as (keyof Names)[]).filter((name): name is ColumnMetric => umamiNames[name].metric !== false);

/** A metric type's column and the condition its rows must meet ('' for none). */
export function metricSource(type: ColumnMetric): { x: string; where: string } {
  const { column, metric } = umamiNames[type] as UmamiName & { metric: { where?: string } };
  return { x: column, where: metric.where ?? '' };
}
