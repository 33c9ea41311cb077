import type { ClickHouseClient } from '@clickhouse/client';

export interface SeedOptions {
  events: number;
  days: number;
  /** The newest event's time (ms); events spread over `days` before it. */
  now: number;
  /** Also fill the reports' tables (vitals, orders) from the events; false on a schema from before them. */
  reportTables?: boolean;
  /** The table the events go into (the seed command stages them, see seed-staged.ts); website_event by default. */
  table?: string;
}

// Realistic value pools: weights come from picking with a skewed random (pow), so the first
// entries are the common ones, as on real sites.
const paths = ['/', '/pricing', '/docs', '/blog', '/about', '/signup', '/login', '/contact', '/features', '/changelog']
  .concat(Array.from({ length: 40 }, (_, i) => `/docs/page-${i}`))
  .concat(Array.from({ length: 150 }, (_, i) => `/blog/post-${i}`));
const referrers = [
  'google.com',
  'news.ycombinator.com',
  'twitter.com',
  'reddit.com',
  'github.com',
  'bing.com',
  'duckduckgo.com',
  'linkedin.com',
  'facebook.com',
  'producthunt.com',
];
const browsers = ['chrome', 'safari', 'ios', 'firefox', 'edge-chromium', 'samsung', 'crios', 'opera'];
const oses = ['Windows 10', 'Mac OS', 'iOS', 'Android OS', 'Linux', 'Chrome OS'];
const devices = ['desktop', 'mobile', 'laptop', 'tablet'];
const countries = ['US', 'DE', 'GB', 'FR', 'IN', 'CA', 'NL', 'BR', 'JP', 'AU', 'ES', 'IT', 'SE', 'PL', 'CH'];
const languages = ['en-US', 'de-DE', 'en-GB', 'fr-FR', 'es-ES', 'ja-JP', 'pt-BR', 'nl-NL'];
const screens = ['1920x1080', '390x844', '1440x900', '2560x1440', '414x896', '1366x768'];
const eventNames = ['signup', 'download', 'outbound-link', 'play-video', 'newsletter', 'search', 'add-to-cart', 'checkout'];

/**
 * `events` shared out among `sites` websites in a long tail, as on a host serving many sites: the
 * k-th largest gets a share proportional to 1 / k^1.1 (with 200 sites the largest holds about a
 * fifth, the median a few thousandths). The sizes add up to `events` exactly, largest first.
 */
export function siteSizes(events: number, sites: number): number[] {
  if (events < sites) throw new Error(`${events} events cannot fill ${sites} sites`);
  const weights = Array.from({ length: sites }, (_, k) => 1 / (k + 1) ** 1.1);
  const total = weights.reduce((a, b) => a + b, 0);
  // One event each, the rest by weight, what rounding leaves to the largest.
  const sizes = weights.map((w) => 1 + Math.floor(((events - sites) * w) / total));
  sizes[0]! += events - sizes.reduce((a, b) => a + b, 0);
  return sizes;
}

const array = (values: string[]) => `[${values.map((v) => `'${v}'`).join(',')}]`;
/** Picks from `values` with a skewed distribution keyed by `seed` (an SQL expression). */
const pick = (values: string[], seed: string) => `${array(values)}[1 + toUInt32(floor(pow((cityHash64(${seed}) % 10000) / 10000, 2) * ${values.length}))]`;

/**
 * Fills one website with `events` events over `days`, generated inside ClickHouse with
 * INSERT … SELECT from numbers() (no row passes through Node). Visits are 1 to 8
 * events long (about 40% bounce), sessions come back for about one visit in three, one visit in
 * three of those with two or more events ends with a custom event with data, and one visit in ten
 * carries UTM parameters. Each pageview carries its place in the visit, as ingest records it.
 */
