import { dailyRollups } from './shipped/0005-daily-rollups';
import { visitRollups } from './shipped/0007-visit-rollups';

/**
 * The schema, as an ordered list of versioned migrations. Each statement is idempotent
 * (IF NOT EXISTS), so a migration interrupted half-way is simply run again at the next start.
 * Append new migrations; never edit one that has shipped. Statements are literal SQL (those
 * first built from live constants are frozen in shipped/), and shipped-migrations.sql, checked
 * by a test, holds the text of every one.
 */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'events and metadata',
    statements: [
      `CREATE TABLE IF NOT EXISTS website_event (
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
      SETTINGS non_replicated_deduplication_window = 1000`,
      `CREATE TABLE IF NOT EXISTS session_data (
        website_id UUID,
        session_id UUID,
        distinct_id String,
        data String,
        created_at DateTime64(3, 'UTC')
      ) ENGINE = MergeTree
      PARTITION BY toYYYYMM(created_at)
      ORDER BY (website_id, session_id, created_at)
      SETTINGS non_replicated_deduplication_window = 1000`,
      `CREATE TABLE IF NOT EXISTS users (
        id UUID,
        username String,
        password_hash String,
        role LowCardinality(String),
        created_at DateTime64(3, 'UTC'),
        deleted UInt8 DEFAULT 0,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY id`,
      `CREATE TABLE IF NOT EXISTS websites (
        id UUID,
        name String,
        domain String,
        user_id UUID,
        created_at DateTime64(3, 'UTC'),
        updated_at DateTime64(3, 'UTC'),
        deleted UInt8 DEFAULT 0,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY id`,
      `CREATE TABLE IF NOT EXISTS auth_tokens (
        token_hash FixedString(64),
        user_id UUID,
        created_at DateTime64(3, 'UTC'),
        expires_at DateTime64(3, 'UTC'),
        revoked UInt8 DEFAULT 0,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY token_hash
      TTL toDateTime(expires_at) + INTERVAL 1 DAY`,
    ],
  },
  {
    version: 2,
    name: 'api keys and two-factor sign-in',
    statements: [
      `CREATE TABLE IF NOT EXISTS api_keys (
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
      ORDER BY id`,
      // The TOTP secret is stored sealed (AES-256-GCM under a key derived from APP_SECRET).
      `ALTER TABLE users ADD COLUMN IF NOT EXISTS totp_secret String DEFAULT ''`,
      `ALTER TABLE users ADD COLUMN IF NOT EXISTS totp_enabled UInt8 DEFAULT 0`,
    ],
  },
  {
    version: 3,
    name: 'website reset time',
    statements: [`ALTER TABLE websites ADD COLUMN IF NOT EXISTS reset_at Nullable(DateTime64(3, 'UTC'))`],
  },
  {
    version: 4,
    name: 'visit position of each pageview',
    statements: [
      // Written at ingest from the collector's visit state, so visits, bounces, time and entry
      // pages are single-pass reads instead of a GROUP BY over every visit.
      `ALTER TABLE website_event ADD COLUMN IF NOT EXISTS visit_pageview UInt32 DEFAULT 0`,
      `ALTER TABLE website_event ADD COLUMN IF NOT EXISTS visit_gap_ms UInt32 DEFAULT 0`,
      `ALTER TABLE website_event ADD COLUMN IF NOT EXISTS visit_start DateTime64(3, 'UTC') DEFAULT created_at`,
    ],
  },
  {
    version: 5,
    name: 'daily rollups for the read API',
    statements: dailyRollups,
  },
  {
    version: 6,
    name: 'session_id bloom filter',
    statements: [
      // Lets a query for a few sessions (a page of the sessions list) skip the granules holding none of them.
      'ALTER TABLE website_event ADD INDEX IF NOT EXISTS session_bloom session_id TYPE bloom_filter(0.01) GRANULARITY 1',
      // Builds it for the parts already stored, in the background.
      'ALTER TABLE website_event MATERIALIZE INDEX session_bloom',
    ],
  },
  {
    version: 7,
    name: 'visit rollups built by a job (exit pages, stats on one page)',
    statements: visitRollups,
  },
  {
    version: 8,
    name: 'when each API key was last used',
    statements: [
      `CREATE TABLE IF NOT EXISTS api_key_uses (
        key_id UUID,
        used_at DateTime64(3, 'UTC')
      ) ENGINE = ReplacingMergeTree(used_at)
      ORDER BY key_id`,
    ],
  },
  {
    version: 9,
    name: 'spent two-factor codes and partial tokens, shared by restarts and collectors',
    statements: [
      `CREATE TABLE IF NOT EXISTS two_factor_spent (
        kind LowCardinality(String),
        key String,
        value UInt64,
        at DateTime64(3, 'UTC')
      ) ENGINE = ReplacingMergeTree(value)
      ORDER BY (kind, key)
      TTL toDateTime(at) + INTERVAL 1 DAY`,
    ],
  },
  {
    version: 10,
    name: 'teams, as in Umami',
    statements: [
      `CREATE TABLE IF NOT EXISTS teams (
        id UUID,
        name String,
        access_code String,
        created_at DateTime64(3, 'UTC'),
        updated_at DateTime64(3, 'UTC'),
        deleted UInt8 DEFAULT 0,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY id`,
      `CREATE TABLE IF NOT EXISTS team_users (
        team_id UUID,
        user_id UUID,
        id UUID,
        role LowCardinality(String),
        created_at DateTime64(3, 'UTC'),
        updated_at DateTime64(3, 'UTC'),
        deleted UInt8 DEFAULT 0,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY (team_id, user_id)`,
      `ALTER TABLE websites ADD COLUMN IF NOT EXISTS team_id Nullable(UUID)`,
    ],
  },
  {
    version: 11,
    name: 'API keys bound to the session that made them',
    statements: [`ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS session_hash String DEFAULT ''`],
  },
  {
    version: 12,
    name: "websites' share links",
    statements: [`ALTER TABLE websites ADD COLUMN IF NOT EXISTS share_id Nullable(String)`],
  },
  {
    version: 13,
    name: "websites' counting rules and the count of what they dropped",
    statements: [
      // One row per website (the newest version wins): its rules as JSON (see ingest/ingest-rules.ts).
      `CREATE TABLE IF NOT EXISTS website_ingest_rules (
        website_id UUID,
        rules String,
        updated_at DateTime64(3, 'UTC'),
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY website_id`,
      // Beacons not stored, per website, UTC day and reason; each collector adds its tallies every few seconds.
      `CREATE TABLE IF NOT EXISTS dropped_events (
        website_id UUID,
        day Date,
        reason LowCardinality(String),
        events UInt64
      ) ENGINE = SummingMergeTree(events)
      ORDER BY (website_id, day, reason)`,
    ],
  },
  {
    version: 14,
    name: 'email addresses, display names, invitations, password resets and email codes',
    statements: [
      `ALTER TABLE users ADD COLUMN IF NOT EXISTS email String DEFAULT ''`,
      `ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name String DEFAULT ''`,
      `ALTER TABLE users ADD COLUMN IF NOT EXISTS email_verified UInt8 DEFAULT 0`,
      // Set for accounts whose password someone else chose: they choose their own at first sign-in.
      `ALTER TABLE users ADD COLUMN IF NOT EXISTS must_change_password UInt8 DEFAULT 0`,
      // Single-use links and codes (kind: invite, reset, otp), stored as the SHA-256 of their secret.
      `CREATE TABLE IF NOT EXISTS auth_tickets (
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
      TTL toDateTime(expires_at) + INTERVAL 30 DAY`,
      // Who used a ticket: the first claim wins, so two collectors cannot both use one.
      `CREATE TABLE IF NOT EXISTS auth_ticket_claims (
        ticket_id UUID,
        claim_id UUID,
        at DateTime64(6, 'UTC')
      ) ENGINE = MergeTree
      ORDER BY (ticket_id, at)
      TTL toDateTime(at) + INTERVAL 30 DAY`,
      // Instance-wide settings an admin changes (name → JSON value), such as requiring two-factor sign-in.
      `CREATE TABLE IF NOT EXISTS app_settings (
        name String,
        value String,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY name`,
    ],
  },
  {
    version: 15,
    name: 'web vitals per page view',
    statements: [
      // One row per performance beacon (a page's LCP, INP, CLS, FCP, TTFB; null where not measured).
      `CREATE TABLE IF NOT EXISTS website_performance (
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
      SETTINGS non_replicated_deduplication_window = 1000`,
    ],
  },
  {
    version: 16,
    name: 'revenue per order',
    statements: [
      // One row per order (or per event without an order id); an order sent again replaces its row.
      `CREATE TABLE IF NOT EXISTS website_revenue (
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
      ORDER BY (website_id, currency, order_key)`,
    ],
  },
  {
    version: 17,
    name: 'saved reports: goals and funnels',
    statements: [
      // Umami's saved reports of a website (kind: goal, funnel), their parameters as JSON; the newest version wins.
      `CREATE TABLE IF NOT EXISTS website_reports (
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
      ORDER BY (website_id, kind, id)`,
    ],
  },
  {
    version: 18,
    name: 'visit rollups: journeys',
    statements: [
      // Per built day and number of steps (2 to 7): how many visits wholly inside the day took
      // each path of that many first events (a custom event's name, else the page's path).
      `CREATE TABLE IF NOT EXISTS daily_journeys (
        website_id UUID,
        day Date,
        build UInt64,
        steps UInt8,
        path Array(String),
        visits UInt64
      ) ENGINE = MergeTree
      PARTITION BY toYYYYMM(day)
      ORDER BY (website_id, steps, day, build)`,
      // Per built day and visit crossing midnight: its first 7 events of that day, with their times.
      `CREATE TABLE IF NOT EXISTS daily_journey_visits (
        website_id UUID,
        day Date,
        build UInt64,
        visit_id UUID,
        steps Array(Tuple(DateTime64(3, 'UTC'), String))
      ) ENGINE = MergeTree
      PARTITION BY toYYYYMM(day)
      ORDER BY (website_id, day, build)`,
      // Every existing build lacks these tables' rows: mark every hour changed, so no build from
      // before is used again; days are read from the events until the job has built them anew.
      `INSERT INTO event_hours SELECT website_id, hour, now64(3, 'UTC') FROM event_hours GROUP BY website_id, hour`,
    ],
  },
  {
    version: 19,
    name: 'visit rollups: visitors per page for rankings',
    statements: [
      // The expanded page tables rank hundreds of values over a month: merging that many
      // uniqCombined(17) states cost 130 ms at ten million events; uniqCombined(12) states, as the
      // other rankings use, a tenth of it. Headline stats keep the (17) column.
      `ALTER TABLE daily_page_stats ADD COLUMN IF NOT EXISTS ranked_visitors AggregateFunction(uniqCombined(12), UUID)`,
      // Builds from before lack the column's values: mark every hour changed (as migration 18).
      `INSERT INTO event_hours SELECT website_id, hour, now64(3, 'UTC') FROM event_hours GROUP BY website_id, hour`,
    ],
  },
  {
    version: 20,
    name: 'daily rollup of custom events',
    statements: [
      // Per website, day and custom event: how many were sent, by how many visitors in how many
      // visits. The custom events are a few percent of the rows, in every granule: their figures
      // from the events cost a month's scan of two UUID columns (70 ms at ten million events).
      `CREATE TABLE IF NOT EXISTS daily_custom_events (
        website_id UUID,
        day Date,
        event_name String,
        events SimpleAggregateFunction(sum, UInt64),
        visitors AggregateFunction(uniqCombined(17), UUID),
        visits AggregateFunction(uniqCombined(17), UUID)
      ) ENGINE = AggregatingMergeTree
      PARTITION BY toYYYYMM(day)
      ORDER BY (website_id, day, event_name)
      SETTINGS non_replicated_deduplication_window = 1000, index_granularity = 256`,
      `DROP VIEW IF EXISTS daily_custom_events_view`,
      `TRUNCATE TABLE daily_custom_events`,
      `INSERT INTO daily_custom_events SELECT website_id, toDate(created_at) AS day, event_name, count() AS events,
    uniqCombinedState(17)(session_id) AS visitors, uniqCombinedState(17)(visit_id) AS visits
  FROM website_event
  WHERE event_type = 2
  GROUP BY website_id, day, event_name`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS daily_custom_events_view TO daily_custom_events AS SELECT website_id, toDate(created_at) AS day, event_name, count() AS events,
    uniqCombinedState(17)(session_id) AS visitors, uniqCombinedState(17)(visit_id) AS visits
  FROM website_event
  WHERE event_type = 2
  GROUP BY website_id, day, event_name`,
    ],
  },
  {
    version: 21,
    name: 'import progress',
    statements: [
      // Per import source, website and UTC day: 'started' before the day's events are inserted,
      // 'done' after; a run resumes after the last done day and clears a started one first.
      `CREATE TABLE IF NOT EXISTS import_progress (
        source String,
        website_id UUID,
        day Date,
        state LowCardinality(String),
        events UInt64,
        at DateTime64(3, 'UTC')
      ) ENGINE = ReplacingMergeTree(at)
      ORDER BY (source, website_id, day)`,
    ],
  },
  {
    version: 22,
    name: 'retention per website',
    statements: [`ALTER TABLE websites ADD COLUMN IF NOT EXISTS retention_months UInt16 DEFAULT 0`],
  },
  {
    version: 23,
    name: 'imported daily figures',
    statements: [
      // Daily aggregates brought from another tool (Plausible's CSV export): per website, kind
      // (Plausible's table: visitors, pages, sources, …), day and the table's text columns, the counts. Kept apart
      // from the events: totals, the chart and the ranked lists add them in; per-visit reports
      // cannot. An import of a file replaces the rows of its kind and days.
      `CREATE TABLE IF NOT EXISTS imported_stats (
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
      ORDER BY (website_id, kind, date)`,
    ],
  },
];
