import { randomUUID } from 'node:crypto';
import type { TestPostgres } from './postgres';

// Umami's PostgreSQL schema, the five tables an import reads, written from Umami's published
// Prisma migrations (prisma/migrations in umami-software/umami): `v2` as a database of Umami 2.x
// stands after migrations 01 to 06 (session hostname and subdivisions, events with visit ids but
// no tag, UTM or hostname columns, data keys renamed), `v3` as the current release's after 19.
// And a generator of a site's history in it, with the plain answers our API must give.

export type UmamiVersion = 'v2' | 'v3';

export const umamiSchemas: Record<UmamiVersion, string> = {
  v2: `
CREATE TABLE website (website_id uuid PRIMARY KEY, name varchar(100) NOT NULL, domain varchar(500), share_id varchar(50), reset_at timestamptz(6),
  user_id uuid, created_at timestamptz(6) DEFAULT now(), updated_at timestamptz(6), deleted_at timestamptz(6), created_by uuid, team_id uuid);
CREATE TABLE session (session_id uuid PRIMARY KEY, website_id uuid NOT NULL, hostname varchar(100), browser varchar(20), os varchar(20),
  device varchar(20), screen varchar(11), language varchar(35), country char(2), subdivision1 varchar(20), subdivision2 varchar(50),
  city varchar(50), created_at timestamptz(6) DEFAULT now());
CREATE TABLE website_event (event_id uuid PRIMARY KEY, website_id uuid NOT NULL, session_id uuid NOT NULL, created_at timestamptz(6) DEFAULT now(),
  url_path varchar(500) NOT NULL, url_query varchar(500), referrer_path varchar(500), referrer_query varchar(500), referrer_domain varchar(500),
  page_title varchar(500), event_type integer NOT NULL DEFAULT 1, event_name varchar(50), visit_id uuid NOT NULL);
CREATE TABLE event_data (event_data_id uuid PRIMARY KEY, website_id uuid NOT NULL, website_event_id uuid NOT NULL, data_key varchar(500) NOT NULL,
  string_value varchar(500), number_value decimal(19,4), date_value timestamptz(6), data_type integer NOT NULL, created_at timestamptz(6) DEFAULT now());
CREATE TABLE session_data (session_data_id uuid PRIMARY KEY, website_id uuid NOT NULL, session_id uuid NOT NULL, data_key varchar(500) NOT NULL,
  string_value varchar(500), number_value decimal(19,4), date_value timestamptz(6), data_type integer NOT NULL, created_at timestamptz(6) DEFAULT now());
CREATE INDEX website_event_website_id_created_at_idx ON website_event (website_id, created_at);
CREATE INDEX event_data_website_id_created_at_idx ON event_data (website_id, created_at);`,
  v3: `
CREATE TABLE website (website_id uuid PRIMARY KEY, name varchar(100) NOT NULL, domain varchar(500), reset_at timestamptz(6), user_id uuid,
  team_id uuid, created_by uuid, created_at timestamptz(6) DEFAULT now(), updated_at timestamptz(6), deleted_at timestamptz(6),
  replay_enabled boolean NOT NULL DEFAULT false, replay_config jsonb);
CREATE TABLE session (session_id uuid PRIMARY KEY, website_id uuid NOT NULL, browser varchar(20), os varchar(20), device varchar(20),
  screen varchar(11), language varchar(35), country char(2), region varchar(20), city varchar(50), distinct_id varchar(50),
  created_at timestamptz(6) DEFAULT now());
CREATE TABLE website_event (event_id uuid PRIMARY KEY, website_id uuid NOT NULL, session_id uuid NOT NULL, visit_id uuid NOT NULL,
  created_at timestamptz(6) DEFAULT now(), url_path varchar(500) NOT NULL, url_query varchar(500), utm_source varchar(255), utm_medium varchar(255),
  utm_campaign varchar(255), utm_content varchar(255), utm_term varchar(255), referrer_path varchar(500), referrer_query varchar(500),
  referrer_domain varchar(500), page_title varchar(500), gclid varchar(255), fbclid varchar(255), msclkid varchar(255), ttclid varchar(255),
  li_fat_id varchar(255), twclid varchar(255), event_type integer NOT NULL DEFAULT 1, event_name varchar(50), tag varchar(50), hostname varchar(100),
  lcp decimal(10,1), inp decimal(10,1), cls decimal(10,4), fcp decimal(10,1), ttfb decimal(10,1));
CREATE TABLE event_data (event_data_id uuid PRIMARY KEY, website_id uuid NOT NULL, website_event_id uuid NOT NULL, data_key varchar(500) NOT NULL,
  string_value varchar(500), number_value decimal(19,4), date_value timestamptz(6), data_type integer NOT NULL, created_at timestamptz(6) DEFAULT now());
CREATE TABLE session_data (session_data_id uuid PRIMARY KEY, website_id uuid NOT NULL, session_id uuid NOT NULL, data_key varchar(500) NOT NULL,
  string_value varchar(500), number_value decimal(19,4), date_value timestamptz(6), data_type integer NOT NULL, distinct_id varchar(50),
  created_at timestamptz(6) DEFAULT now());
CREATE INDEX website_event_website_id_created_at_idx ON website_event (website_id, created_at);
CREATE INDEX event_data_website_id_created_at_idx ON event_data (website_id, created_at);`,
};

