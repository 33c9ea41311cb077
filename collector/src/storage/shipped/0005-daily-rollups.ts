// Migration 5: the daily rollups (tables, backfill, materialized views).
// Shipped: frozen as literal SQL. Never edit; add a migration instead.
export const dailyRollups = [
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
  `DROP VIEW IF EXISTS daily_metrics_view`,
  `DROP VIEW IF EXISTS daily_stats_view`,
  `DROP VIEW IF EXISTS daily_event_data_view`,
  `DROP VIEW IF EXISTS hourly_pageviews_view`,
  `TRUNCATE TABLE daily_metrics`,
  `TRUNCATE TABLE daily_stats`,
  `TRUNCATE TABLE daily_event_data`,
  `TRUNCATE TABLE hourly_pageviews`,
  `INSERT INTO daily_metrics SELECT website_id, toDate(created_at) AS day, metric, value, uniqCombinedState(12)(session_id) AS visitors
  FROM website_event
  ARRAY JOIN ['path', 'title', 'query', 'referrer', 'browser', 'os', 'device', 'screen', 'language', 'country', 'region', 'city', 'hostname', 'tag', 'utmSource', 'utmMedium', 'utmCampaign', 'utmContent', 'utmTerm', 'entry'] AS metric, [url_path, page_title, url_query, if(referrer_domain = hostname, '', referrer_domain), toString(browser), toString(os), toString(device), toString(screen), toString(language), toString(country), toString(region), city, toString(hostname), toString(tag), utm_source, utm_medium, utm_campaign, utm_content, utm_term, if(visit_pageview = 1, url_path, '')] AS value
  WHERE event_type = 1
  GROUP BY website_id, day, metric, value`,
  `INSERT INTO daily_stats SELECT website_id, toDate(created_at) AS day, toDate(visit_start) AS start_day, dimension, value,
    count() AS pageviews, countIf(visit_pageview = 1) AS visits, countIf(visit_pageview = 2) AS second_views,
    sumIf(toUInt64(visit_gap_ms), visit_pageview >= 2) AS gap_ms, uniqCombinedState(17)(session_id) AS visitors
  FROM website_event
  ARRAY JOIN ['', 'country', 'browser', 'os', 'device', 'language', 'region', 'city'] AS dimension,
    ['', toString(country), toString(browser), toString(os), toString(device), toString(language), toString(region), toString(city)] AS value
  WHERE event_type = 1
  GROUP BY website_id, day, start_day, dimension, value`,
  `INSERT INTO daily_event_data SELECT website_id, toDate(created_at) AS day, event_name, kv.1 AS property, kv.2 AS value, count() AS total
  FROM website_event
  ARRAY JOIN JSONExtractKeysAndValuesRaw(event_data) AS kv
  WHERE event_type = 2 AND event_data != ''
  GROUP BY website_id, day, event_name, property, value`,
  `INSERT INTO hourly_pageviews SELECT website_id, toStartOfHour(created_at) AS hour, count() AS views, uniqCombinedState(12)(session_id) AS visitors
  FROM website_event
  WHERE event_type = 1
  GROUP BY website_id, hour`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS daily_metrics_view TO daily_metrics AS SELECT website_id, toDate(created_at) AS day, metric, value, uniqCombinedState(12)(session_id) AS visitors
  FROM website_event
  ARRAY JOIN ['path', 'title', 'query', 'referrer', 'browser', 'os', 'device', 'screen', 'language', 'country', 'region', 'city', 'hostname', 'tag', 'utmSource', 'utmMedium', 'utmCampaign', 'utmContent', 'utmTerm', 'entry'] AS metric, [url_path, page_title, url_query, if(referrer_domain = hostname, '', referrer_domain), toString(browser), toString(os), toString(device), toString(screen), toString(language), toString(country), toString(region), city, toString(hostname), toString(tag), utm_source, utm_medium, utm_campaign, utm_content, utm_term, if(visit_pageview = 1, url_path, '')] AS value
  WHERE event_type = 1
  GROUP BY website_id, day, metric, value`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS daily_stats_view TO daily_stats AS SELECT website_id, toDate(created_at) AS day, toDate(visit_start) AS start_day, dimension, value,
    count() AS pageviews, countIf(visit_pageview = 1) AS visits, countIf(visit_pageview = 2) AS second_views,
    sumIf(toUInt64(visit_gap_ms), visit_pageview >= 2) AS gap_ms, uniqCombinedState(17)(session_id) AS visitors
  FROM website_event
  ARRAY JOIN ['', 'country', 'browser', 'os', 'device', 'language', 'region', 'city'] AS dimension,
    ['', toString(country), toString(browser), toString(os), toString(device), toString(language), toString(region), toString(city)] AS value
  WHERE event_type = 1
  GROUP BY website_id, day, start_day, dimension, value`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS daily_event_data_view TO daily_event_data AS SELECT website_id, toDate(created_at) AS day, event_name, kv.1 AS property, kv.2 AS value, count() AS total
  FROM website_event
  ARRAY JOIN JSONExtractKeysAndValuesRaw(event_data) AS kv
  WHERE event_type = 2 AND event_data != ''
  GROUP BY website_id, day, event_name, property, value`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS hourly_pageviews_view TO hourly_pageviews AS SELECT website_id, toStartOfHour(created_at) AS hour, count() AS views, uniqCombinedState(12)(session_id) AS visitors
  FROM website_event
  WHERE event_type = 1
  GROUP BY website_id, hour`,
];
