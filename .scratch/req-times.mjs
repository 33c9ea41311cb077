// .scratch/req-times.ts
import { mkdtempSync, readFileSync as readFileSync6 } from "node:fs";
import { tmpdir } from "node:os";
import { join as join5 } from "node:path";

// collector/src/config.ts
import { existsSync } from "node:fs";
import { isIP } from "node:net";
import { resolve } from "node:path";
var ConfigError = class extends Error {
};
function integer(env, name2, fallback, min, max) {
  const raw = env[name2];
  if (raw === void 0 || raw === "") return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name2} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name2} must be between ${min} and ${max}, got ${value}`);
  return value;
}
function boolean(env, name2, fallback) {
  const raw = env[name2];
  if (raw === void 0 || raw === "") return fallback;
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw new ConfigError(`${name2} must be true or false, got "${raw}"`);
}
function clickhouse(env) {
  const url = env.CLICKHOUSE_URL;
  if (!url) {
    for (const name2 of ["CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD", "CLICKHOUSE_DATABASE"]) {
      if (env[name2]) throw new ConfigError(`${name2} is set but CLICKHOUSE_URL is not`);
    }
    return null;
  }
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`CLICKHOUSE_URL is not a URL: "${url}"`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ConfigError(`CLICKHOUSE_URL must be http:// or https://, got "${parsed.protocol}"`);
  }
  const database = env.CLICKHOUSE_DATABASE || "analytics";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) {
    throw new ConfigError(`CLICKHOUSE_DATABASE must be a plain identifier, got "${database}"`);
  }
  return { url, user: env.CLICKHOUSE_USER || "default", password: env.CLICKHOUSE_PASSWORD ?? "", database };
}
var pathPattern = /^\/[A-Za-z0-9._~\/-]{1,200}$/;
function paths(env, name2) {
  const raw = env[name2];
  if (!raw) return [];
  return raw.split(",").map((entry) => {
    const path = "/" + entry.trim().replace(/^\/+/, "");
    if (!pathPattern.test(path) || path.includes("..") || path.startsWith("/api/")) {
      throw new ConfigError(`${name2} must be a comma list of paths like stats.js (letters, digits, . _ ~ - /, not under /api/), got "${entry}"`);
    }
    return path;
  });
}
function collectPath(env) {
  const raw = env.COLLECT_API_ENDPOINT;
  if (!raw) return "/api/send";
  if (!pathPattern.test(raw) || raw.includes("..")) {
    throw new ConfigError(`COLLECT_API_ENDPOINT must be a path like /api/collect, got "${raw}"`);
  }
  return raw;
}
function countryHeader(env) {
  const raw = env.COUNTRY_HEADER;
  if (!raw) return null;
  if (!/^[A-Za-z0-9-]{1,64}$/.test(raw)) throw new ConfigError(`COUNTRY_HEADER must be a header name like cf-ipcountry, got "${raw}"`);
  return raw.toLowerCase();
}
function geoipDb(env) {
  const raw = env.GEOIP_DB;
  if (!raw) return null;
  if (!existsSync(raw)) throw new ConfigError(`GEOIP_DB names a file that does not exist: "${raw}"`);
  return resolve(raw);
}
function ignoreIps(env) {
  const raw = env.IGNORE_IPS;
  if (!raw) return [];
  return raw.split(",").map((entry) => {
    const value = entry.trim();
    const [ip, prefix, extra] = value.split("/");
    const family = isIP(ip ?? "");
    const bits = family === 4 ? 32 : 128;
    const validPrefix = prefix === void 0 || /^\d{1,3}$/.test(prefix) && Number(prefix) <= bits;
    if (!family || !validPrefix || extra !== void 0) throw new ConfigError(`IGNORE_IPS must be IPs or CIDR ranges, got "${value}"`);
    return value;
  });
}
function heartbeatDetailFrom(env) {
  const ips = (env.HEARTBEAT_DETAIL_FROM ?? "127.0.0.1, ::1, ::ffff:127.0.0.1").split(",").map((ip) => ip.trim()).filter(Boolean);
  const bad = ips.find((ip) => isIP(ip) === 0);
  if (bad !== void 0) throw new ConfigError(`HEARTBEAT_DETAIL_FROM must list IP addresses; "${bad}" is not one`);
  return ips;
}
function loadConfig(env = process.env) {
  const adminPassword = env.ADMIN_PASSWORD || null;
  if (adminPassword !== null && (adminPassword.length < 8 || adminPassword.length > 256)) {
    throw new ConfigError("ADMIN_PASSWORD must be 8 to 256 characters long");
  }
  const appSecret = env.APP_SECRET || null;
  if (appSecret !== null && appSecret.length < 32) {
    throw new ConfigError("APP_SECRET must be at least 32 characters long");
  }
  const logLevel = env.LOG_LEVEL || "info";
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}"`);
  }
  return Object.freeze({
    port: integer(env, "PORT", 3e3, 0, 65535),
    host: env.HOST || "0.0.0.0",
    dataDir: resolve(env.DATA_DIR || "./data"),
    clickhouse: clickhouse(env),
    appSecret,
    adminPassword,
    trustProxy: boolean(env, "TRUST_PROXY", false),
    countryHeader: countryHeader(env),
    geoipDb: geoipDb(env),
    batchMaxRows: integer(env, "BATCH_MAX_ROWS", 5e3, 1, 1e6),
    batchIntervalMs: integer(env, "BATCH_INTERVAL_MS", 2e3, 10, 6e4),
    spoolMaxBytes: integer(env, "SPOOL_MAX_BYTES", 1024 ** 3, 1024 * 1024, 2 ** 50),
    spoolFsyncMs: integer(env, "SPOOL_FSYNC_MS", 100, 0, 1e4),
    spoolMemoryRows: integer(env, "SPOOL_MEMORY_ROWS", 5e4, 1e3, 1e7),
    quarantineMaxBytes: integer(env, "QUARANTINE_MAX_BYTES", 100 * 1024 ** 2, 0, 2 ** 50),
    readTimeoutMs: integer(env, "READ_TIMEOUT_MS", 1e4, 1, 6e5),
    readMaxMemoryBytes: integer(env, "READ_MAX_MEMORY_BYTES", 1024 ** 3, 16 * 1024 ** 2, 2 ** 50),
    heartbeatDetailFrom: heartbeatDetailFrom(env),
    shutdownTimeoutMs: integer(env, "SHUTDOWN_TIMEOUT_MS", 1e4, 0, 6e5),
    visitRollupIntervalMs: integer(env, "VISIT_ROLLUP_INTERVAL_MS", 3e5, 0, 864e5),
    rateLimitPerMinute: integer(env, "RATE_LIMIT_PER_MINUTE", 0, 0, 1e6),
    ignoreIps: ignoreIps(env),
    trackerScriptAliases: paths(env, "TRACKER_SCRIPT_NAME"),
    collectPath: collectPath(env),
    logLevel
  });
}

// collector/src/auth/users.ts
import { randomBytes as randomBytes2, randomUUID } from "node:crypto";

// collector/src/auth/account-rules.ts
var usernameKey = (username2) => username2.normalize("NFKC").toLowerCase();
var invisible = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}]|[^\P{Zs} ]/u;
function usernameProblem(username2) {
  if (invisible.test(username2)) return "username must not hold invisible or control characters";
  if (username2.normalize("NFKC").trim() !== username2.normalize("NFKC")) return "username must not start or end with a space";
  return null;
}
var commonPasswords = new Set(
  `password 12345678 123456789 1234567890 qwertyui qwertyuiop password1 password123 iloveyou 11111111 00000000 88888888
  abc12345 abcd1234 1q2w3e4r 1qaz2wsx qwerty123 qwerty12 sunshine princess football baseball welcome1 welcome123
  admin123 administrator letmein1 trustno1 superman batman123 dragon12 monkey123 master12 starwars whatever
  passw0rd p@ssw0rd p@ssword zaq12wsx q1w2e3r4 1q2w3e4r5t asdfghjk asdfghjkl zxcvbnm1 zxcvbnm123 123123123 12341234
  987654321 147258369 123qweasd qweasdzxc 1234qwer qwer1234 changeme changeme1 computer internet michael1 jennifer
  jordan23 liverpool chelsea1 arsenal1 11223344 12121212 123321123 666666666 999999999 987654321 iloveyou1 lovely12
  loveyou1 hello123 charlie1 shadow12 freedom1 mustang1 access14 secret123 default1 pokemon1 samsung1 google123
  qazwsxedc 1qazxsw2 aa123456 a1234567 12qwaszx q1w2e3r4t5 password12 password2 password01 football1 baseball1
  letmein123 adminadmin rootroot toortoor test1234 testtest guest123 welcome12 summer2024 winter2024 spring2024
  autumn2024 summer2025 winter2025 summer2026 winter2026 analytics umami123 umamiumami`.split(/\s+/).filter(Boolean)
);
function passwordProblem(password2, username2) {
  const plain = password2.normalize("NFKC").toLowerCase();
  if (commonPasswords.has(plain)) return "password is one of the most common passwords; choose another";
  const name2 = usernameKey(username2).replace(/[^\p{L}\p{N}]/gu, "");
  if (name2.length >= 3) {
    const letters = plain.replace(/[^\p{L}\p{N}]/gu, "");
    if (letters.includes(name2) || letters.includes([...name2].reverse().join(""))) return "password must not contain the username";
  }
  if (new Set(plain).size <= 2) return "password must not repeat one or two characters";
  return null;
}

// collector/src/auth/passwords.ts
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

// collector/src/errors.ts
var errors = {
  badRequest: { status: 400, code: "bad-request", message: "The request is not valid" },
  invalidJson: { status: 400, code: "invalid-json", message: "The body is not valid JSON" },
  invalidWebsite: { status: 400, code: "invalid-website", message: "payload.website must be a website id (UUID)" },
  unknownWebsite: { status: 400, code: "unknown-website", message: "No website has this id" },
  invalidData: { status: 400, code: "invalid-data", message: "The event data is not acceptable" },
  ignoredIp: { status: 403, code: "ignored-ip", message: "Beacons from this address are ignored" },
  rateLimited: { status: 429, code: "rate-limited", message: "Too many requests from this address" },
  missingUserAgent: { status: 400, code: "missing-user-agent", message: "A User-Agent header is required" },
  unauthorized: { status: 401, code: "unauthorized", message: "A valid token is required" },
  badCredentials: { status: 401, code: "bad-credentials", message: "Incorrect username or password" },
  invalidCode: { status: 401, code: "invalid-code", message: "The two-factor code is not valid" },
  usernameTaken: { status: 400, code: "username-taken", message: "A user with this username exists" },
  tooManyAttempts: { status: 429, code: "too-many-attempts", message: "Too many attempts; wait before trying again" },
  busy: { status: 429, code: "busy", message: "Too many passwords are being checked at this moment; retry in a second" },
  forbidden: { status: 403, code: "forbidden", message: "You may not do this" },
  notFound: { status: 404, code: "not-found", message: "Not found" },
  bodyTooLarge: { status: 413, code: "body-too-large", message: "The body is larger than the limit" },
  unsupportedMediaType: { status: 415, code: "unsupported-media-type", message: "Send application/json or text/plain" },
  overloaded: { status: 503, code: "overloaded", message: "The spool is full while storage catches up; retry later" },
  readTimeout: { status: 503, code: "read-timeout", message: "The query took longer than READ_TIMEOUT_MS allows; narrow the range or the filters" },
  readTooLarge: { status: 503, code: "read-too-large", message: "The query needed more memory than READ_MAX_MEMORY_BYTES allows; narrow the range or the filters" },
  internal: { status: 500, code: "internal", message: "Something went wrong on our side" }
};
var ApiError = class extends Error {
  status;
  code;
  /** Seconds, sent as Retry-After (429 and 503). */
  retryAfter;
  constructor(name2, message, retryAfter) {
    const entry = errors[name2];
    super(message ?? entry.message);
    this.status = entry.status;
    this.code = entry.code;
    this.retryAfter = retryAfter ?? (name2 === "overloaded" ? 5 : name2 === "busy" ? 1 : void 0);
  }
};
function sendError(reply, status, code, message) {
  return reply.code(status).type("application/json").send({ error: { message, code, status } });
}
var readBoundErrors = { TIMEOUT_EXCEEDED: "readTimeout", MEMORY_LIMIT_EXCEEDED: "readTooLarge" };
var cancelled = (error) => {
  const { name: name2, code } = error ?? {};
  return name2 === "AbortError" || code === "CHDB_ABORT";
};
function fromFastify(error) {
  const bound = readBoundErrors[String(error.type)];
  if (bound) return new ApiError(bound);
  if (error.validation) {
    const context = error.validationContext ?? "request";
    const unknown = error.validation.find((v) => v.keyword === "additionalProperties")?.params.additionalProperty;
    if (typeof unknown === "string") return new ApiError("badRequest", `${context} has an unknown parameter "${unknown.slice(0, 100)}"`);
    return new ApiError("badRequest", `${context}${error.message.startsWith(context) ? error.message.slice(context.length) : " " + error.message}`);
  }
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ApiError("bodyTooLarge");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ApiError("unsupportedMediaType");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new ApiError("invalidJson", "The body is empty");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new ApiError("invalidJson");
  }
  if (error instanceof SyntaxError) return new ApiError("invalidJson");
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return Object.assign(new ApiError("badRequest", error.message), { status: error.statusCode });
  }
  return new ApiError("internal");
}
function installErrorHandling(app) {
  app.setErrorHandler((error, request, reply) => {
    const apiError = error instanceof ApiError ? error : fromFastify(error);
    if (cancelled(error)) request.log.info("read cancelled: the client went away");
    else if (apiError.code.startsWith("read-")) request.log.warn({ err: error }, apiError.message);
    else if (apiError.status >= 500) request.log.error({ err: error }, "request failed");
    if (apiError.retryAfter !== void 0) reply.header("retry-after", String(apiError.retryAfter));
    return sendError(reply, apiError.status, apiError.code, apiError.message);
  });
  app.setNotFoundHandler(
    (request, reply) => sendError(reply, 404, errors.notFound.code, `No route ${request.method} ${request.url.split("?")[0]}`)
  );
}

// collector/src/auth/passwords.ts
var owaspCost = { N: 2 ** 17, r: 8, p: 1 };
var maxmem = 256 * 1024 * 1024;
var keyLength = 32;
var passwordLimits = { min: 8, max: 256 };
function derive(password2, salt, options) {
  return new Promise(
    (resolve2, reject) => scrypt(password2.normalize("NFKC"), salt, keyLength, options, (error, key) => error ? reject(error) : resolve2(key))
  );
}
var hashingCapacity = 2;
var Passwords = class {
  constructor(cost = owaspCost, capacity = hashingCapacity) {
    this.cost = cost;
    this.capacity = capacity;
  }
  cost;
  capacity;
  #decoy = null;
  #running = 0;
  /** Runs one scrypt computation if there is room (else 429 `busy`, with Retry-After 1). */
  async #derive(password2, salt, options, bounded = true) {
    if (bounded && this.#running >= this.capacity) throw new ApiError("busy");
    this.#running += 1;
    try {
      return await derive(password2, salt, options);
    } finally {
      this.#running -= 1;
    }
  }
  /** Hashes a password as `scrypt$N$r$p$salt$key` (base64url), so parameters can change later. */
  async hash(password2, bounded = true) {
    const salt = randomBytes(16);
    const { N, r, p } = this.cost;
    const key = await this.#derive(password2, salt, { N, r, p, maxmem }, bounded);
    return ["scrypt", N, r, p, salt.toString("base64url"), key.toString("base64url")].join("$");
  }
  /** True when `password` matches `stored`; the comparison takes constant time. */
  async verify(password2, stored) {
    const [scheme, n, r, p, salt, key] = stored.split("$");
    if (scheme !== "scrypt" || !n || !r || !p || !salt || !key) return false;
    const expected = Buffer.from(key, "base64url");
    const actual = await this.#derive(password2, Buffer.from(salt, "base64url"), { N: Number(n), r: Number(r), p: Number(p), maxmem });
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
  /** A hash of nothing anyone knows: verified against for unknown users, so they cost the same work. */
  decoy() {
    this.#decoy ??= this.hash(randomBytes(16).toString("hex"), false);
    return this.#decoy;
  }
};

// collector/src/auth/users.ts
var roles = ["admin", "user", "view-only"];
function publicUser(user) {
  return { id: user.id, username: user.username, role: user.role, createdAt: user.createdAt, isAdmin: user.role === "admin" };
}
var selectUser = `SELECT id, username, password_hash AS passwordHash, role, created_at AS createdAt,
  totp_secret AS totpSecret, totp_enabled AS totpEnabled FROM users FINAL WHERE deleted = 0`;
var toUser = (row) => ({ ...row, totpEnabled: row.totpEnabled === 1 });
var Users = class {
  constructor(db2, passwords = new Passwords()) {
    this.db = db2;
    this.passwords = passwords;
  }
  db;
  passwords;
  #lastVersion = 0;
  async #many(where, params, tail = "") {
    const result = await this.db.query({ query: `${selectUser} ${where} ${tail}`, query_params: params, format: "JSONEachRow" });
    return (await result.json()).map(toUser);
  }
  /** The user with this name, compared as usernameKey does (case and Unicode forms aside). */
  async findByUsername(username2) {
    const key = usernameKey(username2);
    const candidates = await this.#many("AND lowerUTF8(username) = lowerUTF8({username:String})", { username: username2.normalize("NFKC") }, "LIMIT 10");
    return candidates.find((user) => usernameKey(user.username) === key) ?? null;
  }
  async findById(id) {
    return (await this.#many("AND id = toUUIDOrZero({id:String})", { id }, "LIMIT 1"))[0] ?? null;
  }
  /** One page of users, oldest first, and how many there are. */
  async list(page, pageSize) {
    const [data, count] = await Promise.all([
      this.#many("", { limit: pageSize, offset: (page - 1) * pageSize }, "ORDER BY created_at LIMIT {limit:UInt32} OFFSET {offset:UInt32}"),
      this.count()
    ]);
    return { data, count };
  }
  async count(role2) {
    const result = await this.db.query({
      query: `SELECT count() AS n FROM users FINAL WHERE deleted = 0${role2 ? " AND role = {role:String}" : ""}`,
      query_params: { role: role2 ?? "" },
      format: "JSONEachRow"
    });
    return (await result.json())[0]?.n ?? 0;
  }
  async #write(user, deleted = false) {
    await this.db.insert({
      table: "users",
      values: [
        {
          id: user.id,
          username: user.username,
          password_hash: user.passwordHash,
          role: user.role,
          created_at: new Date(user.createdAt).getTime(),
          totp_secret: user.totpSecret,
          totp_enabled: user.totpEnabled ? 1 : 0,
          deleted: deleted ? 1 : 0,
          // Versions are milliseconds; a change within the same millisecond still wins.
          version: this.#lastVersion = Math.max(Date.now(), this.#lastVersion + 1)
        }
      ],
      format: "JSONEachRow"
    });
  }
  async create(username2, password2, role2) {
    const user = {
      id: randomUUID(),
      username: username2,
      role: role2,
      createdAt: (/* @__PURE__ */ new Date()).toISOString(),
      passwordHash: await this.passwords.hash(password2),
      totpSecret: "",
      totpEnabled: false
    };
    await this.#write(user);
    return user;
  }
  /** Writes a changed user; `password`, when given, is hashed. */
  async update(user, changes) {
    const { password: password2, ...rest } = changes;
    const updated = { ...user };
    for (const [key, value] of Object.entries(rest)) if (value !== void 0) Object.assign(updated, { [key]: value });
    if (password2) updated.passwordHash = await this.passwords.hash(password2);
    await this.#write(updated);
    return updated;
  }
  async delete(user) {
    await this.#write(user, true);
  }
  /**
   * Creates the first admin (`admin`) when there are no users: with ADMIN_PASSWORD, or with a
   * generated password that is returned so the caller can print it once.
   */
  async ensureFirstAdmin(adminPassword) {
    if (await this.count() > 0) return { created: false };
    const password2 = adminPassword ?? randomBytes2(12).toString("base64url");
    await this.create("admin", password2, "admin");
    return adminPassword ? { created: true } : { created: true, generatedPassword: password2 };
  }
};

// collector/src/storage/client.ts
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "@clickhouse/client";
import { createChdbConnection } from "chdb/connection";
var settings = { output_format_json_quote_64bit_integers: 0, date_time_output_format: "iso" };
async function rows(db2, query, params = {}) {
  const result = await db2.query({ query, query_params: params, format: "JSONEachRow" });
  return result.json();
}
async function openStorage(config2) {
  if (!config2.clickhouse) {
    const path = join(config2.dataDir, "clickhouse");
    mkdirSync(path, { recursive: true });
    const connection = createChdbConnection({ path });
    return createClient({ connection, clickhouse_settings: settings });
  }
  const { url, user, password: password2, database } = config2.clickhouse;
  const bootstrap = createClient({ url, username: user, password: password2 });
  try {
    await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  } finally {
    await bootstrap.close();
  }
  return createClient({ url, username: user, password: password2, database, clickhouse_settings: settings });
}

