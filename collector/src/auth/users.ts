import { randomBytes, randomUUID } from 'node:crypto';
import { usernameKey } from './account-rules';
import { InFlight } from '../storage/in-flight';
import type { ClickHouseClient } from '@clickhouse/client';
import { Passwords } from './passwords';
import { rows } from '../storage/client';
import { writeRecord } from '../storage/versioned-records';

export const roles = ['admin', 'user', 'view-only'] as const;
export type Role = (typeof roles)[number];

export interface User {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
  /** Lower case; empty when none was given. Unique among users. */
  email: string;
  /** A display name; empty when none was given. */
  name: string;
  emailVerified: boolean;
  /** Someone else chose the password: the user must choose their own before anything else. */
  mustChangePassword: boolean;
  totpEnabled: boolean;
}

export interface StoredUser extends User {
  passwordHash: string;
  /** Sealed TOTP secret; empty when two-factor sign-in was never set up. */
  totpSecret: string;
}

/** The user as the API shows it (Umami's shape); never any password material. */
export function publicUser(user: User) {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    createdAt: user.createdAt,
    isAdmin: user.role === 'admin',
    email: user.email || null,
    name: user.name || null,
    emailVerified: user.emailVerified,
  };
}

/** The fields of a user the guard carries on each request (no password material). */
export const requestUser = ({ passwordHash: _p, totpSecret: _s, ...user }: StoredUser): User => user;

/** An email address as stored and compared: trimmed, lower case. */
export const emailKey = (email: string) => email.trim().toLowerCase();

interface Row {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
  createdAt: string;
  totpSecret: string;
  totpEnabled: number;
  email: string;
  name: string;
  emailVerified: number;
  mustChangePassword: number;
}

const selectUser = `SELECT id, username, password_hash AS passwordHash, role, created_at AS createdAt,
  totp_secret AS totpSecret, totp_enabled AS totpEnabled, email, display_name AS name,
  email_verified AS emailVerified, must_change_password AS mustChangePassword FROM users FINAL WHERE deleted = 0`;

const toUser = (row: Row): StoredUser => ({
  ...row,
  totpEnabled: row.totpEnabled === 1,
  emailVerified: row.emailVerified === 1,
  mustChangePassword: row.mustChangePassword === 1,
});

/** What a new account may carry besides its name, password and role. */
export interface NewUserDetails {
  email?: string;
  name?: string;
  emailVerified?: boolean;
  mustChangePassword?: boolean;
}

/** Users, kept in ClickHouse (ReplacingMergeTree: the newest version of a row wins). */
export class Users {
  readonly #byId = new InFlight<StoredUser | null>();

  constructor(
    private readonly db: ClickHouseClient,
    private readonly passwords = new Passwords(),
  ) {}

  async #many(where: string, params: Record<string, unknown>, tail = ''): Promise<StoredUser[]> {
    return (await rows<Row>(this.db, `${selectUser} ${where} ${tail}`, params)).map(toUser);
  }

  /** The user with this name, compared as usernameKey does (case and Unicode forms aside). */
  async findByUsername(username: string): Promise<StoredUser | null> {
    const key = usernameKey(username);
    const candidates = await this.#many('AND lowerUTF8(username) = lowerUTF8({username:String})', { username: username.normalize('NFKC') }, 'LIMIT 10');
    return candidates.find((user) => usernameKey(user.username) === key) ?? null;
  }

  /** The user with this email address (case aside), or null. */
  async findByEmail(email: string): Promise<StoredUser | null> {
    const key = emailKey(email);
    if (!key) return null;
    return (await this.#many('AND email = {email:String}', { email: key }, 'LIMIT 1'))[0] ?? null;
  }

  /** A user by username, or else by email address: how every sign-in form finds an account. */
  async findForSignIn(nameOrEmail: string): Promise<StoredUser | null> {
    return (await this.findByUsername(nameOrEmail)) ?? (nameOrEmail.includes('@') ? this.findByEmail(nameOrEmail) : null);
  }

  /** A user by id; identical look-ups running at once share one query (see InFlight). */
  findById(id: string): Promise<StoredUser | null> {
    return this.#byId.get(id, async () => (await this.#many('AND id = toUUIDOrZero({id:String})', { id }, 'LIMIT 1'))[0] ?? null);
  }

  /** One page of users, oldest first, and how many there are. */
  async list(page: number, pageSize: number): Promise<{ data: StoredUser[]; count: number }> {
    const [data, count] = await Promise.all([
      this.#many('', { limit: pageSize, offset: (page - 1) * pageSize }, 'ORDER BY created_at LIMIT {limit:UInt32} OFFSET {offset:UInt32}'),
      this.count(),
    ]);
    return { data, count };
  }

  async count(role?: Role): Promise<number> {
    const [found] = await rows<{ n: number }>(this.db, `SELECT count() AS n FROM users FINAL WHERE deleted = 0${role ? ' AND role = {role:String}' : ''}`, {
      role: role ?? '',
    });
    return found?.n ?? 0;
  }

  async #write(user: StoredUser, deleted = false): Promise<void> {
    await writeRecord(this.db, 'users', {
      id: user.id,
      username: user.username,
      password_hash: user.passwordHash,
      role: user.role,
      created_at: new Date(user.createdAt).getTime(),
      totp_secret: user.totpSecret,
      totp_enabled: user.totpEnabled ? 1 : 0,
      email: user.email,
      display_name: user.name,
      email_verified: user.emailVerified ? 1 : 0,
      must_change_password: user.mustChangePassword ? 1 : 0,
      deleted: deleted ? 1 : 0,
    });
    this.#byId.forget();
  }

  async create(username: string, password: string, role: Role, details: NewUserDetails = {}): Promise<StoredUser> {
    const user: StoredUser = {
      id: randomUUID(),
      username,
      role,
      createdAt: new Date().toISOString(),
      passwordHash: await this.passwords.hash(password),
      totpSecret: '',
      totpEnabled: false,
      email: emailKey(details.email ?? ''),
      name: details.name ?? '',
      emailVerified: details.emailVerified ?? false,
      mustChangePassword: details.mustChangePassword ?? false,
    };
    await this.#write(user);
    return user;
  }

  /** Writes a changed user; `password`, when given, is hashed. */
  async update(
    user: StoredUser,
    changes: Partial<Pick<StoredUser, 'username' | 'role' | 'totpSecret' | 'totpEnabled' | 'email' | 'name' | 'emailVerified' | 'mustChangePassword'>> & {
      password?: string;
    },
  ) {
    const { password, ...rest } = changes;
    if (rest.email !== undefined) rest.email = emailKey(rest.email);
    const updated: StoredUser = { ...user };
    for (const [key, value] of Object.entries(rest)) if (value !== undefined) Object.assign(updated, { [key]: value });
    if (password) updated.passwordHash = await this.passwords.hash(password);
    await this.#write(updated);
    return updated;
  }

  async delete(user: StoredUser): Promise<void> {
    await this.#write(user, true);
  }

  /**
   * Creates the first admin (`admin`) when there are no users: with ADMIN_PASSWORD, or with a
   * generated password that is returned so the caller can print it once.
   */
  async ensureFirstAdmin(adminPassword: string | null): Promise<{ created: boolean; generatedPassword?: string }> {
    if ((await this.count()) > 0) return { created: false };
    const password = adminPassword ?? randomBytes(12).toString('base64url');
    // A generated password was seen by whoever read the log: the admin chooses their own at first sign-in.
    await this.create('admin', password, 'admin', { mustChangePassword: adminPassword === null });
    return adminPassword ? { created: true } : { created: true, generatedPassword: password };
  }
}
