import { ipEntryProblem } from './ingest/ingest-rules';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import type { ClusterTopology } from './storage/cluster-ddl';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { defaultEngineConnections } from './engine-connection-count';

/** Collector settings, read from the environment once at start and then frozen. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Where backups may be written and read (BACKUP_DIR; default DATA_DIR/backups): the embedded engine's `backups.allowed_path`. */
  backupDir: string;
  clickhouse: { url: string; user: string; password: string; database: string; cluster: ClusterTopology | null } | null;
  /** Collector processes sharing the port (only with a ClickHouse server). */
  workers: number;
  appSecret: string | null;
  adminPassword: string | null;
  trustProxy: boolean;
  /** A CDN header to take the country from (COUNTRY_HEADER), lower-case; null: none is trusted. */
  countryHeader: string | null;
  /** A MaxMind-format database to locate IPs with (GEOIP_DB); null: the bundled country database. */
  geoipDb: string | null;
  batchMaxRows: number;
  batchIntervalMs: number;
  /** The longest wait between retries of a failed batch insert (INSERT_RETRY_MAX_MS); the waits double from 100 ms up to it. */
  insertRetryMaxMs: number;
  /** How much lower the embedded engine's inserts and merges run than Node's threads and reads (ENGINE_NICE, Linux nice steps); 0: the same. */
  engineNice: number;
  /** Disk budget of the spool (SPOOL_MAX_BYTES); past it /api/send answers 503. */
  spoolMaxBytes: number;
  /** How often the spool is fsynced (SPOOL_FSYNC_MS); 0: after every write. */
  spoolFsyncMs: number;
  /** How often every website's retention is enforced (RETENTION_INTERVAL_MS); 0: never (but when one is set). */
  retentionIntervalMs: number;
  /** The bearer token GET /metrics asks for (METRICS_TOKEN); null: no /metrics. */
  metricsToken: string | null;
  /** The largest archive POST /api/websites/:id/import/plausible takes (IMPORT_MAX_MB, in bytes here). */
  importMaxBytes: number;
  /** Free space the data directory's disk must keep (MIN_FREE_DISK_MB, in bytes here); below it /api/send answers 503 `disk-full`; 0: no check. */
  minFreeDiskBytes: number;
  /** Disk budget of the rows ClickHouse refused for their content (QUARANTINE_MAX_BYTES); past it they are dropped. */
  quarantineMaxBytes: number;
  /** The longest a read query may run (READ_TIMEOUT_MS); past it 503 `read-timeout`. */
  readTimeoutMs: number;
  /** The most memory a read query may use (READ_MAX_MEMORY_BYTES); past it 503 `read-too-large`. */
  readMaxMemoryBytes: number;
  /** Reads one client (a user's sessions, an API key, a share link) may have running at once (READS_PER_CLIENT). */
  readsPerClient: number;
  /** Connections to the embedded engine, each running one statement at a time (ENGINE_CONNECTIONS). */
  engineConnections: number;
  /** Reads one client may have waiting for a turn (READ_QUEUE_PER_CLIENT); past it 429 `too-many-reads`. */
  readQueuePerClient: number;
  /** Addresses whose /api/heartbeat shows the backlog and quarantine (HEARTBEAT_DETAIL_FROM); signed-in admins see it too. */
  heartbeatDetailFrom: string[];
  /** How long SIGTERM may spend draining the spool into ClickHouse (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
  /** How often the exit-page rollup job runs (VISIT_ROLLUP_INTERVAL_MS); 0: never (exits read the events). */
  visitRollupIntervalMs: number;
  /** Requests per minute one IP may send to /api/send (RATE_LIMIT_PER_MINUTE); 0: no limit. */
  rateLimitPerMinute: number;
  /** Client addresses whose beacons are refused (IGNORE_IPS: IPs or CIDR ranges). */
  ignoreIps: string[];
  /** Extra paths serving the tracker (TRACKER_SCRIPT_NAME). */
  trackerScriptAliases: string[];
  /** Extra path accepting beacons, baked into the served tracker (COLLECT_API_ENDPOINT). */
  collectPath: string;
  /** Outgoing mail (SMTP_URL, e.g. smtp://user:pass@host:587 or smtps://…); null: no mail, links are handed over by hand. */
  smtpUrl: string | null;
  /** The sender of outgoing mail (MAIL_FROM). */
  mailFrom: string;
  /** The address people reach the dashboard at (PUBLIC_URL), for links in mail; null: the address a request came in on. */
  publicUrl: string | null;
  logLevel: string;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function clickhouse(env: Env): Config['clickhouse'] {
  const url = env.CLICKHOUSE_URL;
  if (!url) {
    for (const name of ['CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD', 'CLICKHOUSE_DATABASE', 'CLICKHOUSE_CLUSTER']) {
      if (env[name]) throw new ConfigError(`${name} is set but CLICKHOUSE_URL is not`);
    }
    return null;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`CLICKHOUSE_URL is not a URL: "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`CLICKHOUSE_URL must be http:// or https://, got "${parsed.protocol}"`);
  }
  const database = env.CLICKHOUSE_DATABASE || 'analytics';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) {
    throw new ConfigError(`CLICKHOUSE_DATABASE must be a plain identifier, got "${database}"`);
  }
  const clusterName = env.CLICKHOUSE_CLUSTER || null;
  if (clusterName !== null && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(clusterName)) {
    throw new ConfigError(`CLICKHOUSE_CLUSTER must be a plain identifier (a cluster of remote_servers), got "${clusterName}"`);
  }
  const cluster = clusterName ? { name: clusterName, replicated: true } : null;
  return { url, user: env.CLICKHOUSE_USER || 'default', password: env.CLICKHOUSE_PASSWORD ?? '', database, cluster };
}

