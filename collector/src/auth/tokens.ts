import { createHash, randomBytes } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Opaque login tokens: 256 random bits, stored only as SHA-256, with an expiry, revocable.
 * Every check reads the database, so a revocation holds at once on every collector sharing it.
 */
export class Tokens {
  constructor(
    private readonly db: ClickHouseClient,
    private readonly ttlMs: number,
  ) {}

  /** Issues a token for a user; returns it (shown once) and when it expires. */
  async issue(userId: string): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    const expiresAt = now + this.ttlMs;
    await this.db.insert({
      table: 'auth_tokens',
      values: [{ token_hash: sha256(token), user_id: userId, created_at: now, expires_at: expiresAt, revoked: 0, version: now }],
      format: 'JSONEachRow',
    });
    return { token, expiresAt };
  }

  /** The user id a live token belongs to, or null when it is unknown, expired or revoked. */
  async userIdOf(token: string): Promise<string | null> {
    const result = await this.db.query({
      query: `SELECT toString(user_id) AS userId FROM auth_tokens FINAL
        WHERE token_hash = {hash:String} AND revoked = 0 AND expires_at > now64(3) LIMIT 1`,
      query_params: { hash: sha256(token) },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ userId: string }>();
    return row?.userId ?? null;
  }

  /** Revokes a token at once. */
  async revoke(token: string): Promise<void> {
    const hash = sha256(token);
    await this.db.command({
      query: `INSERT INTO auth_tokens (token_hash, user_id, created_at, expires_at, revoked, version)
        SELECT token_hash, user_id, created_at, expires_at, 1, greatest(version + 1, toUnixTimestamp64Milli(now64(3)))
        FROM auth_tokens FINAL WHERE token_hash = {hash:String}`,
      query_params: { hash },
    });
  }
}
