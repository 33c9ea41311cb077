-- The lock and the list of applied migrations, created before any migration.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version UInt32, name String, applied_at DateTime64(3, 'UTC')
  ) ENGINE = ReplacingMergeTree ORDER BY version;
CREATE TABLE IF NOT EXISTS schema_lock (
    owner String, claimed_at DateTime64(6, 'UTC'), released UInt8
  ) ENGINE = MergeTree ORDER BY claimed_at TTL toDateTime(claimed_at) + INTERVAL 1 DAY;

-- 1: events and metadata
CREATE TABLE IF NOT EXISTS website_event (
        website_id UUID,
        session_id UUID,
        visit_id UUID,
        event_id UUID,
        created_at DateTime64(3, 'UTC'),
        event_type UInt8,
        event_name String,
        hostname LowCardinality(String),
        url_path String,
        url_query String,
        page_title String,
        referrer_domain String,
        referrer_path String,
        referrer_query String,
        utm_source String,
        utm_medium String,
        utm_campaign String,
        utm_content String,
        utm_term String,
        browser LowCardinality(String),
        os LowCardinality(String),
        device LowCardinality(String),
        screen LowCardinality(String),
        language LowCardinality(String),
        country LowCardinality(String),
        region LowCardinality(String),
        city String,
        tag LowCardinality(String),
        event_data String
      ) ENGINE = MergeTree
      PARTITION BY toYYYYMM(created_at)
      ORDER BY (website_id, toStartOfHour(created_at), visit_id, created_at)
      SETTINGS non_replicated_deduplication_window = 1000;
CREATE TABLE IF NOT EXISTS session_data (
        website_id UUID,
        session_id UUID,
        distinct_id String,
        data String,
        created_at DateTime64(3, 'UTC')
      ) ENGINE = MergeTree
      PARTITION BY toYYYYMM(created_at)
      ORDER BY (website_id, session_id, created_at)
      SETTINGS non_replicated_deduplication_window = 1000;