/** WORKERS: the number of cores by default with a ClickHouse server; the embedded engine belongs to one process. */
function workers(env: Env, hasServer: boolean): number {
  const count = integer(env, 'WORKERS', hasServer ? availableParallelism() : 1, 1, 256);
  if (count > 1 && !hasServer) throw new ConfigError('WORKERS above 1 needs CLICKHOUSE_URL: the embedded engine belongs to one process');
  return count;
}

const pathPattern = /^\/[A-Za-z0-9._~/-]{1,200}$/;

function paths(env: Env, name: string): string[] {
  const raw = env[name];
  if (!raw) return [];
  return raw.split(',').map((entry) => {
    const path = '/' + entry.trim().replace(/^\/+/, '');
    if (!pathPattern.test(path) || path.includes('..') || path.startsWith('/api/')) {
      throw new ConfigError(`${name} must be a comma list of paths like stats.js (letters, digits, . _ ~ - /, not under /api/), got "${entry}"`);
    }
    return path;
  });
}

function collectPath(env: Env): string {
  const raw = env.COLLECT_API_ENDPOINT;
  if (!raw) return '/api/send';
  if (!pathPattern.test(raw) || raw.includes('..')) {
    throw new ConfigError(`COLLECT_API_ENDPOINT must be a path like /api/collect, got "${raw}"`);
  }
  return raw;
}

function countryHeader(env: Env): string | null {
  const raw = env.COUNTRY_HEADER;
  if (!raw) return null;
  if (!/^[A-Za-z0-9-]{1,64}$/.test(raw)) throw new ConfigError(`COUNTRY_HEADER must be a header name like cf-ipcountry, got "${raw}"`);
  return raw.toLowerCase();
}

function geoipDb(env: Env): string | null {
  const raw = env.GEOIP_DB;
  if (!raw) return null;
  if (!existsSync(raw)) throw new ConfigError(`GEOIP_DB names a file that does not exist: "${raw}"`);
  return resolve(raw);
}

function ignoreIps(env: Env): string[] {
  const raw = env.IGNORE_IPS;
  if (!raw) return [];
  return raw.split(',').map((entry) => {
    const value = entry.trim();
    if (ipEntryProblem(value)) throw new ConfigError(`IGNORE_IPS must be IPs or CIDR ranges, got "${value}"`);
    return value;
  });
}