// collector/src/storage/visit-rollup-tables.ts
var pageStatsDimensions = { path: "url_path", title: "page_title", referrer: "referrer_domain" };
var dimensionNames = `[${Object.keys(pageStatsDimensions).map((name2) => `'${name2}'`).join(", ")}]`;
var dimensionValues = `[${Object.values(pageStatsDimensions).join(", ")}]`;
var visitRollupTables = ["daily_exits", "daily_exit_visits", "daily_page_stats", "daily_page_visits"];
var visitRollupTableStatements = [
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
  // Per dimension and value: the pageviews with that value, the visits with one or more (and
  // with exactly one: bounces under the filter), the seconds between their first and last such
  // pageview, and their visitors, as stats filtered on that value count them.
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
  ORDER BY (website_id, dimension, value, day, build)`
];
var visits = `SELECT website_id, visit_id, any(session_id) AS session_id, argMax(url_path, created_at) AS path,
    toDate(min(created_at)) AS first_day, toDate(max(created_at)) AS last_day
  FROM website_event
  WHERE event_type = 1 AND created_at >= fromUnixTimestamp64Milli({scanFrom:Int64}) AND created_at < fromUnixTimestamp64Milli({scanTo:Int64})
  GROUP BY website_id, visit_id`;
var inSpan = `event_type = 1 AND created_at >= fromUnixTimestamp64Milli({from:Int64}) AND created_at < fromUnixTimestamp64Milli({to:Int64})`;
var firstDayInSpan = `first_day >= toDate(fromUnixTimestamp64Milli({from:Int64})) AND first_day < toDate(fromUnixTimestamp64Milli({to:Int64}))`;
var crossing = `(website_id, visit_id) IN (SELECT website_id, visit_id FROM (${visits}) WHERE first_day != last_day)`;
var buildInserts = [
  `INSERT INTO daily_exits
    SELECT website_id, first_day AS day, {build:UInt64}, path, uniqCombinedState(12)(session_id)
    FROM (${visits}) WHERE first_day = last_day AND ${firstDayInSpan}
    GROUP BY website_id, day, path`,
  `INSERT INTO daily_exit_visits
    SELECT website_id, toDate(created_at) AS day, {build:UInt64}, visit_id, any(session_id), argMax(url_path, created_at), max(created_at)
    FROM website_event WHERE ${inSpan} AND ${crossing}
    GROUP BY website_id, day, visit_id`,
  `INSERT INTO daily_page_stats
    SELECT website_id, day, {build:UInt64}, dimension, value, sum(views), count(), countIf(views = 1), sum(last_second - first_second),
      uniqCombinedState(17)(session_id)
    FROM (
      SELECT website_id, cityHash64(visit_id) AS visit, dimension, value, any(session_id) AS session_id, count() AS views,
        toDate(min(created_at)) AS day, min(toUInt32(created_at)) AS first_second, max(toUInt32(created_at)) AS last_second
      FROM website_event ARRAY JOIN ${dimensionNames} AS dimension, ${dimensionValues} AS value
      WHERE ${inSpan} AND NOT ${crossing}
      GROUP BY website_id, visit, dimension, value
    )
    GROUP BY website_id, day, dimension, value`,
  `INSERT INTO daily_page_visits
    SELECT website_id, toDate(created_at) AS day, {build:UInt64}, dimension, value, visit_id, any(session_id), count(),
      min(toUInt32(created_at)), max(toUInt32(created_at))
    FROM website_event ARRAY JOIN ${dimensionNames} AS dimension, ${dimensionValues} AS value
    WHERE ${inSpan} AND ${crossing}
    GROUP BY website_id, day, dimension, value, visit_id`
];

// collector/src/storage/visit-rollups.ts
var dayMs = 864e5;
var hourMs = 36e5;
var insertSettleMs = 6e4;
var supersededGraceMs = 10 * 6e4;
var maxDaysPerBuild = 7;
var visitRollupStatements = [
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
  ...visitRollupTableStatements,
  "DROP VIEW IF EXISTS event_hours_view",
  "TRUNCATE TABLE event_hours",
  // Events stored before this migration count as inserted long ago: nothing is in flight while
  // migrations run, so they can be built at once.
  `INSERT INTO event_hours SELECT website_id, toStartOfHour(created_at) AS hour, toDateTime64(0, 3, 'UTC')
    FROM website_event GROUP BY website_id, hour`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS event_hours_view TO event_hours AS
    SELECT website_id, toStartOfHour(created_at) AS hour, max(now64(3, 'UTC')) AS inserted_at
    FROM website_event GROUP BY website_id, hour`
];
var buildId = (cutoff) => cutoff * 1e3 + Math.floor(Math.random() * 1e3);
var cutoffOf = (build) => Math.floor(build / 1e3);
var isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
async function dayStates(db2, websiteId3, fromMs, toMs) {
  const found = await rows(
    db2,
    `SELECT toUnixTimestamp(toDateTime(day, 'UTC')) * 1000 AS dayStart, max(built) AS newest, max(inserted) AS lastInsert, max(seen) AS hasEvents FROM (
        SELECT day, max(build) AS built, toInt64(0) AS inserted, toUInt8(0) AS seen FROM rollup_builds
        WHERE day >= toDate(fromUnixTimestamp64Milli({fromMs:Int64})) AND day < toDate(fromUnixTimestamp64Milli({toMs:Int64}))
        GROUP BY day
        UNION ALL
        SELECT arrayJoin([toDate(hour - INTERVAL 1 HOUR), toDate(hour), toDate(hour + INTERVAL 1 HOUR)]) AS day, toUInt64(0),
          toUnixTimestamp64Milli(max(inserted_at)), toUInt8(1)
        FROM event_hours
        WHERE ${websiteId3 ? "website_id = {websiteId:UUID} AND " : ""}hour >= toDateTime({hoursFrom:UInt32}, 'UTC')
          AND hour < toDateTime({hoursTo:UInt32}, 'UTC')
        GROUP BY day
      )
      WHERE day >= toDate(fromUnixTimestamp64Milli({fromMs:Int64})) AND day < toDate(fromUnixTimestamp64Milli({toMs:Int64}))
      GROUP BY day`,
    { websiteId: websiteId3, fromMs, toMs, hoursFrom: Math.floor(Math.max(0, fromMs - hourMs) / 1e3), hoursTo: Math.ceil((toMs + hourMs) / 1e3) }
  );
  return new Map(found.map(({ dayStart, ...state }) => [dayStart, state]));
}
async function validBuilds(db2, websiteId3, wholeStart, wholeEnd) {
  const valid = /* @__PURE__ */ new Map();
  for (const [day2, { newest, lastInsert }] of await dayStates(db2, websiteId3, wholeStart, wholeEnd)) {
    if (newest > 0 && lastInsert < cutoffOf(newest)) valid.set(day2, newest);
  }
  return valid;
}
async function markWebsiteChanged(db2, websiteId3) {
  await db2.command({
    query: `INSERT INTO event_hours SELECT website_id, hour, now64(3, 'UTC') FROM event_hours
      WHERE website_id = {websiteId:UUID} GROUP BY website_id, hour`,
    query_params: { websiteId: websiteId3 }
  });
}
var VisitRollups = class {
  #db;
  #timer = null;
  #running = Promise.resolve();
  #stopped = false;
  #settleMs;
  /** `settleMs`: the settle time of the scheduled runs (see runOnce). */
  constructor(db2, { settleMs = insertSettleMs } = {}) {
    this.#db = db2;
    this.#settleMs = settleMs;
  }
  /** Runs now and then every `intervalMs` until stop(); errors are reported and retried next time. */
  start(intervalMs, onError) {
    const tick = () => {
      this.#running = this.runOnce({ settleMs: this.#settleMs }).catch(onError);
      void this.#running.then(() => {
        if (!this.#stopped) this.#timer = setTimeout(tick, intervalMs).unref();
      });
    };
    this.#timer = setTimeout(tick, 0).unref();
  }
  /** Stops the timer and waits for a run in progress (it stops between builds). */
  async stop() {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }
  /**
   * One run. `settleMs`: how long before `now` an insert must have chosen its time to be sure it
   * is readable (0 when the caller knows nothing is being inserted, as the seed command does).
   * `now` defaults to the database's clock, which also timed the inserts.
   */
  async runOnce(options = {}) {
    const now = options.now ?? (await rows(this.#db, "SELECT toUnixTimestamp64Milli(now64(3)) AS now"))[0].now;
    const cutoff = now - (options.settleMs ?? insertSettleMs);
    const days = await dayStates(this.#db, null, 0, cutoff + dayMs);
    const toBuild = [...days].filter(([day2, { newest, lastInsert, hasEvents }]) => {
      const over = hasEvents === 1 && day2 + dayMs + hourMs <= cutoff && lastInsert < cutoff;
      return over && (newest === 0 || lastInsert >= cutoffOf(newest));
    }).map(([day2]) => day2).sort((a, b) => a - b);
    let built = 0;
    for (const span of contiguousSpans(toBuild, maxDaysPerBuild)) {
      if (this.#stopped) break;
      await this.#build(span[0], span[span.length - 1] + dayMs, buildId(cutoff));
      built += span.length;
    }
    return { built, deletedBuilds: await this.#deleteSuperseded(now) };
  }
  /** Builds the days in [from, to) (Unix ms, day-aligned) under `build`, then records it. */
  async #build(from, to, build) {
    const params = { from, to, build, scanFrom: from - dayMs, scanTo: to + dayMs };
    for (const insert of buildInserts) await this.#db.command({ query: insert, query_params: params });
    const values = [];
    for (let day2 = from; day2 < to; day2 += dayMs) values.push({ day: isoDay(day2), build });
    await this.#db.insert({ table: "rollup_builds", values, format: "JSONEachRow" });
  }
  /**
   * Deletes the rows of builds replaced (or never recorded: a build interrupted half-way) more
   * than the grace time ago, so queries that chose a build just before still find its rows.
   */
  async #deleteSuperseded(now) {
    const params = { before: buildId(now - supersededGraceMs - insertSettleMs) };
    const staleIn = (table) => `SELECT DISTINCT day, build FROM ${table}
        WHERE build < {before:UInt64} AND (day, build) NOT IN (SELECT day, max(build) FROM rollup_builds GROUP BY day)`;
    const stale = await rows(
      this.#db,
      ["rollup_builds", ...visitRollupTables].map(staleIn).join(" UNION DISTINCT "),
      params
    );
    if (stale.length === 0) return 0;
    const pairs = { days: stale.map((row) => row.day), builds: stale.map((row) => row.build) };
    for (const table of [...visitRollupTables, "rollup_builds"]) {
      await this.#db.command({
        query: `DELETE FROM ${table} WHERE (day, build) IN arrayZip({days:Array(Date)}, {builds:Array(UInt64)})`,
        query_params: pairs
      });
    }
    return stale.length;
  }
};
function contiguousSpans(days, max) {
  const spans = [];
  for (const day2 of days) {
    const last = spans[spans.length - 1];
    if (last && last.length < max && last[last.length - 1] + dayMs === day2) last.push(day2);
    else spans.push([day2]);
  }
  return spans;
}

// collector/src/storage/rollups.ts
var rankingVisitorsState = "uniqCombinedState(12)(session_id)";
var headlineVisitorsState = "uniqCombinedState(17)(session_id)";
var rolledUpMetrics = {
  path: "url_path",
  title: "page_title",
  query: "url_query",
  referrer: "if(referrer_domain = hostname, '', referrer_domain)",
  browser: "toString(browser)",
  os: "toString(os)",
  device: "toString(device)",
  screen: "toString(screen)",
  language: "toString(language)",
  country: "toString(country)",
  region: "toString(region)",
  city: "city",
  hostname: "toString(hostname)",
  tag: "toString(tag)",
  utmSource: "utm_source",
  utmMedium: "utm_medium",
  utmCampaign: "utm_campaign",
  utmContent: "utm_content",
  utmTerm: "utm_term",
  // A visit's first pageview, as ingest marks it.
  entry: "if(visit_pageview = 1, url_path, '')"
};
var metricNames = Object.keys(rolledUpMetrics);
var metricValues = Object.values(rolledUpMetrics);
var dailyMetricsSelect = `SELECT website_id, toDate(created_at) AS day, metric, value, ${rankingVisitorsState} AS visitors
  FROM website_event
  ARRAY JOIN [${metricNames.map((name2) => `'${name2}'`).join(", ")}] AS metric, [${metricValues.join(", ")}] AS value
  WHERE event_type = 1
  GROUP BY website_id, day, metric, value`;
var statsDimensions = ["country", "browser", "os", "device", "language", "region", "city"];
var dailyStatsSelect = `SELECT website_id, toDate(created_at) AS day, toDate(visit_start) AS start_day, dimension, value,
    count() AS pageviews, countIf(visit_pageview = 1) AS visits, countIf(visit_pageview = 2) AS second_views,
    sumIf(toUInt64(visit_gap_ms), visit_pageview >= 2) AS gap_ms, ${headlineVisitorsState} AS visitors
  FROM website_event
  ARRAY JOIN ['', ${statsDimensions.map((d) => `'${d}'`).join(", ")}] AS dimension,
    ['', ${statsDimensions.map((d) => `toString(${d})`).join(", ")}] AS value
  WHERE event_type = 1
  GROUP BY website_id, day, start_day, dimension, value`;
var hourlyPageviewsSelect = `SELECT website_id, toStartOfHour(created_at) AS hour, count() AS views, ${rankingVisitorsState} AS visitors
  FROM website_event
  WHERE event_type = 1
  GROUP BY website_id, hour`;
var dailyEventDataSelect = `SELECT website_id, toDate(created_at) AS day, event_name, kv.1 AS property, kv.2 AS value, count() AS total
  FROM website_event
  ARRAY JOIN JSONExtractKeysAndValuesRaw(event_data) AS kv
  WHERE event_type = 2 AND event_data != ''
  GROUP BY website_id, day, event_name, property, value`;
var websiteDataTables = [
  "website_event",
  "session_data",
  "daily_metrics",
  "daily_stats",
  "daily_event_data",
  "hourly_pageviews",
  "daily_exits",
  "daily_exit_visits",
  "daily_page_stats",
  "daily_page_visits"
];
var rollupStatements = [
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
  "DROP VIEW IF EXISTS daily_metrics_view",
  "DROP VIEW IF EXISTS daily_stats_view",
  "DROP VIEW IF EXISTS daily_event_data_view",
  "DROP VIEW IF EXISTS hourly_pageviews_view",
  "TRUNCATE TABLE daily_metrics",
  "TRUNCATE TABLE daily_stats",
  "TRUNCATE TABLE daily_event_data",
  "TRUNCATE TABLE hourly_pageviews",
  `INSERT INTO daily_metrics ${dailyMetricsSelect}`,
  `INSERT INTO daily_stats ${dailyStatsSelect}`,
  `INSERT INTO daily_event_data ${dailyEventDataSelect}`,
  `INSERT INTO hourly_pageviews ${hourlyPageviewsSelect}`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS daily_metrics_view TO daily_metrics AS ${dailyMetricsSelect}`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS daily_stats_view TO daily_stats AS ${dailyStatsSelect}`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS daily_event_data_view TO daily_event_data AS ${dailyEventDataSelect}`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS hourly_pageviews_view TO hourly_pageviews AS ${hourlyPageviewsSelect}`
];

// collector/src/storage/migrations.ts
var migrations = [
  {
    version: 1,
    name: "events and metadata",
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
      TTL toDateTime(expires_at) + INTERVAL 1 DAY`
    ]
  },
  {
    version: 2,
    name: "api keys and two-factor sign-in",
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
      `ALTER TABLE users ADD COLUMN IF NOT EXISTS totp_enabled UInt8 DEFAULT 0`
    ]
  },
  {
    version: 3,
    name: "website reset time",
    statements: [`ALTER TABLE websites ADD COLUMN IF NOT EXISTS reset_at Nullable(DateTime64(3, 'UTC'))`]
  },
  {
    version: 4,
    name: "visit position of each pageview",
    statements: [
      // Written at ingest from the collector's visit state, so visits, bounces, time and entry
      // pages are single-pass reads instead of a GROUP BY over every visit.
      `ALTER TABLE website_event ADD COLUMN IF NOT EXISTS visit_pageview UInt32 DEFAULT 0`,
      `ALTER TABLE website_event ADD COLUMN IF NOT EXISTS visit_gap_ms UInt32 DEFAULT 0`,
      `ALTER TABLE website_event ADD COLUMN IF NOT EXISTS visit_start DateTime64(3, 'UTC') DEFAULT created_at`
    ]
  },
  {
    version: 5,
    name: "daily rollups for the read API",
    statements: rollupStatements
  },
  {
    version: 6,
    name: "session_id bloom filter",
    statements: [
      // Lets a query for a few sessions (a page of the sessions list) skip the granules holding none of them.
      "ALTER TABLE website_event ADD INDEX IF NOT EXISTS session_bloom session_id TYPE bloom_filter(0.01) GRANULARITY 1",
      // Builds it for the parts already stored, in the background.
      "ALTER TABLE website_event MATERIALIZE INDEX session_bloom"
    ]
  },
  {
    version: 7,
    name: "visit rollups built by a job (exit pages, stats on one page)",
    statements: visitRollupStatements
  },
  {
    version: 8,
    name: "when each API key was last used",
    statements: [
      `CREATE TABLE IF NOT EXISTS api_key_uses (
        key_id UUID,
        used_at DateTime64(3, 'UTC')
      ) ENGINE = ReplacingMergeTree(used_at)
      ORDER BY key_id`
    ]
  },
  {
    version: 9,
    name: "spent two-factor codes and partial tokens, shared by restarts and collectors",
    statements: [
      `CREATE TABLE IF NOT EXISTS two_factor_spent (
        kind LowCardinality(String),
        key String,
        value UInt64,
        at DateTime64(3, 'UTC')
      ) ENGINE = ReplacingMergeTree(value)
      ORDER BY (kind, key)
      TTL toDateTime(at) + INTERVAL 1 DAY`
    ]
  },
  {
    version: 10,
    name: "teams, as in Umami",
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
      `ALTER TABLE websites ADD COLUMN IF NOT EXISTS team_id Nullable(UUID)`
    ]
  },
  {
    version: 11,
    name: "API keys bound to the session that made them",
    statements: [`ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS session_hash String DEFAULT ''`]
  },
  {
    version: 12,
    name: "websites' share links",
    statements: [`ALTER TABLE websites ADD COLUMN IF NOT EXISTS share_id Nullable(String)`]
  }
];

// collector/src/storage/migrate.ts
async function migrate(db2, migrations2 = migrations) {
  await db2.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations (
      version UInt32, name String, applied_at DateTime64(3, 'UTC')
    ) ENGINE = ReplacingMergeTree ORDER BY version`
  });
  const result = await db2.query({ query: "SELECT max(version) AS v FROM schema_migrations", format: "JSONEachRow" });
  const [row] = await result.json();
  const current = row?.v ?? 0;
  const applied = [];
  for (const migration of [...migrations2].sort((a, b) => a.version - b.version)) {
    if (migration.version <= current) continue;
    for (const statement of migration.statements) await db2.command({ query: statement });
    await db2.insert({
      table: "schema_migrations",
      values: [{ version: migration.version, name: migration.name, applied_at: Date.now() }],
      format: "JSONEachRow"
    });
    applied.push(migration.version);
  }
  return applied;
}

// collector/src/app.ts
import Fastify, { LogController } from "fastify";

// collector/src/api/whole-days.ts
var dayMs2 = 864e5;
function wholeDaysOf({ startAt, endAt }) {
  const wholeStart = Math.ceil(startAt / dayMs2) * dayMs2;
  const wholeEnd = Math.floor((endAt + 1) / dayMs2) * dayMs2;
  if (wholeEnd <= wholeStart) return null;
  const day2 = (ms) => new Date(ms).toISOString().slice(0, 10);
  return { fromDay: day2(wholeStart), toDay: day2(wholeEnd - dayMs2), wholeStart, wholeEnd };
}
var hourMs2 = 36e5;
function wholeHoursOf({ startAt, endAt }) {
  const wholeStart = Math.ceil(startAt / hourMs2) * hourMs2;
  const wholeEnd = Math.floor((endAt + 1) / hourMs2) * hourMs2;
  return wholeEnd > wholeStart ? { wholeStart, wholeEnd } : null;
}
function wholeHourOffsets(timezone2, { startAt, endAt }) {
  const format = new Intl.DateTimeFormat("en-US", { timeZone: timezone2, timeZoneName: "longOffset" });
  const offsetIsWholeHours = (ms) => {
    const name2 = format.formatToParts(ms).find((part) => part.type === "timeZoneName")?.value ?? "";
    const minutes = /GMT[+-]\d{2}:(\d{2})/.exec(name2)?.[1] ?? "00";
    return minutes === "00";
  };
  for (let at = startAt; at < endAt; at += dayMs2) if (!offsetIsWholeHours(at)) return false;
  return offsetIsWholeHours(endAt);
}
var inPartialEnds = `((created_at >= fromUnixTimestamp64Milli({startAt:Int64}) AND created_at < fromUnixTimestamp64Milli({wholeStart:Int64}))
    OR (created_at >= fromUnixTimestamp64Milli({wholeEnd:Int64}) AND created_at <= fromUnixTimestamp64Milli({endAt:Int64})))`;
var inWholeDays = `website_id = {websiteId:UUID} AND day BETWEEN {fromDay:Date} AND {toDay:Date}`;

// collector/src/api/built-days.ts
var dayMs3 = 864e5;
function buildsLookupFor(db2, websiteId3, ranges) {
  let all = null;
  return () => {
    all ??= (() => {
      const days = ranges.map(wholeDaysOf).filter((d) => d !== null);
      if (days.length === 0) return Promise.resolve(/* @__PURE__ */ new Map());
      return validBuilds(db2, websiteId3, Math.min(...days.map((d) => d.wholeStart)), Math.max(...days.map((d) => d.wholeEnd)));
    })();
    return all;
  };
}
async function builtDaysOf(db2, scope, lookup = (wholeStart, wholeEnd) => validBuilds(db2, scope.websiteId, wholeStart, wholeEnd)) {
  const days = wholeDaysOf(scope);
  if (!days) return null;
  const builds = new Map([...await lookup(days.wholeStart, days.wholeEnd)].filter(([day2]) => day2 >= days.wholeStart && day2 < days.wholeEnd));
  if (builds.size === 0) return null;
  const rest = [];
  let from = scope.startAt;
  for (const day2 of [...builds.keys()].sort((a, b) => a - b)) {
    if (day2 > from) rest.push([from, day2]);
    from = day2 + dayMs3;
  }
  if (scope.endAt + 1 > from) rest.push([from, scope.endAt + 1]);
  const inRest = rest.length ? `(${rest.map((_, i) => `(created_at >= fromUnixTimestamp64Milli({rest${i}From:Int64}) AND created_at < fromUnixTimestamp64Milli({rest${i}To:Int64}))`).join(" OR ")})` : "0";
  return {
    built: `website_id = {websiteId:UUID} AND day BETWEEN {fromDay:Date} AND {toDay:Date}
      AND (day, build) IN arrayZip({builtDays:Array(Date)}, {builds:Array(UInt64)})`,
    inRest,
    params: {
      ...days,
      ...Object.fromEntries(rest.flatMap(([a, b], i) => [[`rest${i}From`, a], [`rest${i}To`, b]])),
      builtDays: [...builds.keys()].map(isoDay),
      builds: [...builds.values()]
    }
  };
}

// collector/src/ingest/event-row.ts
import { randomUUID as randomUUID2 } from "node:crypto";

// collector/src/ingest/user-agent.ts
import { UAParser } from "ua-parser-js";
import { isbot } from "isbot";
var browserNames = {
  "Chrome": "chrome",
  "Chrome Headless": "chrome",
  "Chrome WebView": "chromium-webview",
  "Mobile Chrome": "crios",
  "Chromium": "chrome",
  "Edge": "edge-chromium",
  "Firefox": "firefox",
  "Mobile Firefox": "fxios",
  "Safari": "safari",
  "Mobile Safari": "ios",
  "Samsung Browser": "samsung",
  "Opera": "opera",
  "Opera Mini": "opera-mini",
  "Yandex": "yandexbrowser",
  "Facebook": "facebook",
  "Instagram": "instagram",
  "IE": "ie",
  "Android Browser": "android"
};
function osName(name2, version) {
  switch (name2) {
    case void 0:
      return "";
    case "Windows":
      return version ? `Windows ${version}` : "Windows";
    case "Mac OS":
    case "macOS":
      return "Mac OS";
    case "Android":
      return "Android OS";
    case "Chromium OS":
      return "Chrome OS";
    default:
      return name2;
  }
}
function parse(userAgent) {
  const result = new UAParser(userAgent).getResult();
  const name2 = result.browser.name;
  return {
    bot: isbot(userAgent),
    browser: name2 ? browserNames[name2] ?? name2.toLowerCase().replace(/\s+/g, "-") : "",
    os: osName(result.os.name, result.os.version),
    deviceType: result.device.type ?? ""
  };
}
var cacheLimit = 1e4;
var cache = /* @__PURE__ */ new Map();
function describeAgent(userAgent) {
  let info = cache.get(userAgent);
  if (info === void 0) {
    info = parse(userAgent);
    if (cache.size >= cacheLimit) cache.clear();
    cache.set(userAgent, info);
  }
  return info;
}
var desktopOs = /* @__PURE__ */ new Set(["Windows", "Mac OS", "Linux", "Ubuntu", "Chrome OS", "Fedora", "Debian"]);
function deviceOf(info, screen) {
  if (info.deviceType === "mobile" || info.deviceType === "tablet") return info.deviceType;
  const width = Number.parseInt(screen, 10);
  const osFamily = info.os.startsWith("Windows") ? "Windows" : info.os;
  if (desktopOs.has(osFamily)) {
    return osFamily === "Chrome OS" || width > 0 && width < 1920 ? "laptop" : "desktop";
  }
  if (!(width > 0)) return info.deviceType || "";
  if (width >= 1920) return "desktop";
  if (width >= 1024) return "laptop";
  if (width >= 480) return "tablet";
  return "mobile";
}

