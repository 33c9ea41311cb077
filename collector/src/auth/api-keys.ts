import { randomBytes, randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { sha256 } from './tokens';
import { rows } from '../storage/client';
import { writeRecord } from '../storage/versioned-records';

/** Keys look like Umami's self-hosted ones: `umami_` and 256 random bits. */
export const apiKeyPrefix = 'umami_';

export interface ApiKey {
  id: string;
  name: string;
  keyPrefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  /** True when the key ends with the session that made it (the default). */
  boundToSession: boolean;
}

/** A key that is not revoked nor expired, and whose session (when it is bound to one) is live. */
const live = `revoked = 0 AND (expires_at IS NULL OR expires_at > now64(3))
  AND (session_hash = '' OR session_hash IN (SELECT token_hash FROM auth_tokens FINAL WHERE revoked = 0 AND expires_at > now64(3)))`;

/** The live keys matching `where`, with when each was last used. */
const selectKeys = (where: string) => `SELECT k.id AS id, k.name AS name, k.key_prefix AS keyPrefix, k.created_at AS createdAt,
    k.expires_at AS expiresAt, u.last AS lastUsedAt, toBool(k.session_hash != '') AS boundToSession
  FROM (SELECT * FROM api_keys FINAL WHERE ${live} AND ${where}) AS k
  LEFT JOIN (SELECT key_id, toNullable(max(used_at)) AS last FROM api_key_uses GROUP BY key_id) AS u ON u.key_id = k.id`;

/** A key's use is recorded at most this often (each request through it would be an insert otherwise). */
const useRecordedEveryMs = 60_000;

/** API keys for scripts and dashboards: shown once, stored as SHA-256, revocable, optionally expiring. */
export class ApiKeys {
  readonly #recordedAt = new Map<string, number>();

  constructor(private readonly db: ClickHouseClient) {}

  /** Records that a key was used now (its `lastUsedAt`), at most once a minute per key. */
  async touch(id: string, now = Date.now()): Promise<void> {
    if ((this.#recordedAt.get(id) ?? 0) > now - useRecordedEveryMs) return;
    if (this.#recordedAt.size > 100_000) this.#recordedAt.clear();
    this.#recordedAt.set(id, now);
    await this.db.insert({ table: 'api_key_uses', values: [{ key_id: id, used_at: now }], format: 'JSONEachRow' });
  }

  /**
   * A new key. `sessionToken`: the session that makes it, which the key will not outlive (it
   * stops when the session ends: logout, expiry, a password change); null for a key that stays.
   */
  async create(userId: string, name: string, expiresAt: number | null, sessionToken: string | null): Promise<ApiKey & { key: string }> {
    const key = apiKeyPrefix + randomBytes(32).toString('base64url');
    const now = Date.now();
    const row = {
      id: randomUUID(),
      user_id: userId,
      name,
      key_hash: sha256(key),
      key_prefix: key.slice(0, 12),
      created_at: now,
      expires_at: expiresAt,
      session_hash: sessionToken === null ? '' : sha256(sessionToken),
    };
    await writeRecord(this.db, 'api_keys', row, now);
    return {
      id: row.id,
      name,
      key,
      keyPrefix: row.key_prefix,
      createdAt: new Date(now).toISOString(),
      expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
      lastUsedAt: null,
      boundToSession: sessionToken !== null,
    };
  }

  async list(userId: string): Promise<ApiKey[]> {
    return rows<ApiKey>(this.db, `${selectKeys('user_id = toUUID({userId:String})')} ORDER BY createdAt`, { userId });
  }

  /** The live key, with the user it belongs to, or null. */
  async find(key: string): Promise<{ id: string; name: string; userId: string } | null> {
    if (!key.startsWith(apiKeyPrefix)) return null;
    const [found] = await rows<{ id: string; name: string; userId: string }>(
      this.db,
      `SELECT id, name, toString(user_id) AS userId FROM api_keys FINAL WHERE key_hash = {hash:String} AND ${live} LIMIT 1`,
      { hash: sha256(key) },
    );
    return found ?? null;
  }

  async #revokeWhere(where: string, params: Record<string, string>): Promise<number> {
    const [before] = await rows<{ n: number }>(this.db, `SELECT count() AS n FROM api_keys FINAL WHERE revoked = 0 AND ${where}`, params);
    const n = before?.n ?? 0;
    if (n > 0) {
      await this.db.command({
        query: `INSERT INTO api_keys (id, user_id, name, key_hash, key_prefix, created_at, expires_at, revoked, version)
          SELECT id, user_id, name, key_hash, key_prefix, created_at, expires_at, 1, greatest(version + 1, toUnixTimestamp64Milli(now64(3)))
          FROM api_keys FINAL WHERE revoked = 0 AND ${where}`,
        query_params: params,
      });
    }
    return n;
  }

  /** Revokes one of a user's keys; false when the user has no such key. */
  async revoke(userId: string, id: string): Promise<boolean> {
    return (await this.#revokeWhere('user_id = toUUID({userId:String}) AND id = toUUIDOrZero({id:String})', { userId, id })) > 0;
  }

  async revokeAllOf(userId: string): Promise<void> {
    await this.#revokeWhere('user_id = toUUID({userId:String})', { userId });
  }
}
