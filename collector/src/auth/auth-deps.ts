import type { ApiKeys } from './api-keys';
import type { KnownDevices } from './known-devices';
import type { LoginLimiter } from './login-limiter';
import type { Passwords } from './passwords';
import type { Tokens } from './tokens';
import type { TwoFactor } from './two-factor';
import type { Users } from './users';
import type { AppSettings } from './app-settings';
import type { Tickets } from './tickets';
import type { Mailer } from '../mail/mailer';

/** What the auth routes share. */
export interface AuthDeps {
  users: Users;
  passwords: Passwords;
  tokens: Tokens;
  apiKeys: ApiKeys;
  limiter: LoginLimiter;
  twoFactor: TwoFactor;
  devices: KnownDevices;
  settings: AppSettings;
  tickets: Tickets;
  mailer: Mailer;
  /** PUBLIC_URL: where links in mail point; null: the address of the request that asked. */
  publicUrl: string | null;
}