CREATE TABLE IF NOT EXISTS users (
        id UUID,
        username String,
        password_hash String,
        role LowCardinality(String),
        created_at DateTime64(3, 'UTC'),
        deleted UInt8 DEFAULT 0,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY id;
CREATE TABLE IF NOT EXISTS websites (
        id UUID,
        name String,
        domain String,
        user_id UUID,
        created_at DateTime64(3, 'UTC'),
        updated_at DateTime64(3, 'UTC'),
        deleted UInt8 DEFAULT 0,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY id;
CREATE TABLE IF NOT EXISTS auth_tokens (
        token_hash FixedString(64),
        user_id UUID,
        created_at DateTime64(3, 'UTC'),
        expires_at DateTime64(3, 'UTC'),
        revoked UInt8 DEFAULT 0,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY token_hash
      TTL toDateTime(expires_at) + INTERVAL 1 DAY;

-- 2: api keys and two-factor sign-in
CREATE TABLE IF NOT EXISTS api_keys (
        id UUID,
        user_id UUID,
        name String,
        key_hash FixedString(64),
        key_prefix String,
        created_at DateTime64(3, 'UTC'),
        expires_at Nullable(DateTime64(3, 'UTC')),
        revoked UInt8 DEFAULT 0,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY id;
ALTER TABLE users ADD COLUMN IF NOT EXISTS totp_secret String DEFAULT '';
ALTER TABLE users ADD COLUMN IF NOT EXISTS totp_enabled UInt8 DEFAULT 0;

-- 3: website reset time
ALTER TABLE websites ADD COLUMN IF NOT EXISTS reset_at Nullable(DateTime64(3, 'UTC'));

-- 4: visit position of each pageview
ALTER TABLE website_event ADD COLUMN IF NOT EXISTS visit_pageview UInt32 DEFAULT 0;
ALTER TABLE website_event ADD COLUMN IF NOT EXISTS visit_gap_ms UInt32 DEFAULT 0;
ALTER TABLE website_event ADD COLUMN IF NOT EXISTS visit_start DateTime64(3, 'UTC') DEFAULT created_at;

-- 5: daily rollups for the read API
CREATE TABLE IF NOT EXISTS daily_metrics (
    website_id UUID,
    day Date,
    metric LowCardinality(String),
    value String,
    visitors AggregateFunction(uniqCombined(12), UUID)
  ) ENGINE = AggregatingMergeTree
  PARTITION BY toYYYYMM(day)
  ORDER BY (website_id, metric, day, value)
  SETTINGS non_replicated_deduplication_window = 1000, index_granularity = 256;
CREATE TABLE IF NOT EXISTS daily_stats (
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
  SETTINGS non_replicated_deduplication_window = 1000, index_granularity = 128;
CREATE TABLE IF NOT EXISTS daily_event_data (
    website_id UUID,
    day Date,
    event_name String,
    property String,
    value String,
    total SimpleAggregateFunction(sum, UInt64)
  ) ENGINE = AggregatingMergeTree
  PARTITION BY toYYYYMM(day)
  ORDER BY (website_id, day, event_name, property, value)
  SETTINGS non_replicated_deduplication_window = 1000;
CREATE TABLE IF NOT EXISTS hourly_pageviews (
    website_id UUID,
    hour DateTime('UTC'),
    views SimpleAggregateFunction(sum, UInt64),
    visitors AggregateFunction(uniqCombined(12), UUID)
  ) ENGINE = AggregatingMergeTree
  PARTITION BY toYYYYMM(hour)
  ORDER BY (website_id, hour)
  SETTINGS non_replicated_deduplication_window = 1000, index_granularity = 256;
DROP VIEW IF EXISTS daily_metrics_view;
DROP VIEW IF EXISTS daily_stats_view;
DROP VIEW IF EXISTS daily_event_data_view;
DROP VIEW IF EXISTS hourly_pageviews_view;
TRUNCATE TABLE daily_metrics;
TRUNCATE TABLE daily_stats;
TRUNCATE TABLE daily_event_data;
TRUNCATE TABLE hourly_pageviews;
INSERT INTO daily_metrics SELECT website_id, toDate(created_at) AS day, metric, value, uniqCombinedState(12)(session_id) AS visitors
  FROM website_event
  ARRAY JOIN ['path', 'title', 'query', 'referrer', 'browser', 'os', 'device', 'screen', 'language', 'country', 'region', 'city', 'hostname', 'tag', 'utmSource', 'utmMedium', 'utmCampaign', 'utmContent', 'utmTerm', 'entry'] AS metric, [url_path, page_title, url_query, if(referrer_domain = hostname, '', referrer_domain), toString(browser), toString(os), toString(device), toString(screen), toString(language), toString(country), toString(region), city, toString(hostname), toString(tag), utm_source, utm_medium, utm_campaign, utm_content, utm_term, if(visit_pageview = 1, url_path, '')] AS value
  WHERE event_type = 1
  GROUP BY website_id, day, metric, value;
INSERT INTO daily_stats SELECT website_id, toDate(created_at) AS day, toDate(visit_start) AS start_day, dimension, value,
    count() AS pageviews, countIf(visit_pageview = 1) AS visits, countIf(visit_pageview = 2) AS second_views,
    sumIf(toUInt64(visit_gap_ms), visit_pageview >= 2) AS gap_ms, uniqCombinedState(17)(session_id) AS visitors
  FROM website_event
  ARRAY JOIN ['', 'country', 'browser', 'os', 'device', 'language', 'region', 'city'] AS dimension,
    ['', toString(country), toString(browser), toString(os), toString(device), toString(language), toString(region), toString(city)] AS value
  WHERE event_type = 1
  GROUP BY website_id, day, start_day, dimension, value;
INSERT INTO daily_event_data SELECT website_id, toDate(created_at) AS day, event_name, kv.1 AS property, kv.2 AS value, count() AS total
  FROM website_event
  ARRAY JOIN JSONExtractKeysAndValuesRaw(event_data) AS kv
  WHERE event_type = 2 AND event_data != ''
  GROUP BY website_id, day, event_name, property, value;
INSERT INTO hourly_pageviews SELECT website_id, toStartOfHour(created_at) AS hour, count() AS views, uniqCombinedState(12)(session_id) AS visitors
  FROM website_event
  WHERE event_type = 1
  GROUP BY website_id, hour;
CREATE MATERIALIZED VIEW IF NOT EXISTS daily_metrics_view TO daily_metrics AS SELECT website_id, toDate(created_at) AS day, metric, value, uniqCombinedState(12)(session_id) AS visitors
  FROM website_event
  ARRAY JOIN ['path', 'title', 'query', 'referrer', 'browser', 'os', 'device', 'screen', 'language', 'country', 'region', 'city', 'hostname', 'tag', 'utmSource', 'utmMedium', 'utmCampaign', 'utmContent', 'utmTerm', 'entry'] AS metric, [url_path, page_title, url_query, if(referrer_domain = hostname, '', referrer_domain), toString(browser), toString(os), toString(device), toString(screen), toString(language), toString(country), toString(region), city, toString(hostname), toString(tag), utm_source, utm_medium, utm_campaign, utm_content, utm_term, if(visit_pageview = 1, url_path, '')] AS value
  WHERE event_type = 1
  GROUP BY website_id, day, metric, value;
CREATE MATERIALIZED VIEW IF NOT EXISTS daily_stats_view TO daily_stats AS SELECT website_id, toDate(created_at) AS day, toDate(visit_start) AS start_day, dimension, value,
    count() AS pageviews, countIf(visit_pageview = 1) AS visits, countIf(visit_pageview = 2) AS second_views,
    sumIf(toUInt64(visit_gap_ms), visit_pageview >= 2) AS gap_ms, uniqCombinedState(17)(session_id) AS visitors
  FROM website_event
  ARRAY JOIN ['', 'country', 'browser', 'os', 'device', 'language', 'region', 'city'] AS dimension,
    ['', toString(country), toString(browser), toString(os), toString(device), toString(language), toString(region), toString(city)] AS value
  WHERE event_type = 1
  GROUP BY website_id, day, start_day, dimension, value;
CREATE MATERIALIZED VIEW IF NOT EXISTS daily_event_data_view TO daily_event_data AS SELECT website_id, toDate(created_at) AS day, event_name, kv.1 AS property, kv.2 AS value, count() AS total
  FROM website_event
  ARRAY JOIN JSONExtractKeysAndValuesRaw(event_data) AS kv
  WHERE event_type = 2 AND event_data != ''
  GROUP BY website_id, day, event_name, property, value;
CREATE MATERIALIZED VIEW IF NOT EXISTS hourly_pageviews_view TO hourly_pageviews AS SELECT website_id, toStartOfHour(created_at) AS hour, count() AS views, uniqCombinedState(12)(session_id) AS visitors
  FROM website_event
  WHERE event_type = 1
  GROUP BY website_id, hour;

-- 6: session_id bloom filter
ALTER TABLE website_event ADD INDEX IF NOT EXISTS session_bloom session_id TYPE bloom_filter(0.01) GRANULARITY 1;
ALTER TABLE website_event MATERIALIZE INDEX session_bloom;

-- 7: visit rollups built by a job (exit pages, stats on one page)
CREATE TABLE IF NOT EXISTS event_hours (
    website_id UUID,
    hour DateTime('UTC'),
    inserted_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
  ) ENGINE = AggregatingMergeTree
  ORDER BY (website_id, hour);
CREATE TABLE IF NOT EXISTS rollup_builds (
    day Date,
    build UInt64
  ) ENGINE = MergeTree
  ORDER BY (day, build);
CREATE TABLE IF NOT EXISTS daily_exits (
    website_id UUID,
    day Date,
    build UInt64,
    path String,
    visitors AggregateFunction(uniqCombined(12), UUID)
  ) ENGINE = AggregatingMergeTree
  PARTITION BY toYYYYMM(day)
  ORDER BY (website_id, day, build, path)
  SETTINGS index_granularity = 256;
CREATE TABLE IF NOT EXISTS daily_exit_visits (
    website_id UUID,
    day Date,
    build UInt64,
    visit_id UUID,
    session_id UUID,
    path String,
    last_at DateTime64(3, 'UTC')
  ) ENGINE = MergeTree
  PARTITION BY toYYYYMM(day)
  ORDER BY (website_id, day, build);
CREATE TABLE IF NOT EXISTS daily_page_stats (
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
  SETTINGS index_granularity = 256;
CREATE TABLE IF NOT EXISTS daily_page_visits (
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
  ORDER BY (website_id, dimension, value, day, build);
DROP VIEW IF EXISTS event_hours_view;
TRUNCATE TABLE event_hours;
INSERT INTO event_hours SELECT website_id, toStartOfHour(created_at) AS hour, toDateTime64(0, 3, 'UTC')
    FROM website_event GROUP BY website_id, hour;
CREATE MATERIALIZED VIEW IF NOT EXISTS event_hours_view TO event_hours AS
    SELECT website_id, toStartOfHour(created_at) AS hour, max(now64(3, 'UTC')) AS inserted_at
    FROM website_event GROUP BY website_id, hour;

-- 8: when each API key was last used
CREATE TABLE IF NOT EXISTS api_key_uses (
        key_id UUID,
        used_at DateTime64(3, 'UTC')
      ) ENGINE = ReplacingMergeTree(used_at)
      ORDER BY key_id;

-- 9: spent two-factor codes and partial tokens, shared by restarts and collectors
CREATE TABLE IF NOT EXISTS two_factor_spent (
        kind LowCardinality(String),
        key String,
        value UInt64,
        at DateTime64(3, 'UTC')
      ) ENGINE = ReplacingMergeTree(value)
      ORDER BY (kind, key)
      TTL toDateTime(at) + INTERVAL 1 DAY;

-- 10: teams, as in Umami
CREATE TABLE IF NOT EXISTS teams (
        id UUID,
        name String,
        access_code String,
        created_at DateTime64(3, 'UTC'),
        updated_at DateTime64(3, 'UTC'),
        deleted UInt8 DEFAULT 0,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY id;
CREATE TABLE IF NOT EXISTS team_users (
        team_id UUID,
        user_id UUID,
        id UUID,
        role LowCardinality(String),
        created_at DateTime64(3, 'UTC'),
        updated_at DateTime64(3, 'UTC'),
        deleted UInt8 DEFAULT 0,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY (team_id, user_id);
ALTER TABLE websites ADD COLUMN IF NOT EXISTS team_id Nullable(UUID);

-- 11: API keys bound to the session that made them
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS session_hash String DEFAULT '';

-- 12: websites' share links
ALTER TABLE websites ADD COLUMN IF NOT EXISTS share_id Nullable(String);

-- 13: websites' counting rules and the count of what they dropped
CREATE TABLE IF NOT EXISTS website_ingest_rules (
        website_id UUID,
        rules String,
        updated_at DateTime64(3, 'UTC'),
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY website_id;
CREATE TABLE IF NOT EXISTS dropped_events (
        website_id UUID,
        day Date,
        reason LowCardinality(String),
        events UInt64
      ) ENGINE = SummingMergeTree(events)
      ORDER BY (website_id, day, reason);

-- 14: email addresses, display names, invitations, password resets and email codes
ALTER TABLE users ADD COLUMN IF NOT EXISTS email String DEFAULT '';
ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name String DEFAULT '';
ALTER TABLE users ADD COLUMN IF NOT EXISTS email_verified UInt8 DEFAULT 0;
ALTER TABLE users ADD COLUMN IF NOT EXISTS must_change_password UInt8 DEFAULT 0;
CREATE TABLE IF NOT EXISTS auth_tickets (
        id UUID,
        kind LowCardinality(String),
        token_hash FixedString(64),
        user_id Nullable(UUID),
        email String,
        role LowCardinality(String),
        team_id Nullable(UUID),
        team_role LowCardinality(String),
        code_hash String,
        created_by Nullable(UUID),
        created_at DateTime64(3, 'UTC'),
        expires_at DateTime64(3, 'UTC'),
        revoked UInt8 DEFAULT 0,
        used_at Nullable(DateTime64(3, 'UTC')),
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY id
      TTL toDateTime(expires_at) + INTERVAL 30 DAY;
CREATE TABLE IF NOT EXISTS auth_ticket_claims (
        ticket_id UUID,
        claim_id UUID,
        at DateTime64(6, 'UTC')
      ) ENGINE = MergeTree
      ORDER BY (ticket_id, at)
      TTL toDateTime(at) + INTERVAL 30 DAY;
CREATE TABLE IF NOT EXISTS app_settings (
        name String,
        value String,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY name;

-- 15: web vitals per page view
CREATE TABLE IF NOT EXISTS website_performance (
        website_id UUID,
        session_id UUID,
        visit_id UUID,
        created_at DateTime64(3, 'UTC'),
        hostname LowCardinality(String),
        url_path String,
        browser LowCardinality(String),
        os LowCardinality(String),
        device LowCardinality(String),
        country LowCardinality(String),
        lcp Nullable(Float32),
        inp Nullable(Float32),
        cls Nullable(Float32),
        fcp Nullable(Float32),
        ttfb Nullable(Float32),
        duration UInt32
      ) ENGINE = MergeTree
      PARTITION BY toYYYYMM(created_at)
      ORDER BY (website_id, toStartOfHour(created_at), session_id)
      SETTINGS non_replicated_deduplication_window = 1000;

-- 16: revenue per order
CREATE TABLE IF NOT EXISTS website_revenue (
        website_id UUID,
        session_id UUID,
        visit_id UUID,
        event_id UUID,
        created_at DateTime64(3, 'UTC'),
        event_name String,
        currency LowCardinality(String),
        revenue Decimal(18, 4),
        order_key String
      ) ENGINE = ReplacingMergeTree
      ORDER BY (website_id, currency, order_key);

-- 17: saved reports: goals and funnels
CREATE TABLE IF NOT EXISTS website_reports (
        id UUID,
        website_id UUID,
        user_id UUID,
        kind LowCardinality(String),
        name String,
        description String,
        parameters String,
        created_at DateTime64(3, 'UTC'),
        updated_at DateTime64(3, 'UTC'),
        deleted UInt8 DEFAULT 0,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY (website_id, kind, id);

-- 18: visit rollups: journeys
CREATE TABLE IF NOT EXISTS daily_journeys (
        website_id UUID,
        day Date,
        build UInt64,
        steps UInt8,
        path Array(String),
        visits UInt64
      ) ENGINE = MergeTree
      PARTITION BY toYYYYMM(day)
      ORDER BY (website_id, steps, day, build);
CREATE TABLE IF NOT EXISTS daily_journey_visits (
        website_id UUID,
        day Date,
        build UInt64,
        visit_id UUID,
        steps Array(Tuple(DateTime64(3, 'UTC'), String))
      ) ENGINE = MergeTree
      PARTITION BY toYYYYMM(day)
      ORDER BY (website_id, day, build);
INSERT INTO event_hours SELECT website_id, hour, now64(3, 'UTC') FROM event_hours GROUP BY website_id, hour;

-- 19: visit rollups: visitors per page for rankings
ALTER TABLE daily_page_stats ADD COLUMN IF NOT EXISTS ranked_visitors AggregateFunction(uniqCombined(12), UUID);
INSERT INTO event_hours SELECT website_id, hour, now64(3, 'UTC') FROM event_hours GROUP BY website_id, hour;

-- 20: daily rollup of custom events
CREATE TABLE IF NOT EXISTS daily_custom_events (
        website_id UUID,
        day Date,
        event_name String,
        events SimpleAggregateFunction(sum, UInt64),
        visitors AggregateFunction(uniqCombined(17), UUID),
        visits AggregateFunction(uniqCombined(17), UUID)
      ) ENGINE = AggregatingMergeTree
      PARTITION BY toYYYYMM(day)
      ORDER BY (website_id, day, event_name)
      SETTINGS non_replicated_deduplication_window = 1000, index_granularity = 256;
DROP VIEW IF EXISTS daily_custom_events_view;
TRUNCATE TABLE daily_custom_events;
INSERT INTO daily_custom_events SELECT website_id, toDate(created_at) AS day, event_name, count() AS events,
    uniqCombinedState(17)(session_id) AS visitors, uniqCombinedState(17)(visit_id) AS visits
  FROM website_event
  WHERE event_type = 2
  GROUP BY website_id, day, event_name;
CREATE MATERIALIZED VIEW IF NOT EXISTS daily_custom_events_view TO daily_custom_events AS SELECT website_id, toDate(created_at) AS day, event_name, count() AS events,
    uniqCombinedState(17)(session_id) AS visitors, uniqCombinedState(17)(visit_id) AS visits
  FROM website_event
  WHERE event_type = 2
  GROUP BY website_id, day, event_name;

-- 21: import progress
CREATE TABLE IF NOT EXISTS import_progress (
        source String,
        website_id UUID,
        day Date,
        state LowCardinality(String),
        events UInt64,
        at DateTime64(3, 'UTC')
      ) ENGINE = ReplacingMergeTree(at)
      ORDER BY (source, website_id, day);

-- 22: retention per website
ALTER TABLE websites ADD COLUMN IF NOT EXISTS retention_months UInt16 DEFAULT 0;

-- 23: imported daily figures
CREATE TABLE IF NOT EXISTS imported_stats (
        website_id UUID,
        source LowCardinality(String),
        kind LowCardinality(String),
        date Date,
        dims Map(LowCardinality(String), String),
        visitors UInt64,
        visits UInt64,
        pageviews UInt64,
        bounces UInt64,
        visit_duration UInt64,
        entrances UInt64,
        exits UInt64,
        events UInt64,
        pageleave_visitors UInt64,
        imported_at DateTime64(3, 'UTC')
      ) ENGINE = MergeTree
      PARTITION BY toYear(date)
      ORDER BY (website_id, kind, date);
