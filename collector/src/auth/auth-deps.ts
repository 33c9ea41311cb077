import type { ApiKeys } from './api-keys';
import type { KnownDevices } from './known-devices';
import type { LoginLimiter } from './login-limiter';
import type { Passwords } from './passwords';
import type { Tokens } from './tokens';
import type { TwoFactor } from './two-factor';
import type { Users } from './users';

/** What the auth routes share. */
export interface AuthDeps {
  users: Users;
  passwords: Passwords;
  tokens: Tokens;
  apiKeys: ApiKeys;
  limiter: LoginLimiter;
  twoFactor: TwoFactor;
  devices: KnownDevices;
}