// collector/src/ingest/page-location.ts
var maxStored = 500;
function cutToStoredLength(value) {
  if (value.length <= maxStored) return value;
  const lastKept = value.charCodeAt(maxStored - 1);
  return value.slice(0, lastKept >= 55296 && lastKept <= 56319 ? maxStored - 1 : maxStored);
}
function safeDecode(value, decode = decodeURI) {
  if (!value.includes("%")) return value;
  try {
    return decode(value);
  } catch {
    return value;
  }
}
function parseUrl(value, base) {
  try {
    return new URL(value, base);
  } catch {
    return null;
  }
}
var cacheLimit2 = 1e4;
var cache2 = /* @__PURE__ */ new Map();
function splitLocation(url, referrer, hostname) {
  const key = `${hostname}
${url}
${referrer}`;
  let location = cache2.get(key);
  if (location === void 0) {
    location = parseLocation(url, referrer, hostname);
    if (cache2.size >= cacheLimit2) cache2.clear();
    cache2.set(key, location);
  }
  return location;
}
function parseLocation(url, referrer, hostname) {
  const page = parseUrl(url || "/", `https://${hostname || "localhost"}`);
  const params = page?.searchParams;
  const from = referrer ? parseUrl(referrer, "invalid:/") : null;
  const fromWeb = from && (from.protocol === "http:" || from.protocol === "https:") ? from : null;
  return {
    urlPath: cutToStoredLength(safeDecode(page ? page.pathname : url.split(/[?#]/)[0] ?? "")),
    urlQuery: cutToStoredLength(page ? page.search.slice(1) : ""),
    referrerDomain: fromWeb ? fromWeb.hostname.replace(/^www\./, "") : "",
    referrerPath: fromWeb ? cutToStoredLength(safeDecode(fromWeb.pathname)) : "",
    referrerQuery: fromWeb ? cutToStoredLength(fromWeb.search.slice(1)) : "",
    utm: {
      source: cutToStoredLength(params?.get("utm_source") ?? ""),
      medium: cutToStoredLength(params?.get("utm_medium") ?? ""),
      campaign: cutToStoredLength(params?.get("utm_campaign") ?? ""),
      content: cutToStoredLength(params?.get("utm_content") ?? ""),
      term: cutToStoredLength(params?.get("utm_term") ?? "")
    }
  };
}

// collector/src/ingest/clean-text.ts
var unsafeCharacter = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
var unsafeCharacters = new RegExp(unsafeCharacter.source, "g");
function cleanText(value) {
  return unsafeCharacter.test(value) ? value.replace(unsafeCharacters, "\uFFFD") : value;
}
function cleanJson(value) {
  if (typeof value === "string") return cleanText(value);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(cleanJson);
  const cleaned = /* @__PURE__ */ Object.create(null);
  for (const [key, child] of Object.entries(value)) cleaned[cleanText(key)] = cleanJson(child);
  return cleaned;
}
function cleanStrings(row) {
  const fields = row;
  for (const key in fields) {
    const value = fields[key];
    if (typeof value === "string") fields[key] = cleanText(value);
  }
  return row;
}

// collector/src/ingest/event-row.ts
var eventType = { pageview: 1, custom: 2 };
function buildEventRow(payload, ids, agent, place, now) {
  const hostname = payload.hostname ?? "";
  const screen = payload.screen ?? "";
  const location = splitLocation(payload.url ?? "", payload.referrer ?? "", hostname);
  const name2 = payload.name ?? "";
  return cleanStrings({
    website_id: payload.website,
    session_id: ids.sessionId,
    visit_id: ids.visitId,
    event_id: randomUUID2(),
    created_at: now,
    event_type: name2 ? eventType.custom : eventType.pageview,
    event_name: name2,
    hostname,
    url_path: location.urlPath,
    url_query: location.urlQuery,
    // Umami's trackers up to v2.10 send the title through encodeURIComponent; Umami decodes it too.
    page_title: cutToStoredLength(safeDecode(payload.title ?? "", decodeURIComponent)),
    referrer_domain: location.referrerDomain,
    referrer_path: location.referrerPath,
    referrer_query: location.referrerQuery,
    utm_source: location.utm.source,
    utm_medium: location.utm.medium,
    utm_campaign: location.utm.campaign,
    utm_content: location.utm.content,
    utm_term: location.utm.term,
    browser: agent.browser,
    os: agent.os,
    device: deviceOf(agent, screen),
    screen,
    language: payload.language ?? "",
    country: place.country,
    region: place.region,
    city: place.city,
    tag: payload.tag ?? "",
    event_data: payload.data ? JSON.stringify(cleanJson(payload.data)) : "",
    visit_pageview: ids.pageview.index,
    visit_gap_ms: Math.min(ids.pageview.gapMs, 4294967295),
    visit_start: ids.pageview.visitStart
  });
}
function buildSessionDataRow(payload, sessionId, now) {
  return cleanStrings({
    website_id: payload.website,
    session_id: sessionId,
    distinct_id: payload.id ?? "",
    data: payload.data ? JSON.stringify(cleanJson(payload.data)) : "",
    created_at: now
  });
}

// collector/src/api/exit-query.ts
async function exitsFromRollup(db2, scope, having, page, params) {
  const days = await builtDaysOf(db2, scope);
  if (!days) return null;
  return rows(
    db2,
    `SELECT x, uniqCombinedMerge(12)(v) AS y FROM (
        SELECT path AS x, visitors AS v FROM daily_exits WHERE ${days.built}
        UNION ALL
        SELECT x, ${rankingVisitorsState} AS v FROM (
          SELECT visit, any(session) AS session_id, argMax(page, at) AS x FROM (
            SELECT ${visitKey} AS visit, session_id AS session, path AS page, last_at AS at FROM daily_exit_visits WHERE ${days.built}
            UNION ALL
            SELECT ${visitKey}, session_id, url_path, created_at FROM website_event
            WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.pageview} AND ${days.inRest}
          ) GROUP BY visit
        ) GROUP BY x
      ) GROUP BY x${having} ${page}`,
    { ...scopeParams(scope), ...params, ...days.params }
  );
}

// collector/src/api/page-stats-query.ts
async function pageStatsFromRollup(db2, scope, builds) {
  const filter = scope.filter.pageStatsRollup;
  if (!filter) return null;
  const days = await builtDaysOf(db2, scope, builds);
  if (!days) return null;
  const value = `dimension = {dimension:String} AND value = {dimensionValue:String}`;
  const [row] = await rows(
    db2,
    `SELECT toUInt64(sum(p)) AS pageviews, uniqCombinedMerge(17)(u) AS visitors, toUInt64(sum(v)) AS visits,
        toUInt64(sum(b)) AS bounces, toUInt64(sum(s)) AS totaltime
      FROM (
        SELECT pageviews AS p, visits AS v, bounces AS b, seconds AS s, visitors AS u FROM daily_page_stats WHERE ${days.built} AND ${value}
        UNION ALL
        SELECT sum(views), count(), countIf(views = 1), toUInt64(sum(last - first)), uniqCombinedState(17)(session) FROM (
          SELECT visit, any(session_id) AS session, sum(n) AS views, min(first_second) AS first, max(last_second) AS last FROM (
            SELECT ${visitKey} AS visit, session_id, pageviews AS n, first_second, last_second FROM daily_page_visits WHERE ${days.built} AND ${value}
            UNION ALL
            SELECT ${visitKey}, session_id, 1, toUInt32(created_at), toUInt32(created_at) FROM website_event
            WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.pageview} AND ${days.inRest}${scope.filter.sql}
          ) GROUP BY visit
        )
      )`,
    { ...scopeParams(scope), ...days.params, dimension: filter.dimension, dimensionValue: filter.value }
  );
  return row ?? null;
}

// collector/src/api/analytics-queries.ts
var visitorsApprox = "uniqCombined(12)(session_id)";
var visitKey = "cityHash64(visit_id)";
var scopeParams = (scope) => ({ websiteId: scope.websiteId, startAt: scope.startAt, endAt: scope.endAt, ...scope.filter.params });
var inRange = "created_at BETWEEN fromUnixTimestamp64Milli({startAt:Int64}) AND fromUnixTimestamp64Milli({endAt:Int64})";
var inScope = (scope) => `website_id = {websiteId:UUID} AND ${inRange}${scope.filter.sql}`;
async function queryStats(db2, scope, { rollups = true, builds } = {}) {
  const fromPages = rollups ? await pageStatsFromRollup(db2, scope, builds) : null;
  if (fromPages) return fromPages;
  const key = rollups ? scope.filter.statsRollup : null;
  const days = key ? wholeDaysOf(scope) : null;
  const [row] = await rows(
    db2,
    key && days ? statsFromRollup(scope) : scope.filter.wholeVisits ? statsInOnePass(scope) : statsByVisit(scope),
    key && days ? { ...scopeParams(scope), ...days, dimension: key.dimension, dimensionValue: key.value } : scopeParams(scope)
  );
  return row ?? { pageviews: 0, visitors: 0, visits: 0, bounces: 0, totaltime: 0 };
}
var rangeStart = "fromUnixTimestamp64Milli({startAt:Int64})";
var statsInOnePass = (scope) => `SELECT countIf(event_type = ${eventType.pageview}) AS pageviews,
    uniqCombinedIf(17)(session_id, event_type = ${eventType.pageview}) AS visitors,
    countIf(visit_pageview = 1) AS visits,
    visits - countIf(visit_pageview = 2 AND visit_start >= ${rangeStart}) AS bounces,
    intDiv(sumIf(visit_gap_ms, visit_pageview >= 2 AND visit_start >= ${rangeStart}), 1000) AS totaltime
  FROM website_event WHERE ${inScope(scope)}`;
var statsByVisit = (scope) => `SELECT toUInt64(sum(views)) AS pageviews, uniqCombined(17)(session) AS visitors,
    count() AS visits, countIf(views = 1) AS bounces, toUInt64(sum(seconds)) AS totaltime
  FROM (
    SELECT ${visitKey} AS visit, any(session_id) AS session, count() AS views, max(toUInt32(created_at)) - min(toUInt32(created_at)) AS seconds
    FROM website_event WHERE ${inScope(scope)} AND event_type = ${eventType.pageview}
    GROUP BY visit
  )`;
var statsFromRollup = (scope) => `SELECT toUInt64(sum(p)) AS pageviews, uniqCombinedMerge(17)(u) AS visitors, toUInt64(sum(v)) AS visits,
    visits - toUInt64(sum(s)) AS bounces, intDiv(toUInt64(sum(g)), 1000) AS totaltime
  FROM (
    SELECT toUInt64(pageviews) AS p, toUInt64(visits) AS v,
      if(start_day >= {fromDay:Date}, toUInt64(second_views), 0) AS s,
      if(start_day >= {fromDay:Date}, toUInt64(gap_ms), 0) AS g, visitors AS u
    FROM daily_stats WHERE ${inWholeDays} AND dimension = {dimension:String} AND value = {dimensionValue:String}
    UNION ALL
    SELECT count(), countIf(visit_pageview = 1), countIf(visit_pageview = 2 AND visit_start >= ${rangeStart}),
      sumIf(toUInt64(visit_gap_ms), visit_pageview >= 2 AND visit_start >= ${rangeStart}), ${headlineVisitorsState}
    FROM website_event WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.pageview} AND ${inPartialEnds}${scope.filter.sql}
    UNION ALL
    SELECT 0, 0, countIf(visit_pageview = 2), sum(toUInt64(visit_gap_ms)), ${headlineVisitorsState}
    FROM website_event WHERE website_id = {websiteId:UUID}
      AND created_at >= fromUnixTimestamp64Milli({wholeStart:Int64}) AND created_at < fromUnixTimestamp64Milli({wholeEnd:Int64})
      AND visit_pageview >= 2 AND visit_start >= ${rangeStart} AND visit_start < fromUnixTimestamp64Milli({wholeStart:Int64})${scope.filter.sql}
  )`;
var bucketOf = {
  minute: (c2) => `toStartOfMinute(toDateTime(${c2}, {timezone:String}))`,
  hour: (c2) => `toStartOfHour(toDateTime(${c2}, {timezone:String}))`,
  day: (c2) => `toDateTime(toStartOfDay(toDateTime(${c2}, {timezone:String})), {timezone:String})`,
  month: (c2) => `toDateTime(toStartOfMonth(toDateTime(${c2}, {timezone:String})), {timezone:String})`,
  year: (c2) => `toDateTime(toStartOfYear(toDateTime(${c2}, {timezone:String})), {timezone:String})`
};
async function queryPageviews(db2, scope, unit, timezone2, { rollups = true } = {}) {
  const bucket = bucketOf[unit];
  const hours = rollups && unit !== "minute" && scope.filter.sql === "" && wholeHourOffsets(timezone2, scope) ? wholeHoursOf(scope) : null;
  const counted = hours ? `SELECT t, toUInt64(sum(v)) AS pageviews, uniqCombinedMerge(12)(s) AS sessions FROM (
          SELECT ${bucket("hour")} AS t, toUInt64(views) AS v, visitors AS s FROM hourly_pageviews
          WHERE website_id = {websiteId:UUID}
            AND hour >= toDateTime(intDiv({wholeStart:Int64}, 1000), 'UTC') AND hour < toDateTime(intDiv({wholeEnd:Int64}, 1000), 'UTC')
          UNION ALL
          SELECT ${bucket("created_at")} AS t, count() AS v, ${rankingVisitorsState} AS s FROM website_event
          WHERE website_id = {websiteId:UUID} AND event_type = ${eventType.pageview} AND ${inPartialEnds}
          GROUP BY t
        ) GROUP BY t` : `SELECT ${bucket("created_at")} AS t, count() AS pageviews, ${visitorsApprox} AS sessions
        FROM website_event WHERE ${inScope(scope)} AND event_type = ${eventType.pageview}
        GROUP BY t`;
  const series = await rows(
    db2,
    `SELECT formatDateTime(t, '%Y-%m-%d %H:%i:%S', {timezone:String}) AS x, pageviews, sessions FROM (
        ${counted}
        ORDER BY t WITH FILL
          FROM ${bucket("fromUnixTimestamp64Milli({startAt:Int64})")}
          TO ${bucket("fromUnixTimestamp64Milli({endAt:Int64})")} + INTERVAL 1 ${unit.toUpperCase()}
          STEP INTERVAL 1 ${unit.toUpperCase()}
      )`,
    { ...scopeParams(scope), ...hours, timezone: timezone2 }
  );
  return {
    pageviews: series.map(({ x, pageviews }) => ({ x, y: pageviews })),
    sessions: series.map(({ x, sessions }) => ({ x, y: sessions }))
  };
}
var metricSources = {
  path: { x: "url_path" },
  title: { x: "page_title" },
  query: { x: "url_query", where: "url_query != ''" },
  referrer: { x: "referrer_domain", where: "referrer_domain != '' AND referrer_domain != hostname" },
  domain: { x: "referrer_domain", where: "referrer_domain != '' AND referrer_domain != hostname" },
  browser: { x: "browser" },
  os: { x: "os" },
  device: { x: "device" },
  screen: { x: "screen" },
  language: { x: "language" },
  country: { x: "country" },
  region: { x: "region" },
  city: { x: "city" },
  hostname: { x: "hostname" },
  tag: { x: "tag", where: "tag != ''" },
  utmSource: { x: "utm_source", where: "utm_source != ''" },
  utmMedium: { x: "utm_medium", where: "utm_medium != ''" },
  utmCampaign: { x: "utm_campaign", where: "utm_campaign != ''" },
  utmContent: { x: "utm_content", where: "utm_content != ''" },
  utmTerm: { x: "utm_term", where: "utm_term != ''" }
};
var metricTypes = [...Object.keys(metricSources), "entry", "exit", "event"];
var metricTypeAliases = {
  url: "path",
  host: "hostname",
  utm_source: "utmSource",
  utm_medium: "utmMedium",
  utm_campaign: "utmCampaign",
  utm_content: "utmContent",
  utm_term: "utmTerm"
};
async function queryMetric(db2, scope, type, options) {
  const params = { ...scopeParams(scope), limit: options.limit, offset: options.offset, search: options.search ?? "" };
  const search = options.search ? " HAVING positionCaseInsensitiveUTF8(x, {search:String}) > 0" : "";
  const page = `ORDER BY y DESC, x ASC LIMIT {limit:UInt32} OFFSET {offset:UInt32}`;
  if (type === "event") {
    return rows(
      db2,
      `SELECT event_name AS x, count() AS y FROM website_event
        WHERE ${inScope(scope)} AND event_type = ${eventType.custom} GROUP BY x${search} ${page}`,
      params
    );
  }
  const rolledUp = type === "domain" ? "referrer" : type in rolledUpMetrics ? type : null;
  const days = options.rollups !== false && rolledUp && scope.filter.sql === "" ? wholeDaysOf(scope) : null;
  if (rolledUp && days) {
    const source2 = rolledUp === "entry" ? { x: "url_path" } : metricSources[rolledUp];
    const some = rolledUp === "entry" || source2.where ? " AND value != ''" : "";
    const events2 = rolledUp === "entry" ? "visit_pageview = 1" : `event_type = ${eventType.pageview}${source2.where ? ` AND ${source2.where}` : ""}`;
    return rows(
      db2,
      `SELECT x, uniqCombinedMerge(12)(v) AS y FROM (
          SELECT value AS x, visitors AS v FROM daily_metrics WHERE ${inWholeDays} AND metric = {metric:String}${some}
          UNION ALL
          SELECT toString(${source2.x}) AS x, ${rankingVisitorsState} AS v FROM website_event
          WHERE website_id = {websiteId:UUID} AND ${events2} AND ${inPartialEnds} GROUP BY x
        ) GROUP BY x${search} ${page}`,
      { ...params, ...days, metric: rolledUp }
    );
  }
  if (type === "entry" && scope.filter.wholeVisits) {
    return rows(
      db2,
      `SELECT url_path AS x, ${visitorsApprox} AS y FROM website_event
        WHERE ${inScope(scope)} AND visit_pageview = 1 GROUP BY x${search} ${page}`,
      params
    );
  }
  if (type === "exit" && options.rollups !== false && scope.filter.sql === "") {
    const exits = await exitsFromRollup(db2, scope, search, page, params);
    if (exits) return exits;
  }
  if (type === "entry" || type === "exit") {
    const pick2 = type === "entry" ? "argMin" : "argMax";
    return rows(
      db2,
      `SELECT x, ${visitorsApprox} AS y FROM (
          SELECT ${visitKey} AS visit, any(session_id) AS session_id, ${pick2}(url_path, created_at) AS x
          FROM website_event WHERE ${inScope(scope)} AND event_type = ${eventType.pageview}
          GROUP BY visit
        ) GROUP BY x${search} ${page}`,
      params
    );
  }
  const source = metricSources[type];
  return rows(
    db2,
    `SELECT ${source.x} AS x, ${visitorsApprox} AS y FROM website_event
      WHERE ${inScope(scope)} AND event_type = ${eventType.pageview}${source.where ? ` AND ${source.where}` : ""}
      GROUP BY x${search} ${page}`,
    params
  );
}

// collector/src/api/date-range.ts
var units = ["minute", "hour", "day", "month", "year"];
var maxRangeMs = 10 * 366 * 24 * 36e5;
function checkRange(startAt, endAt) {
  if (endAt < startAt) throw new ApiError("badRequest", "endAt must not be before startAt");
  if (endAt - startAt > maxRangeMs) throw new ApiError("badRequest", "startAt to endAt spans more than 10 years");
  return { startAt, endAt };
}
function comparisonRange({ startAt, endAt }, compare) {
  const fromEpoch = (range2) => ({ startAt: Math.max(0, range2.startAt), endAt: Math.max(0, range2.endAt) });
  if (compare === "prev") return fromEpoch({ startAt: startAt - (endAt - startAt) - 1, endAt: startAt - 1 });
  const yearEarlier = (ms) => {
    const date = new Date(ms);
    date.setUTCFullYear(date.getUTCFullYear() - 1);
    return date.getTime();
  };
  return fromEpoch({ startAt: yearEarlier(startAt), endAt: yearEarlier(endAt) });
}
function checkTimezone(timezone2, known) {
  if (!known.has(timezone2)) throw new ApiError("badRequest", `timezone is not an IANA time zone ClickHouse knows: "${timezone2.slice(0, 64)}"`);
  return timezone2;
}
function clampUnit(unit, { startAt, endAt }) {
  const span = endAt - startAt;
  const minimum = span <= 60 * 6e4 ? "minute" : span <= 48 * 36e5 ? "hour" : span <= 92 * 24 * 36e5 ? "day" : span <= 25 * 31 * 24 * 36e5 ? "month" : "year";
  return units.indexOf(unit) >= units.indexOf(minimum) ? unit : minimum;
}

// collector/src/api/filters.ts
var filterColumns = {
  path: "url_path",
  referrer: "referrer_domain",
  title: "page_title",
  query: "url_query",
  os: "os",
  browser: "browser",
  device: "device",
  country: "country",
  region: "region",
  city: "city",
  language: "language",
  event: "event_name",
  hostname: "hostname",
  tag: "tag",
  utmSource: "utm_source",
  utmMedium: "utm_medium",
  utmCampaign: "utm_campaign",
  utmContent: "utm_content",
  utmTerm: "utm_term"
};
var filterNames = Object.keys(filterColumns);
var maxFilterLength = 500;
var operators = {
  eq: (column, param) => `${column} = ${param}`,
  neq: (column, param) => `${column} != ${param}`,
  c: (column, param, value) => `${containsFunction(value)}(${column}, ${param}) > 0`,
  dnc: (column, param, value) => `${containsFunction(value)}(${column}, ${param}) = 0`
};
var containsFunction = (value) => /^[\x20-\x7e]*$/.test(value) ? "positionCaseInsensitive" : "positionCaseInsensitiveUTF8";
var sessionLevel = new Set(statsDimensions);
function buildFilters(query) {
  const conditions = [];
  const params = {};
  let wholeVisits = true;
  let statsRollup = { dimension: "", value: "" };
  let pageStatsRollup = null;
  for (const name2 of filterNames) {
    const raw = query[name2];
    if (raw === void 0) continue;
    if (raw.length > maxFilterLength) throw new ApiError("badRequest", `${name2} is longer than ${maxFilterLength} characters`);
    const match = /^(eq|neq|c|dnc)\.(.*)$/s.exec(raw);
    const [operator, value] = match ? [match[1], match[2]] : ["eq", raw];
    const param = `filter_${name2}`;
    params[param] = value;
    if (!sessionLevel.has(name2)) wholeVisits = false;
    statsRollup = conditions.length === 0 && sessionLevel.has(name2) && operator === "eq" ? { dimension: name2, value } : null;
    pageStatsRollup = conditions.length === 0 && name2 in pageStatsDimensions && operator === "eq" ? { dimension: name2, value } : null;
    const condition = operators[operator](filterColumns[name2], `{${param}:String}`, value);
    conditions.push(
      name2 === "event" ? `visit_id IN (SELECT visit_id FROM website_event WHERE website_id = {websiteId:UUID} AND event_type = 2
            AND created_at BETWEEN fromUnixTimestamp64Milli({startAt:Int64}) AND fromUnixTimestamp64Milli({endAt:Int64}) AND ${condition})` : condition
    );
  }
  return { sql: conditions.map((c2) => ` AND ${c2}`).join(""), params, wholeVisits, statsRollup, pageStatsRollup };
}
var filterProperties = Object.fromEntries(
  filterNames.map((name2) => [name2, { type: "string", maxLength: maxFilterLength }])
);
function afterReset(filter, resetAt) {
  return {
    sql: `${filter.sql} AND created_at > fromUnixTimestamp64Milli({resetAt:Int64})`,
    params: { ...filter.params, resetAt: String(resetAt) },
    wholeVisits: false,
    statsRollup: null,
    pageStatsRollup: null
  };
}

// collector/src/api/listing-queries.ts
var pageParams = ({ page, pageSize, search }) => ({ limit: pageSize, offset: (page - 1) * pageSize, search: search ?? "" });
var recentWindowsMs = [36e5, 6 * 36e5, 864e5, 7 * 864e5];
async function queryEvents(db2, scope, paging2) {
  const search = paging2.search ? ` AND (positionCaseInsensitiveUTF8(url_path, {search:String}) > 0 OR positionCaseInsensitiveUTF8(event_name, {search:String}) > 0)` : "";
  const where = `${inScope(scope)}${search}`;
  const params = { ...scopeParams(scope), ...pageParams(paging2) };
  const [windowStart, total] = await Promise.all([
    // The shortest window holding the page, so the newest events are sorted from a few thousand rows.
    inRecentWindows(scope, async (from) => {
      if (from === scope.startAt) return from;
      const [row] = await rows(
        db2,
        `SELECT count() AS n FROM website_event WHERE ${where} AND created_at >= fromUnixTimestamp64Milli({from:Int64})`,
        { ...params, from }
      );
      return (row?.n ?? 0) >= params.offset + params.limit ? from : null;
    }),
    rows(db2, `SELECT count() AS n FROM website_event WHERE ${where}`, params)
  ]);
  const data = await rows(
    db2,
    `SELECT event_id AS id, website_id AS websiteId, session_id AS sessionId, visit_id AS visitId, created_at AS createdAt,
        hostname, url_path AS urlPath, url_query AS urlQuery, referrer_path AS referrerPath, referrer_query AS referrerQuery,
        referrer_domain AS referrerDomain, page_title AS pageTitle, event_type AS eventType, event_name AS eventName,
        browser, os, device, country, tag
      FROM website_event WHERE ${where} AND created_at >= fromUnixTimestamp64Milli({windowStart:Int64})
      ORDER BY created_at DESC LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    { ...params, windowStart }
  );
  return { data, count: total[0]?.n ?? 0, page: paging2.page, pageSize: paging2.pageSize };
}
async function inRecentWindows(scope, attempt) {
  for (const windowMs of recentWindowsMs) {
    const windowStart = scope.endAt - windowMs;
    if (windowStart <= scope.startAt) break;
    const found = await attempt(windowStart);
    if (found !== null) return found;
  }
  return await attempt(scope.startAt);
}
async function querySessions(db2, scope, paging2) {
  const params = { ...scopeParams(scope), ...pageParams(paging2) };
  const search = paging2.search ? ` AND positionCaseInsensitiveUTF8(concat(browser, ' ', os, ' ', device, ' ', country, ' ', city), {search:String}) > 0` : "";
  const where = `${inScope(scope)}${search}`;
  const wanted = params.offset + params.limit;
  const [ids, total] = await Promise.all([
    // The sessions active in the window are exactly the most recent ones, so the shortest window
    // holding the page is enough.
    inRecentWindows(scope, async (from) => {
      const found = await rows(
        db2,
        `SELECT session_id AS id FROM website_event
          WHERE ${where} AND created_at >= fromUnixTimestamp64Milli({from:Int64})
          GROUP BY session_id ORDER BY max(created_at) DESC, id LIMIT {wanted:UInt32}`,
        { ...params, from, wanted }
      );
      return found.length >= wanted || from === scope.startAt ? found.slice(params.offset).map((row) => row.id) : null;
    }),
    // The headline visitors' estimate: exact up to about ten thousand, within about 0.3% beyond.
    rows(db2, `SELECT uniqCombined(17)(session_id) AS n FROM website_event WHERE ${where}`, params)
  ]);
  const data = ids.length === 0 ? [] : await rows(
    db2,
    // The session_id bloom filter skips the granules holding none of the page's sessions. The
    // rows are chosen in a subquery: in ClickHouse an alias such as `any(browser) AS browser`
    // would stand for the column in a WHERE beside it (a filter on browser failed).
    `SELECT session_id AS id, website_id AS websiteId, any(hostname) AS hostname, any(browser) AS browser, any(os) AS os,
              any(device) AS device, any(screen) AS screen, any(language) AS language, any(country) AS country, any(region) AS region,
              any(city) AS city, min(created_at) AS firstAt, max(created_at) AS lastAt, uniq(visit_id) AS visits,
              countIf(event_type = ${eventType.pageview}) AS views, countIf(event_type = ${eventType.custom}) AS events,
              min(created_at) AS createdAt
            FROM (
              SELECT session_id, website_id, hostname, browser, os, device, screen, language, country, region, city, created_at,
                visit_id, event_type
              FROM website_event WHERE ${where} AND session_id IN {ids:Array(UUID)}
            )
            GROUP BY session_id, website_id ORDER BY lastAt DESC, id`,
    { ...params, ids }
  );
  return { data, count: total[0]?.n ?? 0, page: paging2.page, pageSize: paging2.pageSize };
}
async function queryDateRange(db2, websiteId3, resetAt = 0) {
  const [hours] = resetAt > 0 ? [] : await rows(
    db2,
    `SELECT toUnixTimestamp(min(hour)) AS first, toUnixTimestamp(max(hour)) AS last, count() AS n FROM event_hours WHERE website_id = {websiteId:UUID}`,
    { websiteId: websiteId3 }
  );
  if (hours && hours.n > 0) {
    const [ends] = await rows(
      db2,
      `SELECT countIf(hour = toDateTime({first:UInt32}, 'UTC')) AS nFirst, minIf(created_at, hour = toDateTime({first:UInt32}, 'UTC')) AS startDate,
          countIf(hour = toDateTime({last:UInt32}, 'UTC')) AS nLast, maxIf(created_at, hour = toDateTime({last:UInt32}, 'UTC')) AS endDate
        FROM website_event
        WHERE website_id = {websiteId:UUID} AND (toStartOfHour(created_at) AS hour) IN (toDateTime({first:UInt32}, 'UTC'), toDateTime({last:UInt32}, 'UTC'))`,
      { websiteId: websiteId3, first: hours.first, last: hours.last }
    );
    if (ends && ends.nFirst > 0 && ends.nLast > 0) return { startDate: ends.startDate, endDate: ends.endDate };
  }
  const [row] = await rows(
    db2,
    `SELECT count() AS n, min(created_at) AS startDate, max(created_at) AS endDate FROM website_event
      WHERE website_id = {websiteId:UUID} AND created_at > fromUnixTimestamp64Milli({resetAt:Int64})`,
    { websiteId: websiteId3, resetAt }
  );
  return row && row.n > 0 ? { startDate: row.startDate, endDate: row.endDate } : { startDate: null, endDate: null };
}
var dataTypeOf = `multiIf(
    startsWith(value, '"') AND match(value, '^"\\\\d{4}-\\\\d{2}-\\\\d{2}T'), 4,
    startsWith(value, '"'), 1,
    value IN ('true', 'false'), 3,
    startsWith(value, '['), 5,
    startsWith(value, '{'), 1,
    2)`;
function propertyRows(scope, event, rollups) {
  const eventFilter = event ? " AND event_name = {eventName:String}" : "";
  const params = { ...scopeParams(scope), eventName: event ?? "" };
  const fromEvents = (range2) => `SELECT event_name AS eventName, kv.1 AS propertyName, kv.2 AS value, count() AS n
    FROM website_event ARRAY JOIN JSONExtractKeysAndValuesRaw(event_data) AS kv
    WHERE website_id = {websiteId:UUID} AND ${range2} AND event_type = ${eventType.custom} AND event_data != ''${eventFilter}${scope.filter.sql}
    GROUP BY eventName, propertyName, value`;
  const days = rollups && scope.filter.sql === "" ? wholeDaysOf(scope) : null;
  if (!days) return { sql: fromEvents(inRange), params };
  return {
    sql: `SELECT event_name AS eventName, property AS propertyName, value, toUInt64(total) AS n
        FROM daily_event_data WHERE ${inWholeDays}${eventFilter}
      UNION ALL
      ${fromEvents(inPartialEnds)}`,
    params: { ...params, ...days }
  };
}
async function queryEventDataProperties(db2, scope, event, { rollups = true } = {}) {
  const { sql, params } = propertyRows(scope, event, rollups);
  return rows(
    db2,
    `SELECT eventName, propertyName, any(${dataTypeOf}) AS dataType, toUInt64(sum(n)) AS total
      FROM (${sql})
      GROUP BY eventName, propertyName ORDER BY total DESC, eventName, propertyName LIMIT 500`,
    params
  );
}
async function queryEventDataEvents(db2, scope, event, { rollups = true } = {}) {
  const { sql, params } = propertyRows(scope, event, rollups);
  return rows(
    db2,
    `SELECT eventName, propertyName, any(${dataTypeOf}) AS dataType,
        if(startsWith(value, '"'), JSONExtractString(concat('[', value, ']'), 1), value) AS propertyValue, toUInt64(sum(n)) AS total
      FROM (${sql})
      GROUP BY eventName, propertyName, value ORDER BY total DESC, eventName, propertyName, propertyValue LIMIT 500`,
    params
  );
}

// collector/src/api/realtime-queries.ts
var activeWindowMs = 5 * 6e4;
var realtimeWindowMs = 30 * 6e4;
var since = `website_id = {websiteId:UUID} AND created_at >= fromUnixTimestamp64Milli({since:Int64})`;
async function queryActive(db2, websiteId3, now = Date.now(), resetAt = 0) {
  const [row] = await rows(db2, `SELECT uniq(session_id) AS visitors FROM website_event WHERE ${since}`, {
    websiteId: websiteId3,
    since: Math.max(now - activeWindowMs, resetAt + 1)
  });
  return { visitors: row?.visitors ?? 0 };
}
var toRecord = (list) => Object.fromEntries(list.map(({ x, y }) => [x, y]));
async function queryRealtime(db2, websiteId3, now = Date.now(), resetAt = 0) {
  const params = { websiteId: websiteId3, since: Math.max(now - realtimeWindowMs, resetAt + 1) };
  const top = (column, y, where = "") => rows(
    db2,
    `SELECT ${column} AS x, ${y} AS y FROM website_event WHERE ${since} AND event_type = ${eventType.pageview}${where}
        GROUP BY x ORDER BY y DESC, x LIMIT 100`,
    params
  );
  const [totals, series, urls, referrers2, countries2, events2] = await Promise.all([
    rows(
      db2,
      `SELECT countIf(event_type = ${eventType.pageview}) AS views, uniq(session_id) AS visitors,
          countIf(event_type = ${eventType.custom}) AS events, uniqIf(country, country != '') AS countries
        FROM website_event WHERE ${since}`,
      params
    ),
    rows(
      db2,
      `SELECT formatDateTime(toStartOfMinute(created_at), '%Y-%m-%dT%H:%i:00Z') AS x, countIf(event_type = ${eventType.pageview}) AS views,
          uniq(session_id) AS visitors
        FROM website_event WHERE ${since} GROUP BY x ORDER BY x`,
      params
    ),
    top("url_path", "count()"),
    top("referrer_domain", "uniq(session_id)", " AND referrer_domain != '' AND referrer_domain != hostname"),
    top("country", "uniq(session_id)", " AND country != ''"),
    rows(
      db2,
      `SELECT if(event_type = ${eventType.custom}, 'event', 'pageview') AS __type, session_id AS sessionId, event_name AS eventName,
          created_at AS createdAt, url_path AS urlPath, referrer_domain AS referrerDomain, hostname, browser, os, device, country
        FROM website_event WHERE ${since} AND event_type IN (${eventType.pageview}, ${eventType.custom})
        ORDER BY created_at DESC LIMIT 100`,
      params
    )
  ]);
  const total = totals[0] ?? { views: 0, visitors: 0, events: 0, countries: 0 };
  return {
    countries: toRecord(countries2),
    events: events2,
    referrers: toRecord(referrers2),
    series: {
      views: series.map(({ x, views }) => ({ x, y: views })),
      visitors: series.map(({ x, visitors }) => ({ x, y: visitors }))
    },
    timestamp: now,
    totals: { views: total.views, visitors: total.visitors, events: total.events, countries: total.countries },
    urls: toRecord(urls)
  };
}

// collector/src/auth/api-keys.ts
import { randomBytes as randomBytes4, randomUUID as randomUUID3 } from "node:crypto";

// collector/src/auth/tokens.ts
import { createHash, randomBytes as randomBytes3 } from "node:crypto";
var sha256 = (secret) => createHash("sha256").update(secret).digest("hex");
var tokenLifetimeMs = { standard: 24 * 36e5, rememberMe: 30 * 24 * 36e5 };
var Tokens = class {
  constructor(db2) {
    this.db = db2;
  }
  db;
  /** Issues a token for a user; returns it (shown once) and when it expires. */
  async issue(userId, lifetimeMs) {
    const token2 = randomBytes3(32).toString("base64url");
    const now = Date.now();
    const expiresAt = now + lifetimeMs;
    await this.db.insert({
      table: "auth_tokens",
      values: [{ token_hash: sha256(token2), user_id: userId, created_at: now, expires_at: expiresAt, revoked: 0, version: now }],
      format: "JSONEachRow"
    });
    return { token: token2, expiresAt };
  }
  /** The user id a live token belongs to, or null when it is unknown, expired or revoked. */
  async userIdOf(token2) {
    const result = await this.db.query({
      query: `SELECT toString(user_id) AS userId FROM auth_tokens FINAL
        WHERE token_hash = {hash:String} AND revoked = 0 AND expires_at > now64(3) LIMIT 1`,
      query_params: { hash: sha256(token2) },
      format: "JSONEachRow"
    });
    const [row] = await result.json();
    return row?.userId ?? null;
  }
  async #revokeWhere(where, params) {
    await this.db.command({
      query: `INSERT INTO auth_tokens (token_hash, user_id, created_at, expires_at, revoked, version)
        SELECT token_hash, user_id, created_at, expires_at, 1, greatest(version + 1, toUnixTimestamp64Milli(now64(3)))
        FROM auth_tokens FINAL WHERE revoked = 0 AND expires_at > now64(3) AND ${where}`,
      query_params: params
    });
  }
  /** Revokes one token at once. */
  revoke(token2) {
    return this.#revokeWhere("token_hash = {hash:String}", { hash: sha256(token2) });
  }
  /** Revokes every token of a user, but for `keep` (the session that asked, on a password change). */
  revokeAllOf(userId, keep) {
    return this.#revokeWhere("user_id = toUUID({userId:String}) AND token_hash != {keep:String}", {
      userId,
      keep: keep ? sha256(keep) : ""
    });
  }
};

// collector/src/auth/api-keys.ts
var apiKeyPrefix = "umami_";
var live = `revoked = 0 AND (expires_at IS NULL OR expires_at > now64(3))
  AND (session_hash = '' OR session_hash IN (SELECT token_hash FROM auth_tokens FINAL WHERE revoked = 0 AND expires_at > now64(3)))`;
var selectKeys = (where) => `SELECT k.id AS id, k.name AS name, k.key_prefix AS keyPrefix, k.created_at AS createdAt,
    k.expires_at AS expiresAt, u.last AS lastUsedAt, toBool(k.session_hash != '') AS boundToSession
  FROM (SELECT * FROM api_keys FINAL WHERE ${live} AND ${where}) AS k
  LEFT JOIN (SELECT key_id, toNullable(max(used_at)) AS last FROM api_key_uses GROUP BY key_id) AS u ON u.key_id = k.id`;
var useRecordedEveryMs = 6e4;
var ApiKeys = class {
  constructor(db2) {
    this.db = db2;
  }
  db;
  #recordedAt = /* @__PURE__ */ new Map();
  /** Records that a key was used now (its `lastUsedAt`), at most once a minute per key. */
  async touch(id, now = Date.now()) {
    if ((this.#recordedAt.get(id) ?? 0) > now - useRecordedEveryMs) return;
    if (this.#recordedAt.size > 1e5) this.#recordedAt.clear();
    this.#recordedAt.set(id, now);
    await this.db.insert({ table: "api_key_uses", values: [{ key_id: id, used_at: now }], format: "JSONEachRow" });
  }
  /**
   * A new key. `sessionToken`: the session that makes it, which the key will not outlive (it
   * stops when the session ends: logout, expiry, a password change); null for a key that stays.
   */
  async create(userId, name2, expiresAt, sessionToken) {
    const key = apiKeyPrefix + randomBytes4(32).toString("base64url");
    const now = Date.now();
    const row = {
      id: randomUUID3(),
      user_id: userId,
      name: name2,
      key_hash: sha256(key),
      key_prefix: key.slice(0, 12),
      created_at: now,
      expires_at: expiresAt,
      session_hash: sessionToken === null ? "" : sha256(sessionToken),
      version: now
    };
    await this.db.insert({ table: "api_keys", values: [row], format: "JSONEachRow" });
    return {
      id: row.id,
      name: name2,
      key,
      keyPrefix: row.key_prefix,
      createdAt: new Date(now).toISOString(),
      expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
      lastUsedAt: null,
      boundToSession: sessionToken !== null
    };
  }
  async list(userId) {
    const result = await this.db.query({
      query: `${selectKeys("user_id = toUUID({userId:String})")} ORDER BY createdAt`,
      query_params: { userId },
      format: "JSONEachRow"
    });
    return result.json();
  }
  /** The live key, with the user it belongs to, or null. */
  async find(key) {
    if (!key.startsWith(apiKeyPrefix)) return null;
    const result = await this.db.query({
      query: `SELECT id, name, toString(user_id) AS userId FROM api_keys FINAL WHERE key_hash = {hash:String} AND ${live} LIMIT 1`,
      query_params: { hash: sha256(key) },
      format: "JSONEachRow"
    });
    return (await result.json())[0] ?? null;
  }
  async #revokeWhere(where, params) {
    const before = await this.db.query({
      query: `SELECT count() AS n FROM api_keys FINAL WHERE revoked = 0 AND ${where}`,
      query_params: params,
      format: "JSONEachRow"
    });
    const n = (await before.json())[0]?.n ?? 0;
    if (n > 0) {
      await this.db.command({
        query: `INSERT INTO api_keys (id, user_id, name, key_hash, key_prefix, created_at, expires_at, revoked, version)
          SELECT id, user_id, name, key_hash, key_prefix, created_at, expires_at, 1, greatest(version + 1, toUnixTimestamp64Milli(now64(3)))
          FROM api_keys FINAL WHERE revoked = 0 AND ${where}`,
        query_params: params
      });
    }
    return n;
  }
  /** Revokes one of a user's keys; false when the user has no such key. */
  async revoke(userId, id) {
    return await this.#revokeWhere("user_id = toUUID({userId:String}) AND id = toUUIDOrZero({id:String})", { userId, id }) > 0;
  }
  async revokeAllOf(userId) {
    await this.#revokeWhere("user_id = toUUID({userId:String})", { userId });
  }
};

// collector/src/auth/guard.ts
var credential = /^[A-Za-z0-9_-]{16,128}$/;
function credentialOf(request) {
  const key = request.headers["x-umami-api-key"];
  if (typeof key === "string" && key) return credential.test(key) ? { kind: "key", value: key } : null;
  const match = /^bearer +(\S+)$/i.exec(request.headers.authorization ?? "");
  if (!match || !credential.test(match[1])) return null;
  return { kind: match[1].startsWith(apiKeyPrefix) ? "key" : "token", value: match[1] };
}
function installGuard(app, deps) {
  app.decorateRequest("auth", null);
  app.addHook("onRequest", async (request) => {
    const config2 = request.routeOptions.config;
    if (request.is404 || config2.public) return;
    const auth = await authenticate(request, deps) ?? (config2.share ? sharedAuth(request, deps) : null);
    if (!auth) throw new ApiError("unauthorized");
    if (config2.admin && auth.user.role !== "admin") throw new ApiError("forbidden");
    if (config2.write && auth.user.role === "view-only") throw new ApiError("forbidden");
    if (config2.session && auth.type === "api-key") throw new ApiError("forbidden", "An API key cannot do this; sign in with your password");
    request.auth = auth;
    if (auth.apiKey) void deps.apiKeys.touch(auth.apiKey.id).catch((error) => request.log.warn({ err: error }, "could not record the API key use"));
  });
}
function sharedAuth(request, { shareLinks }) {
  const header = request.headers["x-umami-share-token"];
  const share = typeof header === "string" ? shareLinks.read(header) : null;
  if (!share) return null;
  return { type: "share", share, user: { id: "", username: "", role: "view-only", createdAt: "" } };
}
async function authenticate(request, { users: users2, tokens, apiKeys }) {
  const given = credentialOf(request);
  if (!given) return null;
  let userId = null;
  let apiKey;
  if (given.kind === "key") {
    const found = await apiKeys.find(given.value);
    if (found) {
      userId = found.userId;
      apiKey = { id: found.id, name: found.name };
    }
  } else {
    userId = await tokens.userIdOf(given.value);
  }
  const user = userId ? await users2.findById(userId) : null;
  if (!user) return null;
  return {
    user: { id: user.id, username: user.username, role: user.role, createdAt: user.createdAt },
    ...given.kind === "key" ? { type: "api-key", apiKey } : { type: "session", token: given.value }
  };
}
function authOf(request) {
  if (!request.auth) throw new ApiError("unauthorized");
  return request.auth;
}
function currentUser(request) {
  return authOf(request).user;
}

// collector/src/ingest/send-schema.ts
var uuidPattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
var sendBodySchema = {
  type: "object",
  required: ["type", "payload"],
  properties: {
    type: { type: "string", enum: ["event", "identify"] },
    payload: {
      type: "object",
      required: ["website"],
      properties: {
        website: { type: "string", maxLength: 36 },
        hostname: { type: "string", maxLength: 100 },
        language: { type: "string", maxLength: 35 },
        referrer: { type: "string", maxLength: 2e3 },
        screen: { type: "string", maxLength: 11 },
        title: { type: "string", maxLength: 2e3 },
        url: { type: "string", maxLength: 2e3 },
        name: { type: "string", maxLength: 50 },
        tag: { type: "string", maxLength: 50 },
        id: { type: "string", maxLength: 50 },
        data: { type: "object" }
      }
    }
  }
};

// collector/src/teams/teams.ts
import { randomBytes as randomBytes5, randomUUID as randomUUID4 } from "node:crypto";
var teamCan = {
  /** Rename the team, change its access code, add, change and remove members. */
  manage: (role2) => role2 === "team-owner" || role2 === "team-manager",
  /** Delete the team. */
  delete: (role2) => role2 === "team-owner",
  /** Create websites in the team, change, reset and delete them. */
  writeWebsites: (role2) => role2 === "team-owner" || role2 === "team-manager" || role2 === "team-member",
  /** See the team, its members and its websites' numbers. */
  read: (role2) => role2 !== null
};
var toTeam = (row) => ({ ...row, logoUrl: null, deletedAt: null });
var selectTeams = `SELECT id, name, access_code AS accessCode, created_at AS createdAt, updated_at AS updatedAt FROM teams FINAL WHERE deleted = 0`;
var selectMembers = `SELECT id, toString(team_id) AS teamId, toString(user_id) AS userId, role, created_at AS createdAt, updated_at AS updatedAt
  FROM team_users FINAL WHERE deleted = 0`;
var teamIdsOfUser = "SELECT team_id FROM team_users FINAL WHERE deleted = 0 AND user_id = toUUID({userId:String})";
var newAccessCode = () => `team_${randomBytes5(12).toString("base64url").slice(0, 16)}`;
var Teams = class {
  constructor(db2) {
    this.db = db2;
  }
  db;
  #lastVersion = 0;
  #version() {
    return this.#lastVersion = Math.max(Date.now(), this.#lastVersion + 1);
  }
  async #writeTeam(team, deleted = false) {
    const row = { id: team.id, name: team.name, access_code: team.accessCode, created_at: Date.parse(team.createdAt), updated_at: Date.parse(team.updatedAt), deleted: deleted ? 1 : 0, version: this.#version() };
    await this.db.insert({ table: "teams", values: [row], format: "JSONEachRow" });
  }
  async #writeMember(member, deleted = false) {
    const row = {
      team_id: member.teamId,
      user_id: member.userId,
      id: member.id,
      role: member.role,
      created_at: Date.parse(member.createdAt),
      updated_at: Date.parse(member.updatedAt),
      deleted: deleted ? 1 : 0,
      version: this.#version()
    };
    await this.db.insert({ table: "team_users", values: [row], format: "JSONEachRow" });
  }
  /** A new team with `ownerId` as its team-owner; the team and that membership. */
  async create(name2, ownerId) {
    const at = (/* @__PURE__ */ new Date()).toISOString();
    const team = toTeam({ id: randomUUID4(), name: name2, accessCode: newAccessCode(), createdAt: at, updatedAt: at });
    const owner = { id: randomUUID4(), teamId: team.id, userId: ownerId, role: "team-owner", createdAt: at, updatedAt: at };
    await this.#writeTeam(team);
    await this.#writeMember(owner);
    return [team, owner];
  }
  async get(id) {
    const [row] = await rows(this.db, `${selectTeams} AND id = toUUIDOrZero({id:String}) LIMIT 1`, { id });
    return row ? toTeam(row) : null;
  }
  async byAccessCode(accessCode) {
    const [row] = await rows(this.db, `${selectTeams} AND access_code = {accessCode:String} LIMIT 1`, { accessCode });
    return row ? toTeam(row) : null;
  }
  async update(team, changes) {
    const updated = { ...team, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== void 0)), updatedAt: (/* @__PURE__ */ new Date()).toISOString() };
    await this.#writeTeam(updated);
    return updated;
  }
  /** Deletes the team and every membership in it. */
  async delete(team) {
    for (const member of await this.members(team.id)) await this.#writeMember(member, true);
    await this.#writeTeam(team, true);
  }
  /** One page of teams: every team (`userId` null), or those the user belongs to, newest first. */
  async list(userId, page, pageSize) {
    const mine = userId === null ? "" : ` AND id IN (${teamIdsOfUser})`;
    const params = { userId: userId ?? "", limit: pageSize, offset: (page - 1) * pageSize };
    const [data, total] = await Promise.all([
      rows(this.db, `${selectTeams}${mine} ORDER BY created_at DESC LIMIT {limit:UInt32} OFFSET {offset:UInt32}`, params),
      rows(this.db, `SELECT count() AS n FROM teams FINAL WHERE deleted = 0${mine}`, params)
    ]);
    return { data: data.map(toTeam), count: total[0]?.n ?? 0 };
  }
  async members(teamId) {
    return rows(this.db, `${selectMembers} AND team_id = toUUIDOrZero({teamId:String}) ORDER BY created_at`, { teamId });
  }
  async member(teamId, userId) {
    const [row] = await rows(
      this.db,
      `${selectMembers} AND team_id = toUUIDOrZero({teamId:String}) AND user_id = toUUIDOrZero({userId:String}) LIMIT 1`,
      { teamId, userId }
    );
    return row ?? null;
  }
  /** The user's role in the team, or null when not a member. */
  async roleOf(teamId, userId) {
    return (await this.member(teamId, userId))?.role ?? null;
  }
  /** What the user may do in the team: admins act as its owner; null when the team is none of theirs (or does not exist). */
  async roleFor(teamId, user) {
    if (user.role === "admin") return await this.get(teamId) ? "team-owner" : null;
    return this.roleOf(teamId, user.id);
  }
  /** Adds a user (or changes the role of one already in the team). */
  async setMember(teamId, userId, role2) {
    const at = (/* @__PURE__ */ new Date()).toISOString();
    const existing = await this.member(teamId, userId);
    const member = existing ? { ...existing, role: role2, updatedAt: at } : { id: randomUUID4(), teamId, userId, role: role2, createdAt: at, updatedAt: at };
    await this.#writeMember(member);
    return member;
  }
  async removeMember(member) {
    await this.#writeMember(member, true);
  }
};

// collector/src/signed-token.ts
import { createHash as createHash2, createHmac, timingSafeEqual as timingSafeEqual2 } from "node:crypto";
var FastHmac = class {
  #inner;
  #outer;
  constructor(key) {
    const block = Buffer.alloc(64);
    (key.length > 64 ? createHash2("sha256").update(key).digest() : key).copy(block);
    this.#inner = createHash2("sha256").update(block.map((b) => b ^ 54));
    this.#outer = createHash2("sha256").update(block.map((b) => b ^ 92));
  }
  digest(message) {
    const inner = this.#inner.copy().update(message).digest();
    return this.#outer.copy().update(inner).digest();
  }
};
var SignedTokens = class {
  #mac;
  constructor(secret, purpose) {
    this.#mac = new FastHmac(createHmac("sha256", secret).update(`signed-token:${purpose}`).digest());
  }
  #sign(body) {
    return this.#mac.digest(body).subarray(0, 16);
  }
  sign(claims) {
    const body = Buffer.from(JSON.stringify(claims)).toString("base64url");
    return `${body}.${this.#sign(body).toString("base64url")}`;
  }
  /** The claims of a token we signed, or null for anything else (never throws). */
  read(token2, maxLength = 1024) {
    if (token2.length > maxLength) return null;
    const dot = token2.indexOf(".");
    if (dot < 1) return null;
    const body = token2.slice(0, dot);
    const signature = Buffer.from(token2.slice(dot + 1), "base64url");
    const expected = this.#sign(body);
    if (signature.length !== expected.length || !timingSafeEqual2(signature, expected)) return null;
    try {
      const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
      return claims && typeof claims === "object" ? claims : null;
    } catch {
      return null;
    }
  }
};

// collector/src/websites/share-links.ts
var shareTokenLifetimeMs = 24 * 36e5;
var ShareLinks = class {
  #tokens;
  constructor(appSecret) {
    this.#tokens = new SignedTokens(appSecret, "share-link");
  }
  issue(shared) {
    return this.#tokens.sign({ w: shared.websiteId, s: shared.shareId, e: Date.now() + shareTokenLifetimeMs });
  }
  read(token2) {
    const claims = this.#tokens.read(token2);
    if (!claims || typeof claims.w !== "string" || typeof claims.s !== "string" || typeof claims.e !== "number" || claims.e < Date.now()) return null;
    return { websiteId: claims.w, shareId: claims.s };
  }
};
var shareIdPattern = "^[A-Za-z0-9_-]{8,64}$";
async function shareRoute(app, { websites, shareLinks }) {
  app.get(
    "/api/share/:shareId",
    { schema: { params: { type: "object", required: ["shareId"], properties: { shareId: { type: "string", pattern: shareIdPattern } } } }, config: { public: true } },
    async (request) => {
      const website = await websites.byShareId(request.params.shareId);
      if (!website || website.shareId === null) throw new ApiError("notFound", "No website is shared under this link");
      return { websiteId: website.id, token: shareLinks.issue({ websiteId: website.id, shareId: website.shareId }) };
    }
  );
}

// collector/src/validation.ts
import Ajv from "ajv";
function installValidation(app) {
  const common = { allErrors: false, useDefaults: true, removeAdditional: true, strict: false };
  const coercing = new Ajv({ ...common, coerceTypes: "array" });
  const exact = new Ajv({ ...common, coerceTypes: false });
  const strictQuery = new Ajv({ ...common, removeAdditional: false, coerceTypes: "array" });
  app.setValidatorCompiler(
    ({ schema, httpPart }) => (httpPart === "body" ? exact : httpPart === "querystring" ? strictQuery : coercing).compile(schema)
  );
  app.addHook("preValidation", (request, _reply, done) => {
    if (request.body === void 0 && request.routeOptions.schema?.body === noBody) request.body = {};
    done();
  });
}
var pagingProperties = {
  page: { type: "integer", minimum: 1, maximum: 1e5, default: 1 },
  pageSize: { type: "integer", minimum: 1, maximum: 1e3, default: 20 }
};
var noBody = { type: "object", maxProperties: 0 };

// collector/src/api/website-routes.ts
var websiteParams = {
  type: "object",
  required: ["websiteId"],
  properties: { websiteId: { type: "string", pattern: uuidPattern } }
};
var websiteFields = {
  name: { type: "string", minLength: 1, maxLength: 100 },
  domain: { type: "string", minLength: 1, maxLength: 500 }
};
var shareIdField = { anyOf: [{ type: "string", pattern: shareIdPattern }, { type: "null" }] };
async function ownedWebsite({ websites, teams }, request, need = "read") {
  const user = currentUser(request);
  const website = await websites.get(request.params.websiteId.toLowerCase());
  if (!website) throw new ApiError("notFound", "Website not found");
  const { share } = authOf(request);
  if (share) {
    if (need !== "read" || share.websiteId !== website.id || share.shareId !== website.shareId) throw new ApiError("notFound", "Website not found");
    return website;
  }
  if (user.role === "admin") return website;
  if (website.teamId === null) {
    if (website.userId !== user.id) throw new ApiError("notFound", "Website not found");
    return website;
  }
  const role2 = await teams.roleOf(website.teamId, user.id);
  if (!teamCan.read(role2)) throw new ApiError("notFound", "Website not found");
  if (need === "write" && !teamCan.writeWebsites(role2)) throw new ApiError("forbidden", "Your role in the team cannot change its websites");
  return website;
}
async function websiteRoutes(app, access) {
  const { websites, teams } = access;
  app.post(
    "/api/websites",
    {
      schema: { body: { type: "object", required: ["name", "domain"], properties: { ...websiteFields, teamId: { type: "string", pattern: uuidPattern } } } },
      config: { write: true }
    },
    async (request) => {
      const user = currentUser(request);
      const { name: name2, domain, teamId } = request.body;
      if (teamId !== void 0) {
        const role2 = await teams.roleFor(teamId.toLowerCase(), user);
        if (!teamCan.read(role2)) throw new ApiError("notFound", "Team not found");
        if (!teamCan.writeWebsites(role2)) throw new ApiError("forbidden", "Your role in the team cannot create websites");
      }
      return websites.create(user.id, name2, domain, teamId?.toLowerCase() ?? null);
    }
  );
  app.get(
    "/api/websites",
    { schema: { querystring: { type: "object", properties: { ...pagingProperties, includeTeams: { type: "boolean" } } } } },
    async (request) => {
      const user = currentUser(request);
      const { page, pageSize, includeTeams = false } = request.query;
      const { data, count } = await websites.list(user.role === "admin" ? null : { userId: user.id, includeTeams }, page, pageSize);
      return { data, count, page, pageSize };
    }
  );
  app.get("/api/websites/:websiteId", { schema: { params: websiteParams }, config: { share: true } }, (request) => ownedWebsite(access, request));
  app.post(
    "/api/websites/:websiteId",
    { schema: { params: websiteParams, body: { type: "object", properties: { ...websiteFields, shareId: shareIdField } } }, config: { write: true } },
    async (request) => websites.update(await ownedWebsite(access, request, "write"), request.body)
  );
  app.delete("/api/websites/:websiteId", { schema: { params: websiteParams, body: noBody }, config: { write: true } }, async (request) => {
    await websites.delete(await ownedWebsite(access, request, "write"));
    return { ok: true };
  });
  app.post("/api/websites/:websiteId/reset", { schema: { params: websiteParams, body: noBody }, config: { write: true } }, async (request) => {
    await websites.reset(await ownedWebsite(access, request, "write"));
    return { ok: true };
  });
  app.post(
    "/api/websites/:websiteId/transfer",
    {
      schema: {
        params: websiteParams,
        body: { type: "object", properties: { userId: { type: "string", pattern: uuidPattern }, teamId: { type: "string", pattern: uuidPattern } } }
      },
      config: { write: true }
    },
    async (request) => {
      const user = currentUser(request);
      const website = await ownedWebsite(access, request, "write");
      const { userId, teamId } = request.body;
      if (userId === void 0 === (teamId === void 0)) throw new ApiError("badRequest", "Name either userId or teamId");
      if (teamId !== void 0) {
        const id2 = teamId.toLowerCase();
        const role2 = await teams.roleFor(id2, user);
        if (!teamCan.read(role2)) throw new ApiError("notFound", "Team not found");
        if (!teamCan.manage(role2)) throw new ApiError("forbidden", "Only the team's owners and managers can take websites in");
        return websites.transfer(website, { teamId: id2 });
      }
      const id = userId.toLowerCase();
      if (user.role !== "admin" && id !== user.id) throw new ApiError("forbidden", "A website can be transferred to yourself or to a team");
      return websites.transfer(website, { userId: id });
    }
  );
}

// collector/src/api/bounded-reads.ts
function boundedClient(db2, bounds, cancellation) {
  const settings2 = `
SETTINGS max_execution_time = ${bounds.timeoutMs / 1e3}, max_memory_usage = ${bounds.maxMemoryBytes}`;
  const query = ((params) => {
    cancellation.check();
    return db2.query({ ...params, query: params.query + settings2, abort_signal: cancellation.signal });
  });
  return new Proxy(db2, {
    get(target, property) {
      if (property === "query") return query;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    }
  });
}
var clients = /* @__PURE__ */ new WeakMap();
function installBoundedReads(app, db2, bounds) {
  app.addHook("onRequest", async (request, reply) => {
    const controller = new AbortController();
    const socket = request.raw.socket;
    const gone = () => {
      if (!reply.raw.writableFinished) controller.abort();
    };
    const check = () => {
      if (!controller.signal.aborted && socket?.destroyed) gone();
    };
    check();
    socket?.once("close", gone);
    reply.raw.once("close", () => {
      socket?.off("close", gone);
      gone();
    });
    clients.set(request, boundedClient(db2, bounds, { signal: controller.signal, check }));
  });
  return (request) => clients.get(request) ?? db2;
}

// collector/src/api/analytics-routes.ts
var latestDate = Date.UTC(2106, 0, 1);
var range = {
  startAt: { type: "integer", minimum: 0, maximum: latestDate },
  endAt: { type: "integer", minimum: 0, maximum: latestDate }
};
var timezone = { type: "string", maxLength: 64, default: "UTC" };
var querystring = (extra = {}, required = []) => ({
  type: "object",
  required: ["startAt", "endAt", ...required],
  additionalProperties: false,
  properties: {
    ...range,
    ...filterProperties,
    url: filterProperties.path,
    host: filterProperties.hostname,
    timezone,
    unit: { type: "string", enum: units },
    ...extra
  }
});
var paging = { ...pagingProperties, search: { type: "string", maxLength: maxFilterLength } };
var maxListDepth = 1e4;
var checkDepth = ({ page, pageSize }) => {
  if (page * pageSize > maxListDepth) throw new ApiError("badRequest", `page \xD7 pageSize must be at most ${maxListDepth}; narrow the range or filter instead`);
};
async function analyticsRoutes(app, { websites, teams, db: engine, readBounds }) {
  app.addHook("onRoute", (route) => {
    route.config = { ...route.config, share: true };
  });
  const timeZones = new Set((await rows(engine, "SELECT time_zone AS name FROM system.time_zones")).map((row) => row.name));
  const readsOf = installBoundedReads(app, engine, readBounds);
  const removedUntil = async (website) => website.resetAt !== null && await websites.removing(website.id) ? Date.parse(website.resetAt) : null;
  const scopeOf = async (request) => {
    const website = await ownedWebsite({ websites, teams }, request);
    const { startAt, endAt } = checkRange(request.query.startAt, request.query.endAt);
    const { url, host, ...query } = request.query;
    const filter = buildFilters({ path: url, hostname: host, ...query });
    const resetAt = await removedUntil(website);
    return { websiteId: website.id, startAt, endAt, filter: resetAt === null ? filter : afterReset(filter, resetAt) };
  };
  app.get(
    "/api/websites/:websiteId/stats",
    { schema: { params: websiteParams, querystring: querystring({ compare: { type: "string", enum: ["prev", "yoy"], default: "prev" } }) } },
    async (request) => {
      const scope = await scopeOf(request);
      const previous = { ...scope, ...comparisonRange(scope, request.query.compare) };
      const builds = scope.filter.pageStatsRollup ? buildsLookupFor(readsOf(request), scope.websiteId, [scope, previous]) : void 0;
      const [current, comparison] = await Promise.all([queryStats(readsOf(request), scope, { builds }), queryStats(readsOf(request), previous, { builds })]);
      return { ...current, comparison };
    }
  );
  app.get(
    "/api/websites/:websiteId/pageviews",
    {
      schema: {
        params: websiteParams,
        querystring: querystring({ unit: { type: "string", enum: units, default: "day" }, timezone, compare: { type: "string", enum: ["prev", "yoy"] } })
      }
    },
    async (request) => {
      const scope = await scopeOf(request);
      const tz = checkTimezone(request.query.timezone, timeZones);
      const unit = clampUnit(request.query.unit, scope);
      const series = await queryPageviews(readsOf(request), scope, unit, tz);
      if (!request.query.compare) return series;
      const other = comparisonRange(scope, request.query.compare);
      const compared = await queryPageviews(readsOf(request), { ...scope, ...other }, unit, tz);
      return { ...series, compare: { ...compared, startDate: new Date(other.startAt).toISOString(), endDate: new Date(other.endAt).toISOString() } };
    }
  );
  app.get(
    "/api/websites/:websiteId/metrics",
    {
      schema: {
        params: websiteParams,
        querystring: querystring(
          {
            type: { type: "string", enum: [...metricTypes, ...Object.keys(metricTypeAliases)] },
            limit: { type: "integer", minimum: 1, maximum: 1e3, default: 500 },
            offset: { type: "integer", minimum: 0, maximum: maxListDepth, default: 0 },
            search: { type: "string", maxLength: maxFilterLength }
          },
          ["type"]
        )
      }
    },
    async (request) => {
      const scope = await scopeOf(request);
      const { type, limit, offset, search } = request.query;
      return queryMetric(readsOf(request), scope, metricTypeAliases[type] ?? type, { limit, offset, search });
    }
  );
  app.get(
    "/api/websites/:websiteId/events",
    { schema: { params: websiteParams, querystring: querystring(paging) } },
    async (request) => {
      checkDepth(request.query);
      return queryEvents(readsOf(request), await scopeOf(request), request.query);
    }
  );
  app.get(
    "/api/websites/:websiteId/sessions",
    { schema: { params: websiteParams, querystring: querystring(paging) } },
    async (request) => {
      checkDepth(request.query);
      return querySessions(readsOf(request), await scopeOf(request), request.query);
    }
  );
  const eventDataQuery = { schema: { params: websiteParams, querystring: querystring({ event: { type: "string", maxLength: 50 } }) } };
  app.get("/api/websites/:websiteId/event-data/events", eventDataQuery, async (request) => {
    const { event, ...rest } = request.query;
    const scope = await scopeOf({ ...request, query: rest });
    return queryEventDataEvents(readsOf(request), scope, event);
  });
  app.get("/api/websites/:websiteId/event-data/properties", eventDataQuery, async (request) => {
    const { event, ...rest } = request.query;
    const scope = await scopeOf({ ...request, query: rest });
    return queryEventDataProperties(readsOf(request), scope, event);
  });
  app.get(
    "/api/websites/:websiteId/active",
    { schema: { params: websiteParams } },
    async (request) => {
      const website = await ownedWebsite({ websites, teams }, request);
      return queryActive(readsOf(request), website.id, Date.now(), await removedUntil(website) ?? 0);
    }
  );
  app.get(
    "/api/realtime/:websiteId",
    { schema: { params: websiteParams } },
    async (request) => {
      const website = await ownedWebsite({ websites, teams }, request);
      return queryRealtime(readsOf(request), website.id, Date.now(), await removedUntil(website) ?? 0);
    }
  );
  app.get(
    "/api/websites/:websiteId/daterange",
    { schema: { params: websiteParams } },
    async (request) => {
      const website = await ownedWebsite({ websites, teams }, request);
      return queryDateRange(readsOf(request), website.id, await removedUntil(website) ?? 0);
    }
  );
}

// collector/src/auth/auth-routes.ts
var codeProperty = { type: "string", maxLength: 16 };
var loginBody = {
  type: "object",
  required: ["username", "password"],
  properties: {
    username: { type: "string", minLength: 1, maxLength: 255 },
    password: { type: "string", minLength: 1, maxLength: passwordLimits.max },
    rememberMe: { type: "boolean" },
    code: codeProperty
  }
};
async function authRoutes(app, { users: users2, passwords, tokens, limiter, twoFactor, devices: devices2, teams }) {
  const loginUser = async (user) => {
    const { data } = await teams.list(user.id, 1, 100);
    const withRoles = await Promise.all(
      data.map(async ({ accessCode: _hidden, ...team }) => ({ ...team, role: (await teams.member(team.id, user.id))?.role ?? null }))
    );
    return { ...publicUser(user), teams: withRoles };
  };
  const beginAttempt = (request, username2, user) => {
    const device = user ? devices2.deviceOf(request, user.id) : null;
    const { retryAfter, at } = limiter.begin(username2, request.ip, Date.now(), device);
    if (retryAfter > 0) throw new ApiError("tooManyAttempts", void 0, retryAfter);
    return { at, device };
  };
  const signIn = async (request, reply, user, rememberMe, attempt) => {
    limiter.succeeded(user.username, request.ip, attempt.at, attempt.device);
    const { token: token2 } = await tokens.issue(user.id, rememberMe ? tokenLifetimeMs.rememberMe : tokenLifetimeMs.standard);
    return { token: token2, user: await loginUser(user), deviceToken: devices2.remember(request, reply, user.id) };
  };
  app.post(
    "/api/auth/login",
    { schema: { body: loginBody }, config: { public: true } },
    async (request, reply) => {
      const { username: username2, password: password2, rememberMe = false, code } = request.body;
      const user = await users2.findByUsername(username2);
      const attempt = beginAttempt(request, username2, user);
      const valid = await passwords.verify(password2, user?.passwordHash ?? await passwords.decoy());
      if (!user || !valid) throw new ApiError("badCredentials");
      if (user.totpEnabled) {
        if (!code) return { requiresTwoFactor: true, partialToken: twoFactor.partialToken(user.id, rememberMe) };
        if (!await twoFactor.check(user, code)) throw new ApiError("invalidCode");
      }
      return signIn(request, reply, user, rememberMe, attempt);
    }
  );
  app.post(
    "/api/2fa/verify",
    {
      schema: { body: { type: "object", properties: { token: codeProperty, code: codeProperty, partialToken: { type: "string", maxLength: 1024 } } } },
      // Public to the guard: it checks the partial token from the password step itself.
      config: { public: true }
    },
    async (request, reply) => {
      const bearer = /^bearer +(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
      const partial = await twoFactor.readPartialToken(request.body.partialToken ?? bearer ?? "");
      if (!partial) throw new ApiError("unauthorized", "The sign-in step before this one is missing or has expired");
      const user = await users2.findById(partial.userId);
      if (!user) throw new ApiError("unauthorized");
      const attempt = beginAttempt(request, user.username, user);
      const code = request.body.token ?? request.body.code ?? "";
      if (!await twoFactor.check(user, code)) throw new ApiError("invalidCode");
      await twoFactor.spendPartialToken(partial.id);
      return signIn(request, reply, user, partial.rememberMe, attempt);
    }
  );
  app.post("/api/auth/verify", { schema: { body: noBody } }, async (request) => loginUser(currentUser(request)));
  app.post("/api/auth/logout", { schema: { body: noBody } }, async (request) => {
    const auth = authOf(request);
    if (auth.type === "api-key") throw new ApiError("badRequest", "An API key is not signed in: revoke it with DELETE /api/me/api-keys/:keyId");
    if (auth.token) await tokens.revoke(auth.token);
    return { ok: true };
  });
}

// collector/src/auth/known-devices.ts
import { randomUUID as randomUUID5 } from "node:crypto";
var knownDeviceLifetimeMs = 180 * 24 * 36e5;
var knownDeviceCookie = "umami-device";
var knownDeviceHeader = "x-umami-device";
var KnownDevices = class {
  #tokens;
  constructor(appSecret) {
    this.#tokens = new SignedTokens(appSecret, "known-device");
  }
  /** The device id a request presents for `userId`, or null when it presents none that is valid for that user. */
  deviceOf(request, userId, now = Date.now()) {
    const header = request.headers[knownDeviceHeader];
    const token2 = (typeof header === "string" ? header : null) ?? cookieValue(request.headers.cookie, knownDeviceCookie);
    if (!token2) return null;
    const claims = this.#tokens.read(token2);
    if (!claims || claims.u !== userId || typeof claims.d !== "string" || typeof claims.e !== "number" || claims.e < now) return null;
    return claims.d;
  }
  /** Marks the device as known for `userId` (keeping its id when it was known already); returns the token. */
  remember(request, reply, userId, now = Date.now()) {
    const token2 = this.#tokens.sign({ u: userId, d: this.deviceOf(request, userId, now) ?? randomUUID5(), e: now + knownDeviceLifetimeMs });
    const secure = request.protocol === "https" ? "; Secure" : "";
    reply.header(
      "set-cookie",
      `${knownDeviceCookie}=${token2}; Path=/api; Max-Age=${knownDeviceLifetimeMs / 1e3}; HttpOnly; SameSite=Strict${secure}`
    );
    return token2;
  }
};
function cookieValue(header, name2) {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name2) return part.slice(eq + 1).trim();
  }
  return null;
}

// collector/src/auth/login-limiter.ts
var loginLimits = {
  windowMs: 15 * 6e4,
  perAccountAndIp: 5,
  perIp: 20,
  perAccount: 50
};
var maxKeys = 1e5;
var LoginLimiter = class {
  #attempts = /* @__PURE__ */ new Map();
  #recent(key, now) {
    const times = this.#attempts.get(key);
    if (!times) return [];
    while (times.length > 0 && times[0] <= now - loginLimits.windowMs) times.shift();
    if (times.length === 0) this.#attempts.delete(key);
    return times;
  }
  /**
   * The counts an attempt goes into, the first one forgotten on success. From a known device
   * (see KnownDevices) the device's own count replaces the account's: failures from everywhere
   * else do not hold its owner back.
   */
  #keys(username2, ip, device) {
    const account = username2.toLowerCase();
    if (device !== null) {
      return [
        [`device
${account}
${device}`, loginLimits.perAccountAndIp],
        [`ip
${ip}`, loginLimits.perIp]
      ];
    }
    return [
      [`pair
${account}
${ip}`, loginLimits.perAccountAndIp],
      [`ip
${ip}`, loginLimits.perIp],
      [`account
${account}`, loginLimits.perAccount]
    ];
  }
  /**
   * Starts an attempt: `{retryAfter}` in seconds when a limit is reached, else `{at}`, the
   * attempt's time, to hand back to `succeeded`.
   */
  begin(username2, ip, now = Date.now(), device = null) {
    const keys = this.#keys(username2, ip, device);
    let waitMs = 0;
    for (const [key, limit] of keys) {
      const times = this.#recent(key, now);
      if (times.length >= limit) waitMs = Math.max(waitMs, times[times.length - limit] + loginLimits.windowMs - now);
    }
    if (waitMs > 0) return { retryAfter: Math.ceil(waitMs / 1e3), at: now };
    if (this.#attempts.size > maxKeys) this.#attempts.clear();
    for (const [key] of keys) {
      const times = this.#attempts.get(key) ?? [];
      times.push(now);
      this.#attempts.set(key, times);
    }
    return { retryAfter: 0, at: now };
  }
  /** After a successful login: it does not count, nor do this account's failures from this IP (or device). */
  succeeded(username2, ip, at, device = null) {
    const [pair, ...shared] = this.#keys(username2, ip, device);
    this.#attempts.delete(pair[0]);
    for (const [key] of shared) {
      const times = this.#attempts.get(key);
      const index = times ? times.lastIndexOf(at) : -1;
      if (index >= 0) times.splice(index, 1);
    }
  }
};

// collector/src/auth/me-routes.ts
var passwordSchema = { type: "string", minLength: passwordLimits.min, maxLength: passwordLimits.max };
async function meRoutes(app, { users: users2, passwords, tokens, apiKeys, limiter }) {
  app.get("/api/me", async (request) => {
    const auth = authOf(request);
    return { authType: auth.type, user: publicUser(auth.user), ...auth.apiKey ? { apiKey: auth.apiKey } : {} };
  });
  app.post(
    "/api/me/password",
    {
      schema: {
        body: {
          type: "object",
          required: ["currentPassword", "newPassword"],
          properties: { currentPassword: { type: "string", maxLength: passwordLimits.max }, newPassword: passwordSchema }
        }
      },
      config: { session: true }
    },
    async (request) => {
      const auth = authOf(request);
      const user = await users2.findById(auth.user.id);
      if (!user) throw new ApiError("unauthorized");
      const { retryAfter, at } = limiter.begin(user.username, request.ip);
      if (retryAfter > 0) throw new ApiError("tooManyAttempts", void 0, retryAfter);
      if (!await passwords.verify(request.body.currentPassword, user.passwordHash)) throw new ApiError("badCredentials", "The current password is not correct");
      limiter.succeeded(user.username, request.ip, at);
      const problem = passwordProblem(request.body.newPassword, user.username);
      if (problem) throw new ApiError("badRequest", problem);
      const updated = await users2.update(user, { password: request.body.newPassword });
      await tokens.revokeAllOf(user.id, auth.token);
      await apiKeys.revokeAllOf(user.id);
      return publicUser(updated);
    }
  );
  app.get("/api/me/api-keys", async (request) => apiKeys.list(currentUser(request).id));
  app.post(
    "/api/me/api-keys",
    {
      schema: {
        body: {
          type: "object",
          required: ["name"],
          properties: { name: { type: "string", minLength: 1, maxLength: 100 }, expiresAt: { type: "string", maxLength: 40 }, keepAfterSession: { type: "boolean" } }
        }
      },
      config: { session: true }
    },
    async (request) => {
      const { name: name2, expiresAt } = request.body;
      let expires = null;
      if (expiresAt !== void 0) {
        expires = Date.parse(expiresAt);
        if (Number.isNaN(expires) || expires <= Date.now()) throw new ApiError("badRequest", "expiresAt must be a date-time in the future");
      }
      const { token: token2 } = authOf(request);
      return apiKeys.create(currentUser(request).id, name2, expires, request.body.keepAfterSession ? null : token2 ?? null);
    }
  );
  app.delete(
    "/api/me/api-keys/:keyId",
    { schema: { params: { type: "object", properties: { keyId: { type: "string", pattern: uuidPattern } } }, body: noBody } },
    async (request) => {
      if (!await apiKeys.revoke(currentUser(request).id, request.params.keyId)) throw new ApiError("notFound", "API key not found");
      return { ok: true };
    }
  );
}

// collector/src/auth/totp.ts
import { createCipheriv, createDecipheriv, createHmac as createHmac2, randomBytes as randomBytes6, timingSafeEqual as timingSafeEqual3 } from "node:crypto";
var totpParams = { algorithm: "SHA1", digits: 6, periodSeconds: 30, secretBytes: 20 };
var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
function base32Encode(bytes) {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = value << 8 | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[value >>> bits - 5 & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[value << 5 - bits & 31];
  return out;
}
function totpCode(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac2("sha1", secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  const binary = mac.readUInt32BE(offset) & 2147483647;
  return String(binary % 10 ** totpParams.digits).padStart(totpParams.digits, "0");
}
var stepAt = (timeMs) => Math.floor(timeMs / 1e3 / totpParams.periodSeconds);
function matchTotp(secret, code, timeMs, usedStep = -1) {
  if (!/^\d{6}$/.test(code)) return null;
  const now = stepAt(timeMs);
  for (const step of [now - 1, now, now + 1]) {
    if (step <= usedStep) continue;
    const expected = Buffer.from(totpCode(secret, step));
    if (timingSafeEqual3(expected, Buffer.from(code))) return step;
  }
  return null;
}
function newTotpSecret() {
  return randomBytes6(totpParams.secretBytes);
}
function otpauthUri(issuer2, account, secret) {
  const label = encodeURIComponent(`${issuer2}:${account}`);
  const query = new URLSearchParams({
    secret: base32Encode(secret),
    issuer: issuer2,
    algorithm: totpParams.algorithm,
    digits: String(totpParams.digits),
    period: String(totpParams.periodSeconds)
  });
  return `otpauth://totp/${label}?${query}`;
}
var SecretBox = class {
  #key;
  constructor(appSecret) {
    this.#key = createHmac2("sha256", appSecret).update("totp-secret-box").digest();
  }
  seal(secret) {
    const iv = randomBytes6(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    const sealed = Buffer.concat([cipher.update(secret), cipher.final()]);
    return [iv, cipher.getAuthTag(), sealed].map((part) => part.toString("base64url")).join(".");
  }
  open(sealed) {
    const [iv, tag, data] = sealed.split(".").map((part) => Buffer.from(part, "base64url"));
    const decipher = createDecipheriv("aes-256-gcm", this.#key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]);
  }
};

// collector/src/auth/two-factor-routes.ts
var issuer = "Analytics";
var codeBody = {
  type: "object",
  required: ["password"],
  properties: {
    token: { type: "string", maxLength: 16 },
    code: { type: "string", maxLength: 16 },
    password: { type: "string", maxLength: 256 }
  }
};
var session = { session: true };
async function twoFactorRoutes(app, { users: users2, passwords, twoFactor, limiter }) {
  const checkPasswordAndCode = async (request, user) => {
    const { retryAfter, at } = limiter.begin(user.username, request.ip);
    if (retryAfter > 0) throw new ApiError("tooManyAttempts", void 0, retryAfter);
    const passwordRight = await passwords.verify(request.body.password, user.passwordHash);
    const codeRight = passwordRight && await twoFactor.check(user, request.body.token ?? request.body.code ?? "");
    if (!passwordRight || !codeRight) throw new ApiError("badCredentials", "The password or the code is not correct");
    limiter.succeeded(user.username, request.ip, at);
  };
  const me = async (userId) => {
    const user = await users2.findById(userId);
    if (!user) throw new ApiError("unauthorized");
    return user;
  };
  app.get("/api/2fa/status", async (request) => {
    const user = await me(currentUser(request).id);
    return { isEnabled: user.totpEnabled, isConfigured: user.totpSecret !== "", isRequired: false, globalRequired: false, requiredReason: null };
  });
  app.post("/api/2fa/setup/initiate", { schema: { body: noBody }, config: session }, async (request) => {
    const user = await me(currentUser(request).id);
    if (user.totpEnabled) throw new ApiError("badRequest", "Two-factor sign-in is already on; disable it first");
    const secret = newTotpSecret();
    await users2.update(user, { totpSecret: twoFactor.box.seal(secret), totpEnabled: false });
    return { manualKey: base32Encode(secret), otpauthUri: otpauthUri(issuer, user.username, secret) };
  });
  app.post("/api/2fa/setup/confirm", { schema: { body: codeBody }, config: session }, async (request) => {
    const user = await me(currentUser(request).id);
    if (user.totpEnabled || !user.totpSecret) throw new ApiError("badRequest", "Start the setup first");
    await checkPasswordAndCode(request, user);
    await users2.update(user, { totpEnabled: true });
    return { ok: true };
  });
  app.post("/api/2fa/setup/cancel", { schema: { body: noBody }, config: session }, async (request) => {
    const user = await me(currentUser(request).id);
    if (!user.totpEnabled && user.totpSecret) await users2.update(user, { totpSecret: "" });
    return { ok: true };
  });
  app.post("/api/2fa/disable", { schema: { body: codeBody }, config: session }, async (request) => {
    const user = await me(currentUser(request).id);
    if (!user.totpEnabled) throw new ApiError("badRequest", "Two-factor sign-in is off");
    await checkPasswordAndCode(request, user);
    await users2.update(user, { totpSecret: "", totpEnabled: false });
    return { ok: true };
  });
}

// collector/src/auth/two-factor.ts
import { randomUUID as randomUUID6 } from "node:crypto";
var partialTokenLifetimeMs = 5 * 6e4;
var TwoFactor = class {
  constructor(appSecret, db2) {
    this.db = db2;
    this.box = new SecretBox(appSecret);
    this.#partials = new SignedTokens(appSecret, "two-factor-partial");
  }
  db;
  box;
  #partials;
  /** The last value spent under (kind, key), 0 when none: kept in ClickHouse, so restarts and other collectors see it. */
  async #spent(kind, key) {
    const [row] = await rows(
      this.db,
      "SELECT max(value) AS value FROM two_factor_spent WHERE kind = {kind:String} AND key = {key:String}",
      { kind, key }
    );
    return row?.value ?? 0;
  }
  async #spend(kind, key, value) {
    await this.db.insert({ table: "two_factor_spent", values: [{ kind, key, value, at: Date.now() }], format: "JSONEachRow" });
  }
  /**
   * True when `code` is the user's current code (or one step off) and no code of that step or
   * later was used before, in this process or any other sharing the database.
   */
  check(user, code, now = Date.now()) {
    const run = this.#checking.then(async () => {
      if (!user.totpSecret) return false;
      const last = await this.#spent("step", user.id);
      const step = matchTotp(this.box.open(user.totpSecret), code, now, last > 0 ? last : void 0);
      if (step === null) return false;
      await this.#spend("step", user.id, step);
      return true;
    });
    this.#checking = run.catch(() => false);
    return run;
  }
  #checking = Promise.resolve();
  partialToken(userId, rememberMe) {
    return this.#partials.sign({ u: userId, r: rememberMe, e: Date.now() + partialTokenLifetimeMs, j: randomUUID6() });
  }
  /** The login a partial token carries, or null when it is forged, expired or already used to sign in. */
  async readPartialToken(token2) {
    const claims = this.#partials.read(token2);
    if (!claims || typeof claims.u !== "string" || typeof claims.e !== "number" || claims.e < Date.now() || typeof claims.j !== "string") return null;
    if (await this.#spent("partial", claims.j) > 0) return null;
    return { userId: claims.u, rememberMe: claims.r === true, id: claims.j };
  }
  /** Marks a partial token used: it signed someone in and never will again. */
  async spendPartialToken(id) {
    await this.#spend("partial", id, 1);
  }
};

// collector/src/auth/user-routes.ts
var userParams = { type: "object", required: ["userId"], properties: { userId: { type: "string", pattern: uuidPattern } } };
var username = { type: "string", minLength: 1, maxLength: 255, pattern: "^\\S(.*\\S)?$" };
var role = { type: "string", enum: roles };
var adminOnly = { admin: true };
var listed = (user) => ({ ...publicUser(user), twoFactorEnabled: user.totpEnabled });
async function userRoutes(app, { users: users2, tokens, apiKeys }) {
  const find = async (id) => {
    const user = await users2.findById(id);
    if (!user) throw new ApiError("notFound", "User not found");
    return user;
  };
  const revokeAll = (userId) => Promise.all([tokens.revokeAllOf(userId), apiKeys.revokeAllOf(userId)]);
  const keepAnAdmin = async (user, newRole) => {
    if (user.role === "admin" && newRole !== "admin" && await users2.count("admin") <= 1) {
      throw new ApiError("badRequest", "The last admin cannot be removed or demoted");
    }
  };
  let queue = Promise.resolve();
  const oneAtATime = (change) => {
    const run = queue.then(change, change);
    queue = run.catch(() => {
    });
    return run;
  };
  const checkAccount = (name2, password2, currentName) => {
    const problem = (name2 !== void 0 ? usernameProblem(name2) : null) ?? (password2 !== void 0 ? passwordProblem(password2, name2 ?? currentName) : null);
    if (problem) throw new ApiError("badRequest", problem);
  };
  const list = async (request) => {
    const { page, pageSize } = request.query;
    const { data, count } = await users2.list(page, pageSize);
    return { data: data.map(listed), count, page, pageSize };
  };
  const pageQuery2 = {
    type: "object",
    properties: pagingProperties
  };
  app.get("/api/users", { schema: { querystring: pageQuery2 }, config: adminOnly }, list);
  app.get("/api/admin/users", { schema: { querystring: pageQuery2 }, config: adminOnly }, list);
  app.post(
    "/api/users",
    {
      schema: { body: { type: "object", required: ["username", "password", "role"], properties: { username, password: passwordSchema, role } } },
      config: adminOnly
    },
    async (request) => {
      const { username: name2, password: password2, role: newRole } = request.body;
      checkAccount(name2, password2, name2);
      return oneAtATime(async () => {
        if (await users2.findByUsername(name2)) throw new ApiError("usernameTaken");
        return publicUser(await users2.create(name2.normalize("NFKC"), password2, newRole));
      });
    }
  );
  app.get(
    "/api/users/:userId",
    { schema: { params: userParams }, config: adminOnly },
    async (request) => listed(await find(request.params.userId))
  );
  app.post(
    "/api/users/:userId",
    {
      schema: { params: userParams, body: { type: "object", properties: { username, password: passwordSchema, role } } },
      config: adminOnly
    },
    async (request) => {
      const { username: name2, password: password2, role: newRole } = request.body;
      return oneAtATime(async () => {
        const user = await find(request.params.userId);
        checkAccount(name2, password2, user.username);
        const other = name2 ? await users2.findByUsername(name2) : null;
        if (other && other.id !== user.id) throw new ApiError("usernameTaken");
        if (newRole) await keepAnAdmin(user, newRole);
        const updated = await users2.update(user, { username: name2?.normalize("NFKC"), password: password2, role: newRole });
        const demoted = newRole !== void 0 && newRole !== user.role && (user.role === "admin" || newRole === "view-only");
        if (demoted || password2) await revokeAll(user.id);
        return publicUser(updated);
      });
    }
  );
  app.delete(
    "/api/users/:userId",
    { schema: { params: userParams, body: noBody }, config: adminOnly },
    async (request) => oneAtATime(async () => {
      const user = await find(request.params.userId);
      if (user.id === currentUser(request).id) throw new ApiError("badRequest", "You cannot delete yourself");
      await keepAnAdmin(user, null);
      await users2.delete(user);
      await revokeAll(user.id);
      return { ok: true };
    })
  );
  app.delete("/api/users/:userId/2fa", { schema: { params: userParams, body: noBody }, config: adminOnly }, async (request) => {
    const user = await find(request.params.userId);
    await users2.update(user, { totpSecret: "", totpEnabled: false });
    return { ok: true };
  });
}

// collector/src/http-hardening.ts
function installSecurityHeaders(app) {
  const always = { "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "x-frame-options": "DENY" };
  app.addHook("onSend", (request, reply, payload, done) => {
    reply.headers(always);
    if (!reply.hasHeader("content-security-policy")) reply.header("content-security-policy", "frame-ancestors 'none'");
    if (request.auth) reply.header("cache-control", "no-store");
    done(null, payload);
  });
}
var statusText = { 400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large" };
function clientErrorHandler(error, socket) {
  if (!socket.writable) return void socket.destroy();
  const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const [code, message] = status === 431 ? ["headers-too-large", "The request headers are larger than 16 KB"] : status === 408 ? ["timeout", "The request took too long"] : ["bad-request", "The request is not valid HTTP"];
  const body = JSON.stringify({ error: { message, code, status } });
  socket.end(
    `HTTP/1.1 ${status} ${statusText[status]}\r
Content-Type: application/json; charset=utf-8\r
Content-Length: ${Buffer.byteLength(body)}\r
Connection: close\r
\r
${body}`
  );
}

// collector/src/dashboard-route.ts
import { readdirSync, readFileSync } from "node:fs";
var contentSecurityPolicy = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'"
].join("; ");
var types = { js: "application/javascript; charset=utf-8", css: "text/css; charset=utf-8" };
async function dashboardRoute(app, { dir }) {
  const html = readFileSync(new URL("index.html", dir));
  const open = { config: { public: true } };
  app.get(
    "/",
    open,
    async (_request, reply) => reply.type("text/html; charset=utf-8").header("content-security-policy", contentSecurityPolicy).header("cache-control", "no-cache").send(html)
  );
  for (const name2 of readdirSync(dir)) {
    const extension = /\.(js|css)$/.exec(name2)?.[1];
    if (!extension) continue;
    const body = readFileSync(new URL(name2, dir));
    const hashed = name2.startsWith("app.") ? "no-cache" : "public, max-age=31536000, immutable";
    app.get(`/dashboard/${name2}`, open, async (_request, reply) => reply.type(types[extension]).header("cache-control", hashed).send(body));
  }
}

// collector/src/ingest/send-route.ts
import { BlockList, isIPv6 } from "node:net";

// collector/src/ingest/event-data.ts
var eventDataLimits = { maxKeys: 50, maxDepth: 3 };
var forbiddenKeys = /* @__PURE__ */ new Set(["__proto__", "constructor", "prototype"]);
function eventDataProblem(data) {
  let keys = 0;
  const visit = (value, depth) => {
    if (value === null || typeof value !== "object") return null;
    if (depth > eventDataLimits.maxDepth) return `data is nested deeper than ${eventDataLimits.maxDepth} levels`;
    for (const [key, child] of Object.entries(value)) {
      if (forbiddenKeys.has(key)) return `data may not have a "${key}" key`;
      if (!Array.isArray(value) && ++keys > eventDataLimits.maxKeys) return `data has more than ${eventDataLimits.maxKeys} keys`;
      const problem = visit(child, depth + 1);
      if (problem) return problem;
    }
    return null;
  };
  return visit(data, 1);
}

// collector/src/ingest/rate-limiter.ts
var maxTracked = 1e5;
var RateLimiter = class {
  constructor(perMinute) {
    this.perMinute = perMinute;
  }
  perMinute;
  #windowStart = 0;
  #counts = /* @__PURE__ */ new Map();
  /** 0 when the request may go on, else the seconds until the next window. */
  hit(ip, now = Date.now()) {
    if (now - this.#windowStart >= 6e4 || this.#counts.size > maxTracked) {
      this.#windowStart = now - now % 6e4;
      this.#counts.clear();
    }
    const count = (this.#counts.get(ip) ?? 0) + 1;
    this.#counts.set(ip, count);
    return count > this.perMinute ? Math.ceil((this.#windowStart + 6e4 - now) / 1e3) : 0;
  }
};

// collector/src/ingest/send-route.ts
var sendBodyLimit = 64 * 1024;
var websiteId = new RegExp(uuidPattern);
function cacheToken(header) {
  if (typeof header !== "string" || header.length > 1024) return void 0;
  if (!header.startsWith("{")) return header;
  try {
    const cache3 = JSON.parse(header).cache;
    return typeof cache3 === "string" ? cache3 : void 0;
  } catch {
    return void 0;
  }
}
function ignoreList(entries) {
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const [ip, prefix] = entry.split("/");
    const family = isIPv6(ip) ? "ipv6" : "ipv4";
    if (prefix === void 0) list.addAddress(ip, family);
    else list.addSubnet(ip, Number(prefix), family);
  }
  return list;
}
function allowAnyOrigin(_request, reply, done) {
  reply.header("access-control-allow-origin", "*");
  done();
}
async function sendRoute(app, { config: config2, websites, visitors, geo, writer, paths: paths4 }) {
  const ignored = ignoreList(config2.ignoreIps);
  const limiter = config2.rateLimitPerMinute > 0 ? new RateLimiter(config2.rateLimitPerMinute) : null;
  app.addHook("onRequest", allowAnyOrigin);
  app.addContentTypeParser("text/plain", { parseAs: "string" }, app.getDefaultJsonParser("error", "error"));
  const preflight = async (_request, reply) => reply.code(204).header("access-control-allow-methods", "POST, OPTIONS").header("access-control-allow-headers", "content-type, x-umami-cache").header("access-control-max-age", "86400").send();
  const handler = async (request, reply) => {
    const ip = request.ip;
    if (ignored?.check(ip, isIPv6(ip) ? "ipv6" : "ipv4")) throw new ApiError("ignoredIp");
    const wait = limiter?.hit(ip) ?? 0;
    if (wait > 0) throw new ApiError("rateLimited", void 0, wait);
    const userAgent = request.headers["user-agent"];
    if (!userAgent) throw new ApiError("missingUserAgent");
    const { type, payload } = request.body;
    if (!websiteId.test(payload.website)) throw new ApiError("invalidWebsite");
    const problem = payload.data ? eventDataProblem(payload.data) : null;
    if (problem) throw new ApiError("invalidData", problem);
    const agent = describeAgent(userAgent);
    if (agent.bot) return reply.send({ beep: "boop" });
    const website = payload.website.toLowerCase();
    if (!await websites.accepts(website)) throw new ApiError("unknownWebsite");
    const now = Date.now();
    const isPageview = type === "event" && !payload.name;
    const ids = visitors.identify(website, ip, userAgent, cacheToken(request.headers["x-umami-cache"]), now, isPageview);
    const spooled = await (type === "identify" ? writer.enqueue("s", buildSessionDataRow({ ...payload, website }, ids.sessionId, now)) : writer.enqueue("e", buildEventRow({ ...payload, website }, ids, agent, geo.locate(ip, request.headers), now))).catch((error) => {
      request.log.error({ err: error }, "could not write to the spool");
      return false;
    });
    if (!spooled) throw new ApiError("overloaded");
    return reply.send({ cache: ids.cache, sessionId: ids.sessionId, visitId: ids.visitId });
  };
  for (const path of paths4) {
    app.options(path, { config: { public: true } }, preflight);
    app.post(path, { schema: { body: sendBodySchema }, bodyLimit: sendBodyLimit, config: { public: true } }, handler);
  }
}

// collector/src/ingest/geo.ts
import { readFileSync as readFileSync2 } from "node:fs";
import { createRequire } from "node:module";
import { Reader } from "mmdb-lib";
var nowhere = { country: "", region: "", city: "" };
function bundledDatabase() {
  const require2 = createRequire(import.meta.url);
  return readFileSync2(require2.resolve("@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb"));
}
var GeoLocator = class {
  #reader;
  #countryHeader;
  constructor({ countryHeader: countryHeader2, geoipDb: geoipDb2 }) {
    this.#reader = new Reader(geoipDb2 ? readFileSync2(geoipDb2) : bundledDatabase());
    this.#countryHeader = countryHeader2;
  }
  locate(ip, headers) {
    if (this.#countryHeader) {
      const value = headers[this.#countryHeader];
      if (typeof value === "string" && /^[A-Za-z]{2}$/.test(value) && !/^(XX|T1)$/i.test(value)) {
        return { country: value.toUpperCase(), region: "", city: "" };
      }
    }
    let record;
    try {
      record = this.#reader.get(ip);
    } catch {
      return nowhere;
    }
    if (!record) return nowhere;
    const country = record.country_code ?? record.country?.iso_code ?? "";
    const subdivision = record.subdivisions?.[0]?.iso_code;
    return { country, region: country && subdivision ? `${country}-${subdivision}` : "", city: record.city?.names?.en ?? "" };
  }
};

// collector/src/ingest/visitors.ts
import { createHmac as createHmac3, randomUUID as randomUUID7 } from "node:crypto";
var visitTimeoutMs = 30 * 60 * 1e3;
var visitCacheLimit = 2e5;
var sessionCacheLimit = 1e5;
function asUuid(digest) {
  const hex = digest.subarray(0, 16).toString("hex");
  const variant = (Number.parseInt(hex[16], 16) & 3 | 8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
var VisitorIdentifier = class {
  #secret;
  #tokens;
  #saltDay = -1;
  #salt = null;
  /** (day, website, IP, User-Agent) → session id, so repeat beacons skip the hash. */
  #sessions = /* @__PURE__ */ new Map();
  /** session id → current visit, least recently seen first. */
  #visits = /* @__PURE__ */ new Map();
  constructor(secret) {
    this.#secret = secret;
    this.#tokens = new SignedTokens(secret, "x-umami-cache");
  }
  #sessionId(websiteId3, ip, userAgent, now) {
    const day2 = Math.floor(now / 864e5);
    if (day2 !== this.#saltDay) {
      this.#saltDay = day2;
      const date = new Date(day2 * 864e5).toISOString().slice(0, 10);
      this.#salt = new FastHmac(createHmac3("sha256", this.#secret).update(`session-salt:${date}`).digest());
      this.#sessions.clear();
    }
    const key = `${websiteId3}
${ip}
${userAgent}`;
    let id = this.#sessions.get(key);
    if (id === void 0) {
      id = asUuid(this.#salt.digest(key));
      if (this.#sessions.size >= sessionCacheLimit) this.#sessions.clear();
      this.#sessions.set(key, id);
    }
    return id;
  }
  /**
   * Ids for one event; `cacheHeader` is the client's x-umami-cache value, ignored unless ours and
   * valid. Pageviews are counted into their visit. The count lives in this process: several
   * collectors behind a load balancer need it to route each client to one of them (sticky by IP).
   */
  identify(websiteId3, ip, userAgent, cacheHeader, now, isPageview = true) {
    const token2 = cacheHeader ? this.#readToken(cacheHeader, websiteId3, now) : null;
    const sessionId = token2?.s ?? this.#sessionId(websiteId3, ip, userAgent, now);
    let visit = this.#visits.get(sessionId);
    if (visit) this.#visits.delete(sessionId);
    if (!visit && token2 && now - token2.t < visitTimeoutMs) {
      visit = { visitId: token2.v, lastSeen: token2.t, pageviews: 1, firstPageviewAt: token2.t, lastPageviewAt: token2.t };
    }
    if (!visit || now - visit.lastSeen >= visitTimeoutMs) {
      visit = { visitId: randomUUID7(), lastSeen: now, pageviews: 0, firstPageviewAt: now, lastPageviewAt: now };
    }
    visit.lastSeen = now;
    let pageview = { index: 0, gapMs: 0, visitStart: visit.pageviews > 0 ? visit.firstPageviewAt : now };
    if (isPageview) {
      visit.pageviews += 1;
      if (visit.pageviews === 1) visit.firstPageviewAt = now;
      pageview = { index: visit.pageviews, gapMs: visit.pageviews > 1 ? Math.max(0, now - visit.lastPageviewAt) : 0, visitStart: visit.firstPageviewAt };
      visit.lastPageviewAt = now;
    }
    this.#visits.set(sessionId, visit);
    if (this.#visits.size > visitCacheLimit) this.#visits.delete(this.#visits.keys().next().value);
    const minute = Math.floor(now / 6e4);
    if (visit.tokenMinute !== minute || !visit.token) {
      visit.token = this.#tokens.sign({ w: websiteId3, s: sessionId, v: visit.visitId, t: minute * 6e4 });
      visit.tokenMinute = minute;
    }
    return { sessionId, visitId: visit.visitId, cache: visit.token, pageview };
  }
  #readToken(header, websiteId3, now) {
    const token2 = this.#tokens.read(header, 512);
    if (!token2 || token2.w !== websiteId3 || typeof token2.s !== "string" || typeof token2.v !== "string") return null;
    if (typeof token2.t !== "number" || token2.t > now) return null;
    const sameDay = new Date(token2.t).toISOString().slice(0, 10) === new Date(now).toISOString().slice(0, 10);
    return sameDay ? { s: token2.s, v: token2.v, t: token2.t } : null;
  }
};

// collector/src/pipeline/spool.ts
import { randomBytes as randomBytes7 } from "node:crypto";
import {
  close,
  fsync,
  fsyncSync,
  mkdirSync as mkdirSync2,
  openSync,
  readFileSync as readFileSync3,
  readdirSync as readdirSync2,
  unlinkSync,
  writeFileSync,
  writeSync
} from "node:fs";
import { join as join2 } from "node:path";
var spoolTables = { e: "website_event", s: "session_data" };
var segmentName = /^segment-(\d+)(?:-([0-9a-f]{16}))?\.log$/;
var emptyRows = () => ({ website_event: [], session_data: [] });
function readSegment(path) {
  const rows2 = emptyRows();
  for (const line of readFileSync3(path, "utf8").split("\n")) {
    const table = spoolTables[line[0]];
    if (!table) continue;
    const json = line.slice(1);
    try {
      JSON.parse(json);
      rows2[table].push(json);
    } catch {
    }
  }
  return rows2;
}
var Spool = class {
  constructor(dataDir2, options) {
    this.options = options;
    this.dir = join2(dataDir2, "spool");
    mkdirSync2(this.dir, { recursive: true });
    const idFile = join2(this.dir, "id");
    try {
      this.id = readFileSync3(idFile, "utf8").trim();
    } catch {
      this.id = randomBytes7(8).toString("hex");
      writeFileSync(idFile, this.id + "\n");
    }
    const left = readdirSync2(this.dir).map((name2) => segmentName.exec(name2)).filter((match) => match !== null).map(([name2, seq, random]) => ({ name: name2, seq: Number(seq), random })).sort((a, b) => a.seq - b.seq);
    for (const { name: name2, seq, random } of left) {
      const path = join2(this.dir, name2);
      const content = readFileSync3(path);
      let count = 0;
      for (let i = content.indexOf(10); i >= 0; i = content.indexOf(10, i + 1)) count += 1;
      const bytes = content.length;
      const token2 = random ? `${this.id}:${seq}-${random}` : `${this.id}:${seq}`;
      this.sealed.push({ seq, token: token2, path, bytes, count, rows: null });
      this.#bytes += bytes;
    }
    this.#nextSeq = (left[left.length - 1]?.seq ?? 0) + 1;
    if (options.fsyncMs > 0) {
      this.#fsyncTimer = setInterval(() => this.#fsyncCurrent(), options.fsyncMs);
      this.#fsyncTimer.unref();
    }
  }
  options;
  dir;
  /** Stable for this data directory, so a replayed segment carries the same deduplication token. */
  id;
  sealed = [];
  #current = null;
  #nextSeq;
  #bytes = 0;
  #fsyncTimer = null;
  /** Bytes on disk, all segments. */
  get bytes() {
    return this.#bytes;
  }
  /** Rows in the open segment. */
  get openRows() {
    return this.#current?.count ?? 0;
  }
  /**
   * Appends a row. Rows appended in the same turn of the event loop are written together, in one
   * write, before any of their promises resolve (group commit): resolves true once the row is in
   * the file, false at once when the disk budget is spent (nothing written).
   */
  append(tag, row) {
    const json = JSON.stringify(row);
    const line = tag + json + "\n";
    const length = Buffer.byteLength(line);
    if (this.#bytes + length > this.options.maxBytes) return Promise.resolve(false);
    const current = this.#current ??= this.#open();
    current.rows[spoolTables[tag]].push(json);
    current.count += 1;
    current.bytes += length;
    this.#bytes += length;
    this.#pending.push(line);
    if (!this.#written) {
      this.#written = new Promise((resolve2, reject) => {
        this.#settle = { resolve: resolve2, reject };
      });
      setImmediate(() => this.#writePending());
    }
    return this.#written;
  }
  #pending = [];
  #written = null;
  #settle = null;
  /** Writes the lines appended since the last write, then acknowledges them. */
  #writePending() {
    const settle = this.#settle;
    const lines = this.#pending;
    this.#pending = [];
    this.#written = null;
    this.#settle = null;
    if (lines.length === 0 || !settle) return settle?.resolve(true);
    try {
      const current = this.#current;
      writeSync(current.fd, lines.length === 1 ? lines[0] : lines.join(""));
      if (this.options.fsyncMs === 0) fsyncSync(current.fd);
      else current.dirty = true;
      settle.resolve(true);
    } catch (error) {
      settle.reject(error);
    }
  }
  #open() {
    const seq = this.#nextSeq++;
    const random = randomBytes7(8).toString("hex");
    const path = join2(this.dir, `segment-${String(seq).padStart(12, "0")}-${random}.log`);
    const token2 = `${this.id}:${seq}-${random}`;
    return { seq, token: token2, path, bytes: 0, count: 0, rows: emptyRows(), fd: openSync(path, "a"), dirty: false };
  }
  #fsyncCurrent() {
    const current = this.#current;
    if (!current?.dirty) return;
    current.dirty = false;
    fsync(current.fd, () => {
    });
  }
  /** Closes the open segment (fsync first) and queues it for insertion; no-op when it is empty. */
  seal() {
    this.#writePending();
    const current = this.#current;
    if (!current) return;
    this.#current = null;
    fsync(current.fd, () => close(current.fd, () => {
    }));
    const { fd: _fd, dirty: _dirty, ...segment } = current;
    this.sealed.push(segment);
  }
  /** The rows of a sealed segment, from memory or read back from its file. */
  rowsOf(segment) {
    return segment.rows ?? readSegment(segment.path);
  }
  /** Drops the in-memory copy of sealed segments past the first `keep` rows, to bound memory. */
  evictBeyond(keep) {
    let kept = 0;
    for (const segment of this.sealed) {
      if (!segment.rows) continue;
      kept += segment.count;
      if (kept > keep) segment.rows = null;
    }
  }
  /** Deletes a sealed segment once its rows are stored. */
  remove(segment) {
    const index = this.sealed.indexOf(segment);
    if (index >= 0) this.sealed.splice(index, 1);
    unlinkSync(segment.path);
    this.#bytes -= segment.bytes;
  }
  close() {
    if (this.#fsyncTimer) clearInterval(this.#fsyncTimer);
    this.seal();
  }
};

// collector/src/pipeline/quarantine.ts
import { closeSync, fsyncSync as fsyncSync2, mkdirSync as mkdirSync3, openSync as openSync2, readdirSync as readdirSync3, readFileSync as readFileSync4, renameSync, statSync, writeSync as writeSync2 } from "node:fs";
import { join as join3 } from "node:path";
var longestError = 2e3;
var errorText = (error) => {
  const { type, message } = error ?? {};
  const text = `${typeof type === "string" ? `${type}: ` : ""}${String(message ?? error)}`;
  return text.length > longestError ? text.slice(0, longestError) : text;
};
var Quarantine = class {
  constructor(dataDir2, maxBytes) {
    this.maxBytes = maxBytes;
    this.dir = join3(dataDir2, "quarantine");
    mkdirSync3(this.dir, { recursive: true });
  }
  maxBytes;
  dir;
  #stats = { rows: 0, bytes: 0, discardedRows: 0 };
  /** The directory's mtime when #stats was counted: an operator deleting a file is seen at the next look. */
  #countedAt = -1;
  /** What the quarantine holds (recounted when its directory changed). */
  get stats() {
    mkdirSync3(this.dir, { recursive: true });
    const changedAt = statSync(this.dir).mtimeMs;
    if (changedAt !== this.#countedAt) {
      let rows2 = 0;
      let bytes = 0;
      for (const name2 of readdirSync3(this.dir)) {
        if (!name2.endsWith(".jsonl")) continue;
        const content = readFileSync4(join3(this.dir, name2));
        bytes += content.length;
        for (let i = content.indexOf(10); i >= 0; i = content.indexOf(10, i + 1)) rows2 += 1;
      }
      this.#stats = { ...this.#stats, rows: rows2, bytes };
      this.#countedAt = changedAt;
    }
    return { ...this.#stats };
  }
  /**
   * Keeps the refused rows of one batch under `name` (the same name for the same rows on every
   * replay); returns the file's path, or null when they did not fit in the budget.
   */
  keep(name2, table, refused) {
    const content = refused.map(({ line, error }) => `{"table":${JSON.stringify(table)},"error":${JSON.stringify(errorText(error))},"row":${line}}
`).join("");
    const path = join3(this.dir, `${name2}.${table}.jsonl`);
    let replaced = 0;
    try {
      replaced = statSync(path).size;
    } catch {
    }
    if (this.stats.bytes - replaced + Buffer.byteLength(content) > this.maxBytes) {
      this.#stats.discardedRows += refused.length;
      return null;
    }
    const temporary = `${path}.tmp`;
    const fd = openSync2(temporary, "w");
    try {
      writeSync2(fd, content);
      fsyncSync2(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
    const dir = openSync2(this.dir, "r");
    try {
      fsyncSync2(dir);
    } finally {
      closeSync(dir);
    }
    this.#countedAt = -1;
    return path;
  }
};

// collector/src/pipeline/spool-writer.ts
import { basename } from "node:path";

// collector/src/pipeline/content-errors.ts
var contentErrorTypes = /* @__PURE__ */ new Set([
  "ATTEMPT_TO_READ_AFTER_EOF",
  "CANNOT_CONVERT_TYPE",
  "CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN",
  "CANNOT_READ_ALL_DATA",
  "ILLEGAL_SYNTAX_FOR_DATA_TYPE",
  "INCORRECT_DATA",
  "TOO_LARGE_STRING_SIZE",
  "TYPE_MISMATCH",
  "UNKNOWN_ELEMENT_OF_ENUM",
  "VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE"
]);
function refusedForContent(error) {
  const { type, message } = error ?? {};
  if (typeof type !== "string") return false;
  if (!type.startsWith("CANNOT_PARSE_") && !contentErrorTypes.has(type)) return false;
  return !String(message).includes("while pushing to view");
}

// collector/src/pipeline/spool-writer.ts
var blockLimit = String(2 ** 40);
function insertLines(db2) {
  return async (table, lines, token2) => {
    const settings2 = [
      `insert_deduplication_token = '${token2.replaceAll("'", "''")}'`,
      // The rollups' materialized views deduplicate a retried batch too, not only website_event.
      "deduplicate_blocks_in_dependent_materialized_views = 1",
      // One batch, one block: ClickHouse otherwise squashes parsed rows into blocks of about 1M
      // rows or 256 MiB and writes each as it fills, so a row refused late in a large batch would
      // leave the rows before it stored under a token its halves do not share, and splitting
      // the batch would store them twice.
      `min_insert_block_size_rows = ${blockLimit}`,
      `min_insert_block_size_bytes = ${blockLimit}`
    ];
    await db2.command({ query: `INSERT INTO ${table} SETTINGS ${settings2.join(", ")} FORMAT JSONEachRow
${lines.join("\n")}` });
  };
}
var maxBackoffMs = 3e4;
var SpoolWriter = class {
  constructor(spool, quarantine, insert, options, log) {
    this.spool = spool;
    this.quarantine = quarantine;
    this.insert = insert;
    this.options = options;
    this.log = log;
    this.#timer = setInterval(() => this.#tick(), options.intervalMs);
    this.#timer.unref();
    if (spool.sealed.length > 0) {
      log.info({ segments: spool.sealed.length, rows: this.backlog.rows }, "replaying the spool left by the last run");
      this.#kick();
    }
  }
  spool;
  quarantine;
  insert;
  options;
  log;
  #running = null;
  #timer;
  #failures = 0;
  #retryAt = 0;
  /** Rows and bytes not yet in ClickHouse. */
  get backlog() {
    return { rows: this.spool.openRows + this.spool.sealed.reduce((sum, s) => sum + s.count, 0), bytes: this.spool.bytes };
  }
  /** Spools a row: resolves true once it is written, false when the spool's disk budget is spent. */
  enqueue(tag, row) {
    const written = this.spool.append(tag, row);
    if (this.spool.openRows >= this.options.maxRows) {
      this.spool.seal();
      this.#kick();
    }
    return written;
  }
  #tick() {
    this.spool.seal();
    this.#kick();
  }
  #kick() {
    if (!this.#running) this.#running = this.#drain().finally(() => this.#running = null);
  }
  /** Inserts sealed segments until none is left or one fails (then waits for its backoff). */
  async #drain() {
    while (this.spool.sealed.length > 0) {
      if (Date.now() < this.#retryAt) return;
      this.spool.evictBeyond(this.options.memoryRows);
      const segment = this.spool.sealed[0];
      try {
        const rows2 = this.spool.rowsOf(segment);
        for (const table of Object.values(spoolTables)) {
          const lines = rows2[table];
          if (lines.length === 0) continue;
          const refused = [];
          await this.#insertIsolating(table, lines, `${segment.token}:${table}`, refused, 0, lines.length);
          if (refused.length > 0) this.#quarantine(segment, table, lines.length, refused);
        }
        this.spool.remove(segment);
        this.#failures = 0;
      } catch (error) {
        this.#failures += 1;
        const backoff = Math.min(maxBackoffMs, 100 * 2 ** this.#failures);
        this.#retryAt = Date.now() + backoff;
        this.log.warn({ err: error, segment: segment.seq, retryInMs: backoff }, "insert failed; the rows stay spooled and will be retried");
        return;
      }
    }
  }
  /**
   * Inserts lines [from, to) of a batch. When ClickHouse refuses them for their content, inserts
   * each half on its own, down to single rows, which are then added to `refused`. Each part's
   * token names its range, so the same batch always splits into the same parts under the same
   * tokens and a retry or a replay never stores a part twice. An outage rejects, and the whole
   * batch is retried later.
   */
  async #insertIsolating(table, lines, token2, refused, from, to) {
    const whole = from === 0 && to === lines.length;
    try {
      await this.insert(table, whole ? lines : lines.slice(from, to), whole ? token2 : `${token2}:${from}-${to}`);
    } catch (error) {
      if (!refusedForContent(error)) throw error;
      if (to - from === 1) {
        refused.push({ line: lines[from], error });
        return;
      }
      const middle = from + Math.ceil((to - from) / 2);
      await this.#insertIsolating(table, lines, token2, refused, from, middle);
      await this.#insertIsolating(table, lines, token2, refused, middle, to);
    }
  }
  #quarantine(segment, table, batchRows, refused) {
    const path = this.quarantine.keep(basename(segment.path, ".log"), table, refused);
    const context = { table, segment: basename(segment.path), refusedRows: refused.length, storedRows: batchRows - refused.length, err: refused[0].error };
    if (path) this.log.error({ ...context, quarantine: path }, "ClickHouse refused rows for their content: the rest of the batch is stored, these rows are quarantined");
    else this.log.error(context, "ClickHouse refused rows for their content and the quarantine is full (QUARANTINE_MAX_BYTES): these rows are dropped");
  }
  /** Seals and inserts everything spooled now; rejects if an insert fails. */
  async flush() {
    this.spool.seal();
    this.#retryAt = 0;
    while (this.#running) await this.#running;
    while (this.spool.sealed.length > 0) {
      const before = this.spool.sealed[0];
      this.#kick();
      await this.#running;
      if (this.spool.sealed[0] === before) throw new Error("insert failed; rows remain spooled");
    }
  }
  /**
   * Stops the timer and inserts what is spooled, retrying until `timeoutMs` has passed; whatever
   * is left stays in the spool for the next start.
   */
  async close(timeoutMs) {
    clearInterval(this.#timer);
    this.spool.seal();
    const deadline = Date.now() + timeoutMs;
    while (this.spool.sealed.length > 0 && Date.now() < deadline) {
      try {
        await this.flush();
      } catch {
        await new Promise((resolve2) => setTimeout(resolve2, Math.min(250, Math.max(0, deadline - Date.now()))));
      }
    }
    this.spool.close();
    const left = this.backlog;
    if (left.rows > 0) this.log.warn(left, "rows left in the spool; they are inserted at the next start");
  }
};

// collector/src/tracker/script-route.ts
import { createHash as createHash3 } from "node:crypto";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
function prepare(script, collectPath2) {
  const source = script.toString("utf8");
  const literal = '"/api/send"';
  if (source.split(literal).length !== 2) throw new Error("dist/tracker.js must contain the collect path literal exactly once");
  const body = Buffer.from(source.replace(literal, JSON.stringify(collectPath2)));
  return {
    etag: `"${createHash3("sha256").update(body).digest("base64url").slice(0, 22)}"`,
    variants: [
      { body: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }), encoding: "br" },
      { body: gzipSync(body, { level: 9 }), encoding: "gzip" },
      { body, encoding: null }
    ]
  };
}
function accepts(header, encoding) {
  if (!header) return false;
  return header.split(",").some((part) => {
    const [name2, ...params] = part.trim().split(";");
    return name2 === encoding && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
  });
}
async function scriptRoute(app, { script, aliases, collectPath: collectPath2 }) {
  const { etag, variants } = prepare(script, collectPath2);
  for (const path of ["/script.js", ...aliases]) {
    app.get(path, { config: { public: true } }, async (request, reply) => {
      reply.header("etag", etag).header("cache-control", "public, max-age=3600, must-revalidate").header("vary", "accept-encoding").header("access-control-allow-origin", "*");
      if (request.headers["if-none-match"] === etag) return reply.code(304).send();
      const header = request.headers["accept-encoding"];
      const variant = variants.find((v) => v.encoding === null || accepts(header, v.encoding));
      if (variant.encoding) reply.header("content-encoding", variant.encoding);
      return reply.type("application/javascript; charset=utf-8").send(variant.body);
    });
  }
}

// collector/src/websites/websites.ts
import { randomUUID as randomUUID8 } from "node:crypto";
var toWebsite = ({ createdBy, teamId, ...row }) => ({
  ...row,
  userId: teamId === null ? createdBy : null,
  teamId,
  createdBy,
  deletedAt: null
});
var select = `SELECT id, name, domain, toString(user_id) AS createdBy, share_id AS shareId, if(team_id IS NULL, NULL, toString(team_id)) AS teamId,
  created_at AS createdAt, updated_at AS updatedAt, reset_at AS resetAt FROM websites FINAL WHERE deleted = 0`;
var knownTtlMs = 6e4;
var unknownTtlMs = 1e4;
var cacheLimit3 = 5e4;
var removingTtlMs = 1e3;
var uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
var Websites = class {
  constructor(db2) {
    this.db = db2;
  }
  db;
  #exists = /* @__PURE__ */ new Map();
  #lastVersion = 0;
  /** A new website of the user's, or of `teamId` (created by the user). */
  async create(userId, name2, domain, teamId = null) {
    const at = (/* @__PURE__ */ new Date()).toISOString();
    const website = toWebsite({ id: randomUUID8(), name: name2, domain, createdBy: userId, teamId, shareId: null, createdAt: at, updatedAt: at, resetAt: null });
    await this.#write(website);
    this.#exists.set(website.id, { live: true, until: Date.now() + knownTtlMs });
    return website;
  }
  async #write(website, deleted = false) {
    const now = Date.now();
    await this.db.insert({
      table: "websites",
      values: [
        {
          id: website.id,
          name: website.name,
          domain: website.domain,
          user_id: website.userId ?? website.createdBy,
          team_id: website.teamId,
          share_id: website.shareId,
          created_at: Date.parse(website.createdAt),
          updated_at: Date.parse(website.updatedAt),
          reset_at: website.resetAt === null ? null : Date.parse(website.resetAt),
          deleted: deleted ? 1 : 0,
          version: this.#lastVersion = Math.max(now, this.#lastVersion + 1)
        }
      ],
      format: "JSONEachRow"
    });
  }
  /** Gives the website to a user or a team. */
  async transfer(website, to) {
    const updated = {
      ...website,
      ..."userId" in to ? { userId: to.userId, teamId: null, createdBy: to.userId } : { userId: null, teamId: to.teamId },
      updatedAt: (/* @__PURE__ */ new Date()).toISOString()
    };
    await this.#write(updated);
    return updated;
  }
  async update(website, changes) {
    const updated = { ...website, updatedAt: (/* @__PURE__ */ new Date()).toISOString() };
    if (changes.name !== void 0) updated.name = changes.name;
    if (changes.domain !== void 0) updated.domain = changes.domain;
    if (changes.shareId !== void 0) updated.shareId = changes.shareId;
    await this.#write(updated);
    return updated;
  }
  /**
   * Drops every event of a website, keeping the website. Answers at once: `resetAt` is written
   * first, and while ClickHouse removes the rows in the background the read API hides every event
   * up to it (see `removing`).
   */
  async reset(website) {
    const now = (/* @__PURE__ */ new Date()).toISOString();
    const updated = { ...website, resetAt: now, updatedAt: now };
    await this.#write(updated);
    await this.#removeData(website.id);
    return updated;
  }
  /** Deletes a website at once (it answers 404, its events are refused); ClickHouse removes its data in the background. */
  async delete(website) {
    await this.#write(website, true);
    this.#exists.set(website.id, { live: false, until: Date.now() + knownTtlMs });
    await this.#removeData(website.id);
  }
  /**
   * Asks ClickHouse to delete the website's rows from every table, asynchronously: each DELETE
   * returns once registered (milliseconds, whatever the table's size) and runs as a mutation in
   * the background, kept across restarts. It affects the rows stored when it was registered, so
   * events arriving after a reset stay. Done one after the other synchronously, the deletes took
   * seconds on large tables and held every other query of the embedded engine meanwhile.
   */
  async #removeData(websiteId3) {
    if (!uuid.test(websiteId3)) throw new Error(`not a website id: ${websiteId3}`);
    for (const table of websiteDataTables) {
      await this.db.command({ query: `DELETE FROM ${table} WHERE website_id = '${websiteId3}' SETTINGS lightweight_deletes_sync = 0` });
    }
    this.#removing.delete(websiteId3);
    await markWebsiteChanged(this.db, websiteId3);
  }
  /** Websites whose deletes were found done, until when that answer is trusted. */
  #removing = /* @__PURE__ */ new Map();
  /**
   * True while ClickHouse is still deleting rows of the website (after a reset or a delete), by
   * its pending mutations. "Done" is remembered for a second; "pending" is looked up each time,
   * so the old rows show again nowhere and the hiding ends as soon as they are gone.
   */
  async removing(websiteId3) {
    const done = this.#removing.get(websiteId3);
    if (done && done.until > Date.now()) return false;
    const result = await this.db.query({
      query: `SELECT count() AS n FROM system.mutations WHERE NOT is_done AND database = currentDatabase() AND position(command, '${websiteId3}') > 0`,
      format: "JSONEachRow"
    });
    const pending = ((await result.json())[0]?.n ?? 0) > 0;
    if (!pending) {
      if (this.#removing.size > cacheLimit3) this.#removing.clear();
      this.#removing.set(websiteId3, { until: Date.now() + removingTtlMs });
    }
    return pending;
  }
  /** The website shared under `shareId`, or null (none, or sharing turned off). */
  async byShareId(shareId) {
    const result = await this.db.query({ query: `${select} AND share_id = {shareId:String} LIMIT 1`, query_params: { shareId }, format: "JSONEachRow" });
    const [row] = await result.json();
    return row ? toWebsite(row) : null;
  }
  async get(id) {
    const result = await this.db.query({
      query: `${select} AND id = toUUIDOrZero({id:String}) LIMIT 1`,
      query_params: { id },
      format: "JSONEachRow"
    });
    const [row] = await result.json();
    return row ? toWebsite(row) : null;
  }
  /** One page of the websites a user owns (all of them for `userId` null), newest first. */
  /**
   * One page of websites, newest first: every website (`owner` null), a user's own (`userId`),
   * with `includeTeams` also those of the user's teams, or a team's (`teamId`).
   */
  async list(owner, page, pageSize) {
    const ownedBy = owner === null ? "" : "teamId" in owner ? " AND team_id = toUUIDOrZero({teamId:String})" : owner.includeTeams ? ` AND ((team_id IS NULL AND user_id = toUUID({userId:String})) OR team_id IN (${teamIdsOfUser}))` : " AND team_id IS NULL AND user_id = toUUID({userId:String})";
    const params = {
      userId: owner !== null && "userId" in owner ? owner.userId : "",
      teamId: owner !== null && "teamId" in owner ? owner.teamId : "",
      limit: String(pageSize),
      offset: String((page - 1) * pageSize)
    };
    const [rows2, total] = await Promise.all([
      this.db.query({
        query: `${select}${ownedBy} ORDER BY created_at DESC LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
        query_params: params,
        format: "JSONEachRow"
      }).then((r) => r.json()),
      this.db.query({ query: `SELECT count() AS n FROM websites FINAL WHERE deleted = 0${ownedBy}`, query_params: params, format: "JSONEachRow" }).then((r) => r.json())
    ]);
    return { data: rows2.map(toWebsite), count: total[0]?.n ?? 0 };
  }
  /** Whether events for this id are accepted; answered from the cache when it can. */
  async accepts(id) {
    const now = Date.now();
    const cached = this.#exists.get(id);
    if (cached && cached.until > now) return cached.live;
    const result = await this.db.query({
      query: "SELECT count() AS n FROM websites FINAL WHERE deleted = 0 AND id = toUUIDOrZero({id:String})",
      query_params: { id },
      format: "JSONEachRow"
    });
    const live2 = ((await result.json())[0]?.n ?? 0) > 0;
    if (this.#exists.size >= cacheLimit3) this.#exists.clear();
    this.#exists.set(id, { live: live2, until: now + (live2 ? knownTtlMs : unknownTtlMs) });
    return live2;
  }
};

// collector/src/teams/team-routes.ts
var teamParams = { type: "object", required: ["teamId"], properties: { teamId: { type: "string", pattern: uuidPattern } } };
var memberParams = {
  type: "object",
  required: ["teamId", "userId"],
  properties: { teamId: { type: "string", pattern: uuidPattern }, userId: { type: "string", pattern: uuidPattern } }
};
var name = { type: "string", minLength: 1, maxLength: 50 };
var grantable = { type: "string", enum: ["team-manager", "team-member", "team-view-only"] };
var pageQuery = { type: "object", properties: pagingProperties };
async function teamRoutes(app, { teams, users: users2, websites }) {
  const teamFor = async (request, user) => {
    const team = await teams.get(request.params.teamId.toLowerCase());
    const role2 = team ? await teams.roleFor(team.id, user) : null;
    if (!team || !role2) throw new ApiError("notFound", "Team not found");
    return { team, role: role2 };
  };
  const needs = (allowed, what) => {
    if (!allowed) throw new ApiError("forbidden", `Your role in the team cannot ${what}`);
  };
  const shown = (team, role2) => teamCan.manage(role2) ? team : { ...team, accessCode: void 0 };
  const withUser = async (member) => {
    const user = await users2.findById(member.userId);
    return { ...member, user: user ? { id: user.id, username: user.username } : null };
  };
  app.post(
    "/api/teams",
    { schema: { body: { type: "object", required: ["name"], properties: { name } } }, config: { write: true } },
    async (request) => teams.create(request.body.name, currentUser(request).id)
  );
  const listTeams = async (request, userId) => {
    const { page, pageSize } = request.query;
    const viewer = currentUser(request);
    const { data, count } = await teams.list(userId, page, pageSize);
    return { data: await Promise.all(data.map(async (team) => shown(team, await teams.roleFor(team.id, viewer)))), count, page, pageSize };
  };
  app.get("/api/teams", { schema: { querystring: pageQuery } }, async (request) => {
    const user = currentUser(request);
    return listTeams(request, user.role === "admin" ? null : user.id);
  });
  app.get("/api/me/teams", { schema: { querystring: pageQuery } }, async (request) => listTeams(request, currentUser(request).id));
  app.post(
    "/api/teams/join",
    { schema: { body: { type: "object", required: ["accessCode"], properties: { accessCode: { type: "string", minLength: 1, maxLength: 100 } } } } },
    async (request) => {
      const user = currentUser(request);
      const team = await teams.byAccessCode(request.body.accessCode);
      if (!team) throw new ApiError("notFound", "No team has this access code");
      if (await teams.member(team.id, user.id)) throw new ApiError("badRequest", "You are already a member of this team");
      return teams.setMember(team.id, user.id, "team-member");
    }
  );
  app.get("/api/teams/:teamId", { schema: { params: teamParams } }, async (request) => {
    const { team, role: role2 } = await teamFor(request, currentUser(request));
    return shown(team, role2);
  });
  app.post(
    "/api/teams/:teamId",
    { schema: { params: teamParams, body: { type: "object", properties: { name, accessCode: { type: "string", minLength: 8, maxLength: 100 } } } } },
    async (request) => {
      const { team, role: role2 } = await teamFor(request, currentUser(request));
      needs(teamCan.manage(role2), "change the team");
      if (request.body.accessCode && (await teams.byAccessCode(request.body.accessCode))?.id !== void 0) {
        throw new ApiError("badRequest", "Another team has this access code");
      }
      return teams.update(team, request.body);
    }
  );
  app.delete("/api/teams/:teamId", { schema: { params: teamParams, body: noBody } }, async (request) => {
    const user = currentUser(request);
    const { team, role: role2 } = await teamFor(request, user);
    needs(teamCan.delete(role2), "delete the team");
    for (; ; ) {
      const { data } = await websites.list({ teamId: team.id }, 1, 100);
      if (data.length === 0) break;
      for (const website of data) await websites.delete(website);
    }
    await teams.delete(team);
    return { ok: true };
  });
  app.get("/api/teams/:teamId/users", { schema: { params: teamParams, querystring: pageQuery } }, async (request) => {
    const { team } = await teamFor(request, currentUser(request));
    const { page, pageSize } = request.query;
    const members = await teams.members(team.id);
    const data = await Promise.all(members.slice((page - 1) * pageSize, page * pageSize).map(withUser));
    return { data, count: members.length, page, pageSize };
  });
  app.post(
    "/api/teams/:teamId/users",
    { schema: { params: teamParams, body: { type: "object", required: ["userId", "role"], properties: { userId: { type: "string", pattern: uuidPattern }, role: grantable } } } },
    async (request) => {
      const { team, role: role2 } = await teamFor(request, currentUser(request));
      needs(teamCan.manage(role2), "add members");
      const user = await users2.findById(request.body.userId.toLowerCase());
      if (!user) throw new ApiError("notFound", "User not found");
      if (await teams.member(team.id, user.id)) throw new ApiError("badRequest", "The user is already a member of this team");
      return teams.setMember(team.id, user.id, request.body.role);
    }
  );
  const changeableMember = async (request, what, allowSelf = false) => {
    const { team, role: role2 } = await teamFor(request, request.user);
    const member = await teams.member(team.id, request.params.userId.toLowerCase());
    if (!member) throw new ApiError("notFound", "Not a member of this team");
    if (member.role === "team-owner") throw new ApiError("badRequest", "The team's owner stays; delete the team instead");
    needs(teamCan.manage(role2) || allowSelf && member.userId === request.user.id, what);
    return member;
  };
  app.get("/api/teams/:teamId/users/:userId", { schema: { params: memberParams } }, async (request) => {
    const { team } = await teamFor(request, currentUser(request));
    const member = await teams.member(team.id, request.params.userId.toLowerCase());
    if (!member) throw new ApiError("notFound", "Not a member of this team");
    return withUser(member);
  });
  app.post(
    "/api/teams/:teamId/users/:userId",
    { schema: { params: memberParams, body: { type: "object", required: ["role"], properties: { role: grantable } } } },
    async (request) => {
      const member = await changeableMember({ params: request.params, user: currentUser(request) }, "change roles");
      return teams.setMember(member.teamId, member.userId, request.body.role);
    }
  );
  app.delete("/api/teams/:teamId/users/:userId", { schema: { params: memberParams, body: noBody } }, async (request) => {
    const member = await changeableMember({ params: request.params, user: currentUser(request) }, "remove members", true);
    await teams.removeMember(member);
    return { ok: true };
  });
  app.get("/api/teams/:teamId/websites", { schema: { params: teamParams, querystring: pageQuery } }, async (request) => {
    const { team } = await teamFor(request, currentUser(request));
    const { page, pageSize } = request.query;
    return { ...await websites.list({ teamId: team.id }, page, pageSize), page, pageSize };
  });
  app.get("/api/me/websites", { schema: { querystring: pageQuery } }, async (request) => {
    const { page, pageSize } = request.query;
    return { ...await websites.list({ userId: currentUser(request).id, includeTeams: true }, page, pageSize), page, pageSize };
  });
  const selfOrAdmin = (request, user) => {
    const id = request.params.userId.toLowerCase();
    if (user.role !== "admin" && id !== user.id) throw new ApiError("forbidden", "Only admins may see another user's websites and teams");
    return id;
  };
  const userParams2 = { type: "object", required: ["userId"], properties: { userId: { type: "string", pattern: uuidPattern } } };
  app.get("/api/users/:userId/websites", { schema: { params: userParams2, querystring: pageQuery } }, async (request) => {
    const id = selfOrAdmin(request, currentUser(request));
    const { page, pageSize } = request.query;
    return { ...await websites.list({ userId: id, includeTeams: true }, page, pageSize), page, pageSize };
  });
  app.get(
    "/api/users/:userId/teams",
    { schema: { params: userParams2, querystring: pageQuery } },
    async (request) => listTeams(request, selfOrAdmin(request, currentUser(request)))
  );
}

// collector/src/app.ts
function buildCollector({ config: config2, db: db2, appSecret, trackerScript, insert, passwordCost, hashingCapacity: hashingCapacity2, dashboardDir }) {
  const app = Fastify({
    logger: { level: config2.logLevel },
    trustProxy: config2.trustProxy,
    // Fastify sets no request timeouts by default; a beacon or an API call never needs long.
    requestTimeout: 3e4,
    connectionTimeout: 6e4,
    keepAliveTimeout: 65e3,
    bodyLimit: 1024 * 1024,
    clientErrorHandler,
    // One log line per beacon would cost more than the beacon; errors are still logged.
    logController: new LogController({ disableRequestLogging: true })
  });
  installValidation(app);
  installErrorHandling(app);
  installSecurityHeaders(app);
  const passwords = new Passwords(passwordCost, hashingCapacity2);
  const users2 = new Users(db2, passwords);
  const tokens = new Tokens(db2);
  const apiKeys = new ApiKeys(db2);
  const auth = { users: users2, passwords, tokens, apiKeys, limiter: new LoginLimiter(), twoFactor: new TwoFactor(appSecret, db2), devices: new KnownDevices(appSecret) };
  const websites = new Websites(db2);
  const shareLinks = new ShareLinks(appSecret);
  const teams = new Teams(db2);
  const spool = new Spool(config2.dataDir, { maxBytes: config2.spoolMaxBytes, fsyncMs: config2.spoolFsyncMs });
  const quarantine = new Quarantine(config2.dataDir, config2.quarantineMaxBytes);
  const insertBatch = insert ?? insertLines(db2);
  const writer = new SpoolWriter(
    spool,
    quarantine,
    insertBatch,
    { maxRows: config2.batchMaxRows, intervalMs: config2.batchIntervalMs, memoryRows: config2.spoolMemoryRows },
    app.log
  );
  const visitors = new VisitorIdentifier(appSecret);
  const geo = new GeoLocator(config2);
  installGuard(app, { ...auth, shareLinks });
  const routes = [];
  app.addHook("onRoute", (route) => {
    const { public: open = false, admin: admin2 = false, write = false } = route.config ?? {};
    for (const method of [route.method].flat()) {
      if (method !== "HEAD") routes.push({ method, url: route.url, public: open, admin: admin2, write });
    }
  });
  app.get("/api/heartbeat", { config: { public: true } }, async (request) => {
    const detail = config2.heartbeatDetailFrom.includes(request.ip) || (await authenticate(request, auth))?.user.role === "admin";
    return detail ? { ok: true, backlog: writer.backlog, quarantine: quarantine.stats } : { ok: true };
  });
  if (dashboardDir) app.register(dashboardRoute, { dir: dashboardDir });
  app.register(scriptRoute, { script: trackerScript, aliases: config2.trackerScriptAliases, collectPath: config2.collectPath });
  app.register(sendRoute, { config: config2, websites, visitors, geo, writer, paths: [.../* @__PURE__ */ new Set(["/api/send", config2.collectPath])] });
  app.register(authRoutes, { ...auth, teams });
  app.register(meRoutes, auth);
  app.register(twoFactorRoutes, auth);
  app.register(userRoutes, auth);
  app.register(websiteRoutes, { websites, teams });
  app.register(shareRoute, { websites, shareLinks });
  app.register(teamRoutes, { teams, users: users2, websites });
  app.register(analyticsRoutes, { websites, teams, db: db2, readBounds: { timeoutMs: config2.readTimeoutMs, maxMemoryBytes: config2.readMaxMemoryBytes } });
  drainConnectionsOnClose(app, config2.shutdownTimeoutMs);
  app.addHook("onClose", () => writer.close(config2.shutdownTimeoutMs));
  return { app, users: users2, websites, writer, flush: () => writer.flush(), routes };
}
function drainConnectionsOnClose(app, timeoutMs) {
  let reaper;
  let deadline;
  app.addHook("preClose", (done) => {
    reaper = setInterval(() => app.server.closeIdleConnections(), 50);
    deadline = setTimeout(() => app.server.closeAllConnections(), timeoutMs);
    done();
  });
  app.addHook("onClose", (_instance, done) => {
    clearInterval(reaper);
    clearTimeout(deadline);
    done();
  });
}

// collector/src/secret.ts
import { randomBytes as randomBytes8 } from "node:crypto";
import { mkdirSync as mkdirSync4, readFileSync as readFileSync5, writeFileSync as writeFileSync2 } from "node:fs";
import { join as join4 } from "node:path";
function loadAppSecret(configured, dataDir2) {
  if (configured) return configured;
  const file = join4(dataDir2, "app-secret");
  try {
    const kept = readFileSync5(file, "utf8").trim();
    if (kept.length >= 32) return kept;
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
  }
  mkdirSync4(dataDir2, { recursive: true });
  const secret = randomBytes8(32).toString("base64url");
  writeFileSync2(file, secret + "\n", { mode: 384 });
  return secret;
}

// collector/src/start.ts
async function startCollector(config2, trackerScript, options = {}) {
  const db2 = await openStorage(config2);
  try {
    await migrate(db2);
    const appSecret = loadAppSecret(config2.appSecret, config2.dataDir);
    const collector = buildCollector({ config: config2, db: db2, appSecret, trackerScript, ...options });
    const admin2 = await collector.users.ensureFirstAdmin(config2.adminPassword);
    if (admin2.generatedPassword) {
      process.stdout.write(`
Created the first user: admin / ${admin2.generatedPassword}
This password is shown only now.

`);
    }
    await collector.app.listen({ port: config2.port, host: config2.host });
    const address = collector.app.server.address();
    const port = typeof address === "object" && address ? address.port : config2.port;
    const host = config2.host === "0.0.0.0" || config2.host === "::" ? "127.0.0.1" : config2.host;
    const visitRollups = new VisitRollups(db2);
    if (config2.visitRollupIntervalMs > 0) {
      visitRollups.start(config2.visitRollupIntervalMs, (error) => collector.app.log.error({ err: error }, "exit rollup failed; retrying at the next run"));
    }
    let stopping = null;
    const stop = () => stopping ??= (async () => {
      await Promise.all([visitRollups.stop(), collector.app.close()]);
      await db2.close();
    })();
    return { ...collector, db: db2, visitRollups, url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`, stop };
  } catch (error) {
    await db2.close();
    throw error;
  }
}

// bench/seed-events.ts
var paths2 = ["/", "/pricing", "/docs", "/blog", "/about", "/signup", "/login", "/contact", "/features", "/changelog"].concat(Array.from({ length: 40 }, (_, i) => `/docs/page-${i}`)).concat(Array.from({ length: 150 }, (_, i) => `/blog/post-${i}`));
var referrers = ["google.com", "news.ycombinator.com", "twitter.com", "reddit.com", "github.com", "bing.com", "duckduckgo.com", "linkedin.com", "facebook.com", "producthunt.com"];
var browsers = ["chrome", "safari", "ios", "firefox", "edge-chromium", "samsung", "crios", "opera"];
var oses = ["Windows 10", "Mac OS", "iOS", "Android OS", "Linux", "Chrome OS"];
var devices = ["desktop", "mobile", "laptop", "tablet"];
var countries = ["US", "DE", "GB", "FR", "IN", "CA", "NL", "BR", "JP", "AU", "ES", "IT", "SE", "PL", "CH"];
var languages = ["en-US", "de-DE", "en-GB", "fr-FR", "es-ES", "ja-JP", "pt-BR", "nl-NL"];
var screens = ["1920x1080", "390x844", "1440x900", "2560x1440", "414x896", "1366x768"];
var eventNames = ["signup", "download", "outbound-link", "play-video", "newsletter", "search", "add-to-cart", "checkout"];
var array = (values) => `[${values.map((v) => `'${v}'`).join(",")}]`;
var pick = (values, seed) => `${array(values)}[1 + toUInt32(floor(pow((cityHash64(${seed}) % 10000) / 10000, 2) * ${values.length}))]`;
async function seedEvents(db2, websiteId3, { events: events2, days, now }) {
  const lengths = [1, 1, 1, 1, 2, 2, 3, 4, 5, 8];
  const visits2 = Math.max(1, Math.round(events2 / 2.8));
  const spanSeconds = days * 86400;
  const startSeconds = Math.floor(now / 1e3) - spanSeconds;
  await db2.command({
    query: `INSERT INTO website_event
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
        ${pick(paths2, "v, j, 'p'")} AS url_path,
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
          ${array(lengths.map(String)).replace(/'/g, "")}[1 + cityHash64(number, 'len') % ${lengths.length}] AS len,
          30 + cityHash64(number, 'step') % 270 AS step,
          arrayJoin(range(len)) AS j
        FROM numbers({visits:UInt64})
      )`,
    query_params: { websiteId: websiteId3, start: startSeconds, span: spanSeconds, visits: visits2 }
  });
  const result = await db2.query({
    query: "SELECT count() AS n FROM website_event WHERE website_id = {websiteId:UUID}",
    query_params: { websiteId: websiteId3 },
    format: "JSONEachRow"
  });
  return (await result.json())[0]?.n ?? 0;
}

// .scratch/req-times.ts
var events = Number(process.argv[2] ?? 1e6);
var dataDir = mkdtempSync(join5(tmpdir(), "reqtimes-"));
var password = "bench-dashboard-password";
var config = loadConfig({ DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", ADMIN_PASSWORD: password, LOG_LEVEL: "warn", VISIT_ROLLUP_INTERVAL_MS: "0" });
var db = await openStorage(config);
await migrate(db);
var users = new Users(db);
await users.ensureFirstAdmin(password);
var admin = (await users.list(1, 10)).data[0];
var websiteId2 = (await new Websites(db).create(admin.id, "Seeded site", "example.com")).id;
await seedEvents(db, websiteId2, { events, days: 90, now: Date.now() });
await new VisitRollups(db).runOnce({ settleMs: 0 });
await db.close();
var c = await startCollector(config, readFileSync6("dist/tracker.js"), { dashboardDir: new URL("../dist/dashboard/", import.meta.url) });
var { token } = await (await fetch(`${c.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "admin", password }) })).json();
var day = 864e5;
var start = /* @__PURE__ */ new Date();
start.setHours(0, 0, 0, 0);
var q = `startAt=${start.getTime() - 29 * day}&endAt=${Date.now()}`;
var paths3 = [
  "/api/heartbeat",
  "/api/me",
  `/api/websites/${websiteId2}`,
  `/api/websites/${websiteId2}/stats?${q}`,
  `/api/websites/${websiteId2}/pageviews?${q}&unit=day&timezone=UTC`,
  ...["path", "referrer", "country", "browser", "language", "event"].map((t) => `/api/websites/${websiteId2}/metrics?${q}&type=${t}&limit=10`),
  `/api/websites/${websiteId2}/active`,
  `/api/realtime/${websiteId2}`
];
for (let round = 0; round < 4; round++) {
  const out = [];
  let total = 0;
  for (const p of paths3) {
    const t = performance.now();
    const r = await fetch(c.url + p, { headers: { authorization: `Bearer ${token}` } });
    await r.text();
    const ms = performance.now() - t;
    total += ms;
    out.push(`${p.replace(/.*websites\/[^/?]+/, "w").replace(/\?.*type=(\w+).*/, ":$1").replace(/\?.*/, "")} ${ms.toFixed(0)}`);
  }
  console.log(`total ${total.toFixed(0)} | ${out.join(", ")}`);
}
await c.stop();
