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

/** The metric types rolled up per day, with the expression giving each pageview's value ('' = none). */
export const rolledUpMetrics = {
  path: 'url_path',
  title: 'page_title',
  query: 'url_query',
  referrer: "if(referrer_domain = hostname, '', referrer_domain)",
  browser: 'toString(browser)',
  os: 'toString(os)',
  device: 'toString(device)',
  screen: 'toString(screen)',
  language: 'toString(language)',
  country: 'toString(country)',
  region: 'toString(region)',
  city: 'city',
  hostname: 'toString(hostname)',
  tag: 'toString(tag)',
  utmSource: 'utm_source',
  utmMedium: 'utm_medium',
  utmCampaign: 'utm_campaign',
  utmContent: 'utm_content',
  utmTerm: 'utm_term',
  // A visit's first pageview, as ingest marks it.
  entry: "if(visit_pageview = 1, url_path, '')",
} as const;

export type RolledUpMetric = keyof typeof rolledUpMetrics;

const metricNames = Object.keys(rolledUpMetrics);
const metricValues = Object.values(rolledUpMetrics);

/** Per website, day, metric and value: the unique visitors (sessions) among that day's pageviews. */
const dailyMetricsSelect = `SELECT website_id, toDate(created_at) AS day, metric, value, ${rankingVisitorsState} AS visitors
  FROM website_event
  ARRAY JOIN [${metricNames.map((name) => `'${name}'`).join(', ')}] AS metric, [${metricValues.join(', ')}] AS value
  WHERE event_type = 1
  GROUP BY website_id, day, metric, value`;

/**
 * The session attributes daily_stats is kept by too (besides the whole site, dimension ''), so
 * stats filtered on one of them (country=DE) read the rollup as well.
 */
export const statsDimensions = ['country', 'browser', 'os', 'device', 'language', 'region', 'city'] as const;

/**
 * Per website, day, the day its visit started, and dimension and value: pageviews, visits begun
 * (first pageviews), second pageviews and the gaps between pageviews (for bounces and time), and
 * the visitors.
 */
const dailyStatsSelect = `SELECT website_id, toDate(created_at) AS day, toDate(visit_start) AS start_day, dimension, value,
    count() AS pageviews, countIf(visit_pageview = 1) AS visits, countIf(visit_pageview = 2) AS second_views,
    sumIf(toUInt64(visit_gap_ms), visit_pageview >= 2) AS gap_ms, ${headlineVisitorsState} AS visitors
  FROM website_event
  ARRAY JOIN ['', ${statsDimensions.map((d) => `'${d}'`).join(', ')}] AS dimension,
    ['', ${statsDimensions.map((d) => `toString(${d})`).join(', ')}] AS value
  WHERE event_type = 1
  GROUP BY website_id, day, start_day, dimension, value`;

/** Per website and UTC hour: pageviews and the unique visitors among them (the pageviews series). */
const hourlyPageviewsSelect = `SELECT website_id, toStartOfHour(created_at) AS hour, count() AS views, ${rankingVisitorsState} AS visitors
  FROM website_event
  WHERE event_type = 1
  GROUP BY website_id, hour`;

/** Per website, day, event name, property and value (raw JSON): how many custom events carried it. */
const dailyEventDataSelect = `SELECT website_id, toDate(created_at) AS day, event_name, kv.1 AS property, kv.2 AS value, count() AS total
  FROM website_event
  ARRAY JOIN JSONExtractKeysAndValuesRaw(event_data) AS kv
  WHERE event_type = 2 AND event_data != ''
  GROUP BY website_id, day, event_name, property, value`;

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
  'hourly_pageviews',
  'daily_exits',
  'daily_exit_visits',
  'daily_page_stats',
  'daily_page_visits',
] as const;

/**
 * Creates the rollups and fills them from the events already stored. Each run starts over (the
 * view is dropped and the tables emptied first), so a migration interrupted half-way is simply
 * run again; migrations run before the collector inserts anything.
 */
// The rollups keep small granules: their rows are few but their states large (up to 96 KiB in
// daily_stats), and a query reads whole granules; at the default 8192 rows, stats for one month
// decoded every dimension's states to use the whole site's 60 (43 → 21 ms).
export const rollupStatements = [
  `CREATE TABLE IF NOT EXISTS daily_metrics (
    website_id UUID,
    day Date,
    metric LowCardinality(String),
    value String,
    visitors AggregateFunction(uniqCombined(12), UUID)
  ) ENGINE = AggregatingMergeTree
  PARTITION BY toYYYYMM(day)
  ORDER BY (website_id, metric, day, value)
  SETTINGS non_replicated_deduplication_window = 1000, index_granularity = 256`,
  `CREATE TABLE IF NOT EXISTS daily_stats (
    website_id UUID,
    day Date,
    start_day Date,
    dimension LowCardinality(String),
    value String,
    pageviews SimpleAggregateFunction(sum, UInt64),
    visits SimpleAggregateFunction(sum, UInt64),
    second_views SimpleAggregateFunction(sum, UInt64),
    gap_ms SimpleAggregateFunction(sum, UInt64),
    visitors AggregateFunction(uniqCombined(17), UUID)
  ) ENGINE = AggregatingMergeTree
  PARTITION BY toYYYYMM(day)
  ORDER BY (website_id, dimension, value, day, start_day)
  SETTINGS non_replicated_deduplication_window = 1000, index_granularity = 128`,
  `CREATE TABLE IF NOT EXISTS daily_event_data (
    website_id UUID,
    day Date,
    event_name String,
    property String,
    value String,
    total SimpleAggregateFunction(sum, UInt64)
  ) ENGINE = AggregatingMergeTree
  PARTITION BY toYYYYMM(day)
  ORDER BY (website_id, day, event_name, property, value)
  SETTINGS non_replicated_deduplication_window = 1000`,
  `CREATE TABLE IF NOT EXISTS hourly_pageviews (
    website_id UUID,
    hour DateTime('UTC'),
    views SimpleAggregateFunction(sum, UInt64),
    visitors AggregateFunction(uniqCombined(12), UUID)
  ) ENGINE = AggregatingMergeTree
  PARTITION BY toYYYYMM(hour)
  ORDER BY (website_id, hour)
  SETTINGS non_replicated_deduplication_window = 1000, index_granularity = 256`,
  'DROP VIEW IF EXISTS daily_metrics_view',
  'DROP VIEW IF EXISTS daily_stats_view',
  'DROP VIEW IF EXISTS daily_event_data_view',
  'DROP VIEW IF EXISTS hourly_pageviews_view',
  'TRUNCATE TABLE daily_metrics',
  'TRUNCATE TABLE daily_stats',
  'TRUNCATE TABLE daily_event_data',
  'TRUNCATE TABLE hourly_pageviews',
  `INSERT INTO daily_metrics ${dailyMetricsSelect}`,
  `INSERT INTO daily_stats ${dailyStatsSelect}`,
  `INSERT INTO daily_event_data ${dailyEventDataSelect}`,
  `INSERT INTO hourly_pageviews ${hourlyPageviewsSelect}`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS daily_metrics_view TO daily_metrics AS ${dailyMetricsSelect}`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS daily_stats_view TO daily_stats AS ${dailyStatsSelect}`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS daily_event_data_view TO daily_event_data AS ${dailyEventDataSelect}`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS hourly_pageviews_view TO hourly_pageviews AS ${hourlyPageviewsSelect}`,
];
