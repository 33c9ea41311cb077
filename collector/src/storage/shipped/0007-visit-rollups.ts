// Migration 7: the visit rollups built by a job, and event_hours kept by a view.
// Shipped: frozen as literal SQL. Never edit; add a migration instead.
export const visitRollups = [
  `CREATE TABLE IF NOT EXISTS event_hours (
    website_id UUID,
    hour DateTime('UTC'),
    inserted_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
  ) ENGINE = AggregatingMergeTree
  ORDER BY (website_id, hour)`,
  `CREATE TABLE IF NOT EXISTS rollup_builds (
    day Date,
    build UInt64
  ) ENGINE = MergeTree
  ORDER BY (day, build)`,
  `CREATE TABLE IF NOT EXISTS daily_exits (
    website_id UUID,
    day Date,
    build UInt64,
    path String,
    visitors AggregateFunction(uniqCombined(12), UUID)
  ) ENGINE = AggregatingMergeTree
  PARTITION BY toYYYYMM(day)
  ORDER BY (website_id, day, build, path)
  SETTINGS index_granularity = 256`,
  `CREATE TABLE IF NOT EXISTS daily_exit_visits (
    website_id UUID,
    day Date,
    build UInt64,
    visit_id UUID,
    session_id UUID,
    path String,
    last_at DateTime64(3, 'UTC')
  ) ENGINE = MergeTree
  PARTITION BY toYYYYMM(day)
  ORDER BY (website_id, day, build)`,
  `CREATE TABLE IF NOT EXISTS daily_page_stats (
    website_id UUID,
    day Date,
    build UInt64,
    dimension LowCardinality(String),
    value String,
    pageviews UInt64,
    visits UInt64,
    bounces UInt64,
    seconds UInt64,
    visitors AggregateFunction(uniqCombined(17), UUID)
  ) ENGINE = MergeTree
  PARTITION BY toYYYYMM(day)
  ORDER BY (website_id, dimension, value, day, build)
  SETTINGS index_granularity = 256`,
  `CREATE TABLE IF NOT EXISTS daily_page_visits (
    website_id UUID,
    day Date,
    build UInt64,
    dimension LowCardinality(String),
    value String,
    visit_id UUID,
    session_id UUID,
    pageviews UInt64,
    first_second UInt32,
    last_second UInt32
  ) ENGINE = MergeTree
  PARTITION BY toYYYYMM(day)
  ORDER BY (website_id, dimension, value, day, build)`,
  `DROP VIEW IF EXISTS event_hours_view`,
  `TRUNCATE TABLE event_hours`,
  `INSERT INTO event_hours SELECT website_id, toStartOfHour(created_at) AS hour, toDateTime64(0, 3, 'UTC')
    FROM website_event GROUP BY website_id, hour`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS event_hours_view TO event_hours AS
    SELECT website_id, toStartOfHour(created_at) AS hour, max(now64(3, 'UTC')) AS inserted_at
    FROM website_event GROUP BY website_id, hour`,
];
