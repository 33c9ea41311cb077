import { createHash, randomBytes } from 'node:crypto';
import { InFlight } from '../storage/in-flight';
import type { ClickHouseClient } from '@clickhouse/client';
import { rows } from '../storage/client';
import { writeRecord } from '../storage/versioned-records';

export const sha256 = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Login token lifetimes: a day, or 30 days when the user asks to be remembered. */
export const tokenLifetimeMs = { standard: 24 * 3600_000, rememberMe: 30 * 24 * 3600_000 } as const;

/**
 * Opaque login tokens: 256 random bits, stored only as SHA-256, with an expiry, revocable.
 * Every check reads the database, so a revocation holds at once on every collector sharing it.
 */
export class Tokens {
  readonly #checks = new InFlight<string | null>();

  constructor(private readonly db: ClickHouseClient) {}

  /** Issues a token for a user; returns it (shown once) and when it expires. */
  async issue(userId: string, lifetimeMs: number): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    const expiresAt = now + lifetimeMs;
    await writeRecord(this.db, 'auth_tokens', { token_hash: sha256(token), user_id: userId, created_at: now, expires_at: expiresAt, revoked: 0 }, now);
    return { token, expiresAt };
  }

  /** The user id a live token belongs to, or null when it is unknown, expired or revoked. */
  userIdOf(token: string): Promise<string | null> {
    const hash = sha256(token);
    // Identical checks running at once share one query; a revocation here forgets them (see InFlight).
    return this.#checks.get(hash, async () => {
      const [row] = await rows<{ userId: string }>(
        this.db,
        `SELECT toString(user_id) AS userId FROM auth_tokens FINAL
          WHERE token_hash = {hash:String} AND revoked = 0 AND expires_at > now64(3) LIMIT 1`,
        { hash },
      );
      return row?.userId ?? null;
    });
  }

  async #revokeWhere(where: string, params: Record<string, string>): Promise<void> {
    await this.db.command({
      query: `INSERT INTO auth_tokens (token_hash, user_id, created_at, expires_at, revoked, version)
        SELECT token_hash, user_id, created_at, expires_at, 1, greatest(version + 1, toUnixTimestamp64Milli(now64(3)))
        FROM auth_tokens FINAL WHERE revoked = 0 AND expires_at > now64(3) AND ${where}`,
      query_params: params,
    });
    this.#checks.forget();
  }

  /** Revokes one token at once. */
  revoke(token: string): Promise<void> {
    return this.#revokeWhere('token_hash = {hash:String}', { hash: sha256(token) });
  }

  /** Revokes every token of a user, but for `keep` (the session that asked, on a password change). */
  revokeAllOf(userId: string, keep?: string): Promise<void> {
    return this.#revokeWhere('user_id = toUUID({userId:String}) AND token_hash != {keep:String}', {
      userId,
      keep: keep ? sha256(keep) : '',
    });
  }
}