export interface GeneratedEvent {
  eventId: string;
  websiteId: string;
  sessionId: string;
  visitId: string;
  createdAt: number;
  type: number;
  name: string;
  path: string;
  query: string;
  title: string;
  referrerDomain: string;
  utmSource: string;
  gclid: string;
  data: Record<string, string | number | boolean | string[]> | null;
}

export interface GeneratedSession {
  sessionId: string;
  websiteId: string;
  browser: string;
  country: string;
  distinctId: string;
  identify: Record<string, string | number> | null;
}

export interface UmamiHistory {
  websites: { id: string; name: string; deleted: boolean }[];
  sessions: GeneratedSession[];
  events: GeneratedEvent[];
}

/** A small deterministic generator (mulberry32), so a failure names its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T, int: (n: number) => Math.floor(next() * n) };
}

const hostile = ['plain', 'quote " and comma ,', 'line\nbreak', 'ünïcödé 🎉', "it's", 'back\\slash', '=SUM(A1)'];

/** Websites (one of them deleted in Umami), sessions, visits of Umami's kind (one per session and hour) and their events over `days` whole past UTC days. */
export function generateHistory(seed: number, { sessions = 120, days = 6, endDay }: { sessions?: number; days?: number; endDay: number }): UmamiHistory {
  const r = random(seed);
  const websites = [
    { id: randomUUID(), name: 'Main site', deleted: false },
    { id: randomUUID(), name: `Docs ${r.pick(hostile)}`.slice(0, 100), deleted: false },
    { id: randomUUID(), name: 'Deleted site', deleted: true },
  ];
  const history: UmamiHistory = { websites, sessions: [], events: [] };
  for (let i = 0; i < sessions; i++) {
    const website = r.pick(websites);
    const session: GeneratedSession = {
      sessionId: randomUUID(),
      websiteId: website.id,
      browser: r.pick(['chrome', 'firefox', 'safari']),
      country: r.pick(['DE', 'FR', 'US', '']),
      distinctId: r.next() < 0.2 ? `user-${r.int(10)}` : '',
      identify: r.next() < 0.3 ? { plan: r.pick(['free', 'pro', ...hostile]), seats: r.int(20) } : null,
    };
    history.sessions.push(session);
    const day = endDay - (1 + r.int(days)) * 86_400_000;
    for (let v = 1 + r.int(3); v > 0; v--) {
      const hour = day + r.int(24) * 3_600_000;
      const visitId = randomUUID();
      let at = hour + r.int(1_800_000);
      const landing = r.next() < 0.3;
      for (let e = 1 + r.int(5); e > 0; e--) {
        const type = r.next() < 0.7 ? 1 : r.next() < 0.9 ? 2 : 3;
        const first = history.events.every((x) => x.visitId !== visitId);
        history.events.push({
          eventId: randomUUID(),
          websiteId: website.id,
          sessionId: session.sessionId,
          visitId,
          createdAt: Math.min(at, hour + 3_599_999),
          type,
          name: type === 2 ? r.pick(['signup', 'play', 'buy']) : type === 3 ? 'outbound' : '',
          path: r.pick(['/', '/pricing', '/docs', '/a "quoted" path']),
          query: first && landing ? 'utm_source=news&ref=x' : '',
          title: r.pick(hostile),
          referrerDomain: first ? r.pick(['', 'google.com', 'news.ycombinator.com']) : '',
          utmSource: first && landing ? 'news' : '',
          gclid: first && r.next() < 0.15 ? `g${r.int(1000)}` : '',
          data: type === 2 && r.next() < 0.7 ? { plan: r.pick(hostile), amount: r.int(100) + 0.5, paid: r.next() < 0.5, tags: ['a', r.pick(hostile)] } : null,
        });
        at += 1_000 + r.int(600_000);
      }
    }
  }
  return history;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** A CSV field for COPY: null unquoted, strings quoted (so '' stays an empty string). */
const field = (value: string | number | null) => (value === null ? '' : typeof value === 'number' ? String(value) : `"${value.replace(/"/g, '""')}"`);
const csv = (rows: (string | number | null)[][]) => rows.map((row) => row.map(field).join(',')).join('\n') + (rows.length ? '\n' : '');
const orNull = (value: string) => (value === '' ? null : value);

/** Umami's data rows of one object: data_type 1 string, 2 number, 3 boolean, 5 array (as JSON text). */
const dataRows = (data: Record<string, unknown>) =>
  Object.entries(data).map(([key, value]) =>
    typeof value === 'number'
      ? { key, string: null, number: value, type: 2 }
      : typeof value === 'boolean'
        ? { key, string: String(value), number: null, type: 3 }
        : Array.isArray(value)
          ? { key, string: JSON.stringify(value), number: null, type: 5 }
          : { key, string: String(value), number: null, type: 1 },
  );

/** Creates the schema of `version` and loads the history into it with COPY. */
export function loadHistory(pg: TestPostgres, version: UmamiVersion, history: UmamiHistory): void {
  pg.psql(umamiSchemas[version]);
  pg.psql(
    'COPY website (website_id, name, domain, created_at, deleted_at) FROM STDIN WITH (FORMAT csv)',
    csv(history.websites.map((w) => [w.id, w.name, 'example.com', iso(Date.UTC(2026, 0, 1)), w.deleted ? iso(Date.UTC(2026, 5, 1)) : null])),
  );
  const region = version === 'v2' ? 'subdivision1' : 'region';
  const distinct = version === 'v3' ? ', distinct_id' : '';
  pg.psql(
    `COPY session (session_id, website_id, browser, os, device, screen, language, country, ${region}, city${distinct}${version === 'v2' ? ', hostname' : ''}) FROM STDIN WITH (FORMAT csv)`,
    csv(
      history.sessions.map((s) => [
        s.sessionId,
        s.websiteId,
        s.browser,
        'Linux',
        'desktop',
        '1920x1080',
        'en-US',
        orNull(s.country),
        null,
        null,
        ...(version === 'v3' ? [orNull(s.distinctId)] : ['example.com']),
      ]),
    ),
  );
  const v3Columns = version === 'v3' ? ', hostname, utm_source, gclid' : '';
  pg.psql(
    `COPY website_event (event_id, website_id, session_id, visit_id, created_at, url_path, url_query, page_title, referrer_domain, event_type, event_name${v3Columns}) FROM STDIN WITH (FORMAT csv)`,
    csv(
      history.events.map((e) => [
        e.eventId,
        e.websiteId,
        e.sessionId,
        e.visitId,
        iso(e.createdAt),
        e.path,
        orNull(e.query),
        e.title,
        orNull(e.referrerDomain),
        e.type,
        orNull(e.name),
        ...(version === 'v3' ? ['example.com', orNull(e.utmSource), orNull(e.gclid)] : []),
      ]),
    ),
  );
  pg.psql(
    'COPY event_data (event_data_id, website_id, website_event_id, data_key, string_value, number_value, data_type, created_at) FROM STDIN WITH (FORMAT csv)',
    csv(
      history.events.flatMap((e) =>
        e.data ? dataRows(e.data).map((d) => [randomUUID(), e.websiteId, e.eventId, d.key, d.string, d.number, d.type, iso(e.createdAt)]) : [],
      ),
    ),
  );
  const sessionDistinct = version === 'v3' ? ', distinct_id' : '';
  pg.psql(
    `COPY session_data (session_data_id, website_id, session_id, data_key, string_value, number_value, data_type, created_at${sessionDistinct}) FROM STDIN WITH (FORMAT csv)`,
    csv(
      history.sessions.flatMap((s) =>
        s.identify
          ? dataRows(s.identify).map((d) => [
              randomUUID(),
              s.websiteId,
              s.sessionId,
              d.key,
              d.string,
              d.number,
              d.type,
              iso(Date.UTC(2026, 0, 2)),
              ...(version === 'v3' ? [orNull(s.distinctId)] : []),
            ])
          : [],
      ),
    ),
  );
}
