import { randomBytes, randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { hashPassword } from './passwords';

export type Role = 'admin' | 'user' | 'view-only';

export interface User {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
}

export interface StoredUser extends User {
  passwordHash: string;
}

/** The user as the API shows it (Umami's shape); never any password material. */
export function publicUser(user: User) {
  return { id: user.id, username: user.username, role: user.role, createdAt: user.createdAt, isAdmin: user.role === 'admin' };
}

const selectUser = `SELECT id, username, password_hash AS passwordHash, role, created_at AS createdAt
  FROM users FINAL WHERE deleted = 0`;

/** Users, kept in ClickHouse (ReplacingMergeTree: the newest version of a row wins). */
export class Users {
  constructor(private readonly db: ClickHouseClient) {}

  async #one(where: string, params: Record<string, string>): Promise<StoredUser | null> {
    const result = await this.db.query({ query: `${selectUser} AND ${where} LIMIT 1`, query_params: params, format: 'JSONEachRow' });
    const [row] = await result.json<StoredUser>();
    return row ?? null;
  }

  findByUsername(username: string): Promise<StoredUser | null> {
    return this.#one('username = {username:String}', { username });
  }

  findById(id: string): Promise<StoredUser | null> {
    return this.#one('id = toUUIDOrZero({id:String})', { id });
  }

  async count(): Promise<number> {
    const result = await this.db.query({ query: 'SELECT count() AS n FROM users FINAL WHERE deleted = 0', format: 'JSONEachRow' });
    const [row] = await result.json<{ n: number }>();
    return row?.n ?? 0;
  }

  async create(username: string, password: string, role: Role): Promise<User> {
    const now = Date.now();
    const user = { id: randomUUID(), username, role, createdAt: new Date(now).toISOString() };
    await this.db.insert({
      table: 'users',
      values: [{ id: user.id, username, password_hash: await hashPassword(password), role, created_at: now, version: now }],
      format: 'JSONEachRow',
    });
    return user;
  }

  /**
   * Creates the first admin (`admin`) when there are no users: with ADMIN_PASSWORD, or with a
   * generated password that is returned so the caller can print it once.
   */
  async ensureFirstAdmin(adminPassword: string | null): Promise<{ created: boolean; generatedPassword?: string }> {
    if ((await this.count()) > 0) return { created: false };
    const password = adminPassword ?? randomBytes(12).toString('base64url');
    await this.create('admin', password, 'admin');
    return adminPassword ? { created: true } : { created: true, generatedPassword: password };
  }
}