export async function seedEvents(
  db: ClickHouseClient,
  websiteId: string,
  { events, days, now, reportTables = true, table = 'website_event' }: SeedOptions,
): Promise<number> {
  const lengths = [1, 1, 1, 1, 2, 2, 3, 4, 5, 8]; // mean 2.8 events a visit
  const visits = Math.max(1, Math.round(events / 2.8));
  const spanSeconds = days * 86400;
  const startSeconds = Math.floor(now / 1000) - spanSeconds;
  await db.command({
    query: `INSERT INTO ${table}
      (website_id, session_id, visit_id, event_id, created_at, event_type, event_name, hostname, url_path, url_query, page_title,
       referrer_domain, referrer_path, utm_source, utm_medium, utm_campaign, browser, os, device, screen, language, country, event_data,
       visit_pageview, visit_gap_ms, visit_start)
      SELECT
        toUUID({websiteId:String}) AS website_id,
        reinterpretAsUUID(toFixedString(concat(reinterpretAsFixedString(cityHash64(session, 's1')), reinterpretAsFixedString(cityHash64(session, 's2'))), 16)) AS session_id,
        reinterpretAsUUID(toFixedString(concat(reinterpretAsFixedString(cityHash64(v, 'v1')), reinterpretAsFixedString(cityHash64(v, 'v2'))), 16)) AS visit_id,
        generateUUIDv4(cityHash64(v, j)) AS event_id,
        toDateTime64({start:UInt32} + start_offset + j * step, 3, 'UTC') AS created_at,
        -- a custom event, when a visit has one, comes after its pageviews
        if(j > 0 AND j = len - 1 AND cityHash64(v, 'e') % 3 = 0, 2, 1) AS event_type,
        if(event_type = 2, ${pick(eventNames, "v, j, 'n'")}, '') AS event_name,
        'example.com' AS hostname,
        ${pick(paths, "v, j, 'p'")} AS url_path,
        if(utm, 'utm_source=newsletter', '') AS url_query,
        concat('Page ', url_path) AS page_title,
        if(j = 0 AND cityHash64(v, 'r') % 2 = 0, ${pick(referrers, "v, 'rd'")}, '') AS referrer_domain,
        if(referrer_domain != '', '/', '') AS referrer_path,
        if(utm, 'newsletter', '') AS utm_source,
        if(utm, 'email', '') AS utm_medium,
        if(utm, concat('campaign-', toString(cityHash64(v, 'c') % 5)), '') AS utm_campaign,
        ${pick(browsers, "session, 'b'")} AS browser,
        ${pick(oses, "session, 'o'")} AS os,
        ${pick(devices, "session, 'd'")} AS device,
        ${pick(screens, "session, 'sc'")} AS screen,
        ${pick(languages, "session, 'l'")} AS language,
        ${pick(countries, "session, 'co'")} AS country,
        if(event_type = 2, concat('{"plan":"', ['free','pro','team'][1 + cityHash64(v, j) % 3], '","value":', toString(cityHash64(v, j) % 100), '}'), '') AS event_data,
        if(event_type = 1, j + 1, 0) AS visit_pageview,
        if(event_type = 1 AND j > 0, step * 1000, 0) AS visit_gap_ms,
        toDateTime64({start:UInt32} + start_offset, 3, 'UTC') AS visit_start
      FROM (
        SELECT number AS v,
          -- about one visit in three is a returning session's
          if(cityHash64(number, 'ret') % 3 = 0, cityHash64(number, 'prev') % greatest(number, 1), number) AS session,
          toUInt32(number * {span:UInt32} / {visits:UInt64}) AS start_offset,
          cityHash64(number, 'u') % 10 = 0 AS utm,
          ${array(lengths.map(String)).replace(/'/g, '')}[1 + cityHash64(number, 'len') % ${lengths.length}] AS len,
          30 + cityHash64(number, 'step') % 270 AS step,
          arrayJoin(range(len)) AS j
        FROM numbers({visits:UInt64})
      )`,
    query_params: { websiteId, start: startSeconds, span: spanSeconds, visits },
  });
  if (reportTables) await seedReportTables(db, websiteId, table);
  const result = await db.query({
    query: `SELECT count() AS n FROM ${table} WHERE website_id = {websiteId:UUID}`,
    query_params: { websiteId },
    format: 'JSONEachRow',
  });
  return (await result.json<{ n: number }>())[0]?.n ?? 0;
}

/**
 * The reports' own tables, derived from the events in `events`: web vitals for one pageview in
 * five, and an order (in EUR, one in ten with a repeated order id) for every checkout. One
 * website's events, or with `websiteId` null every website's (the staged seed fills them once per
 * flush: per website, each small site's insert cost more than its rows).
 */
export async function seedReportTables(db: ClickHouseClient, websiteId: string | null, events: string): Promise<void> {
  const ofSite = websiteId === null ? '' : 'website_id = {websiteId:UUID} AND';
  await db.command({
    query: `INSERT INTO website_performance (website_id, session_id, visit_id, created_at, hostname, url_path, browser, os, device, country, lcp, inp, cls, fcp, ttfb, duration)
      SELECT website_id, session_id, visit_id, created_at, hostname, url_path, browser, os, device, country,
        300 + cityHash64(event_id, 'lcp') % 5000, if(cityHash64(event_id, 'i') % 3 = 0, NULL, 20 + cityHash64(event_id, 'inp') % 600),
        (cityHash64(event_id, 'cls') % 400) / 1000, 200 + cityHash64(event_id, 'fcp') % 3000, 50 + cityHash64(event_id, 'ttfb') % 1500,
        1000 + cityHash64(event_id, 'd') % 60000
      FROM ${events} WHERE ${ofSite} event_type = 1 AND cityHash64(event_id, 'perf') % 5 = 0`,
    query_params: { websiteId: websiteId ?? '' },
  });
  await db.command({
    query: `INSERT INTO website_revenue (website_id, session_id, visit_id, event_id, created_at, event_name, currency, revenue, order_key)
      SELECT website_id, session_id, visit_id, event_id, created_at, event_name, 'EUR', toDecimal64((cityHash64(event_id, 'rev') % 20000) / 100, 4),
        if(cityHash64(event_id, 'dup') % 10 = 0, concat('order:', toString(cityHash64(visit_id) % 1000)), concat('event:', toString(event_id)))
      FROM ${events} WHERE ${ofSite} event_type = 2 AND event_name = 'checkout'`,
    query_params: { websiteId: websiteId ?? '' },
  });
}
