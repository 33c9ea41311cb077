/**
 * Daily rollups of website_event, kept by materialized views as events are inserted: the read
 * API answers the whole UTC days of a range from them and only the partial days at its ends from
 * the events themselves. Both hold the same aggregate states (uniqCombined(17) and (12)), so an
 * answer from a rollup equals the one computed from the events (visitor estimates past the exact
 * range may differ by a little: HyperLogLog merged in another order). A batch insert retried under
 * its deduplication token is skipped by the rollups too (the inserts set
 * deduplicate_blocks_in_dependent_materialized_views, and the rollups keep a window).
 */

/**
 * The visitor states the rollups keep; the read queries compute the same ones from the events of
 * a range's partial ends, so both merge. Headline counts (stats) use the finer one.
 */
export const rankingVisitorsState = 'uniqCombinedState(12)(session_id)';
export const headlineVisitorsState = 'uniqCombinedState(17)(session_id)';

/**
 * The metric types daily_metrics keeps per day (each pageview's value of that column; `entry`: a
 * visit's first pageview's path). The views computing them are migration 5's SQL.
 */
export const rolledUpMetrics = [
  'path',
  'title',
  'query',
  'referrer',
  'browser',
  'os',
  'device',
  'screen',
  'language',
  'country',
  'region',
  'city',
  'hostname',
  'tag',
  'utmSource',
  'utmMedium',
  'utmCampaign',
  'utmContent',
  'utmTerm',
  'entry',
] as const;

export type RolledUpMetric = (typeof rolledUpMetrics)[number];

/**
 * The session attributes daily_stats is kept by too (besides the whole site, dimension ''), so
 * stats filtered on one of them (country=DE) read the rollup as well.
 */
export const statsDimensions = ['country', 'browser', 'os', 'device', 'language', 'region', 'city'] as const;

// What the views compute from each insert is migration 5's SQL (shipped/0005-daily-rollups.ts).

/**
 * The tables that hold a website's data, events first; reset and delete empty them all (but
 * event_hours, whose hours they mark as changed instead: see markWebsiteChanged).
 */
export const websiteDataTables = [
  'website_event',
  'session_data',
  'daily_metrics',
  'daily_stats',
  'daily_event_data',
  'daily_custom_events',
  'hourly_pageviews',
  'daily_exits',
  'daily_exit_visits',
  'daily_page_stats',
  'daily_page_visits',
  'daily_journeys',
  'daily_journey_visits',
  'dropped_events',
  'website_performance',
  'website_revenue',
  'imported_stats',
] as const;