/** Parses and validates the environment; throws ConfigError with one clear line on a bad value. */
function heartbeatDetailFrom(env: Env): string[] {
  const ips = (env.HEARTBEAT_DETAIL_FROM ?? '127.0.0.1, ::1, ::ffff:127.0.0.1')
    .split(',')
    .map((ip) => ip.trim())
    .filter(Boolean);
  const bad = ips.find((ip) => isIP(ip) === 0);
  if (bad !== undefined) throw new ConfigError(`HEARTBEAT_DETAIL_FROM must list IP addresses; "${bad}" is not one`);
  return ips;
}

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const adminPassword = env.ADMIN_PASSWORD || null;
  if (adminPassword !== null && (adminPassword.length < 8 || adminPassword.length > 256)) {
    throw new ConfigError('ADMIN_PASSWORD must be 8 to 256 characters long');
  }
  const metricsToken = env.METRICS_TOKEN || null;
  if (metricsToken !== null && metricsToken.length < 16) throw new ConfigError('METRICS_TOKEN must be at least 16 characters long');
  const appSecret = env.APP_SECRET || null;
  if (appSecret !== null && appSecret.length < 32) {
    throw new ConfigError('APP_SECRET must be at least 32 characters long');
  }
  const logLevel = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}"`);
  }
  const server = clickhouse(env);
  // Mail goes to people who did not make the request (a reset asked for by anyone): its links
  // must not take their address from the request's Host header, which the asker controls.
  if (env.SMTP_URL && !env.PUBLIC_URL) throw new ConfigError('SMTP_URL needs PUBLIC_URL, the address links in mail point to (https://analytics.example.com)');
  return Object.freeze({
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    dataDir: resolve(env.DATA_DIR || './data'),
    backupDir: resolve(env.BACKUP_DIR || join(resolve(env.DATA_DIR || './data'), 'backups')),
    clickhouse: server,
    workers: workers(env, server !== null),
    appSecret,
    adminPassword,
    trustProxy: boolean(env, 'TRUST_PROXY', false),
    countryHeader: countryHeader(env),
    geoipDb: geoipDb(env),
    batchMaxRows: integer(env, 'BATCH_MAX_ROWS', 20_000, 1, 1_000_000),
    batchIntervalMs: integer(env, 'BATCH_INTERVAL_MS', 2000, 10, 60_000),
    insertRetryMaxMs: integer(env, 'INSERT_RETRY_MAX_MS', 30_000, 100, 600_000),
    engineNice: integer(env, 'ENGINE_NICE', 10, 0, 19),
    spoolMaxBytes: integer(env, 'SPOOL_MAX_BYTES', 1024 ** 3, 1024 * 1024, 2 ** 50),
    spoolFsyncMs: integer(env, 'SPOOL_FSYNC_MS', 100, 0, 10_000),
    minFreeDiskBytes: integer(env, 'MIN_FREE_DISK_MB', 64, 0, 10_000_000) * 1024 ** 2,
    importMaxBytes: integer(env, 'IMPORT_MAX_MB', 256, 1, 4096) * 1024 ** 2,
    metricsToken,
    retentionIntervalMs: integer(env, 'RETENTION_INTERVAL_MS', 3_600_000, 0, 7 * 86_400_000),
    quarantineMaxBytes: integer(env, 'QUARANTINE_MAX_BYTES', 100 * 1024 ** 2, 0, 2 ** 50),
    readTimeoutMs: integer(env, 'READ_TIMEOUT_MS', 10_000, 1, 600_000),
    readMaxMemoryBytes: integer(env, 'READ_MAX_MEMORY_BYTES', 1024 ** 3, 16 * 1024 ** 2, 2 ** 50),
    readsPerClient: integer(env, 'READS_PER_CLIENT', 4, 1, 1000),
    engineConnections: integer(env, 'ENGINE_CONNECTIONS', defaultEngineConnections, 1, 64),
    readQueuePerClient: integer(env, 'READ_QUEUE_PER_CLIENT', 32, 0, 100_000),
    heartbeatDetailFrom: heartbeatDetailFrom(env),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    visitRollupIntervalMs: integer(env, 'VISIT_ROLLUP_INTERVAL_MS', 300_000, 0, 86_400_000),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 0, 0, 1_000_000),
    ignoreIps: ignoreIps(env),
    trackerScriptAliases: paths(env, 'TRACKER_SCRIPT_NAME'),
    collectPath: collectPath(env),
    smtpUrl: smtpUrl(env),
    mailFrom: env.MAIL_FROM || 'Analytics <analytics@localhost>',
    publicUrl: publicUrl(env),
    logLevel,
  });
}

function smtpUrl(env: Env): string | null {
  const raw = env.SMTP_URL;
  if (!raw) return null;
  if (!/^smtps?:\/\/[^/\s]+/.test(raw)) throw new ConfigError('SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465');
  return raw;
}

function publicUrl(env: Env): string | null {
  const raw = env.PUBLIC_URL;
  if (!raw) return null;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    return url.origin + url.pathname.replace(/\/$/, '');
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an http(s) address like https://analytics.example.com, got "${raw}"`);
  }
}
