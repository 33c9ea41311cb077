import type { ClickHouseClient } from '@clickhouse/client';
import { ApiError } from '../errors';
import { readAppSettings, writeAppSetting } from '../storage/app-settings-table';
import type { User } from './users';

/** Instance-wide settings an admin changes. */
export interface Settings {
  /** Every user must turn on two-factor sign-in before using anything else (UTMStack's forceTfa). */
  forceTwoFactor: boolean;
}

const defaults: Settings = { forceTwoFactor: false };

/** How long a collector trusts the settings it read; changes through another collector apply within this. */
const ttlMs = 10_000;

/** The settings, cached briefly (the guard reads them on every request). */
export class AppSettings {
  #cached: { settings: Settings; until: number } | null = null;

  constructor(private readonly db: ClickHouseClient) {}

  async get(now = Date.now()): Promise<Settings> {
    if (this.#cached && this.#cached.until > now) return this.#cached.settings;
    const stored = await readAppSettings(this.db);
    const settings = { ...defaults };
    if (stored.forceTwoFactor !== undefined) settings.forceTwoFactor = JSON.parse(stored.forceTwoFactor) === true;
    this.#cached = { settings, until: now + ttlMs };
    return settings;
  }

  async set(changes: Partial<Settings>): Promise<Settings> {
    for (const [name, value] of Object.entries(changes)) if (value !== undefined) await writeAppSetting(this.db, name, JSON.stringify(value));
    this.#cached = null;
    return this.get();
  }

  /** Refuses (403) an account that must first choose its own password or turn on two-factor sign-in. */
  async checkSetUp(user: User): Promise<void> {
    if (user.mustChangePassword) throw new ApiError('passwordChangeRequired');
    if (!user.totpEnabled && (await this.get()).forceTwoFactor) throw new ApiError('twoFactorRequired');
  }
}
