import { SignedTokens } from '../signed-token';
import { matchTotp, SecretBox } from './totp';
import type { StoredUser } from './users';

/** How long the step between password and code may take. */
const partialTokenLifetimeMs = 5 * 60_000;

/**
 * Two-factor checks: TOTP codes against a user's sealed secret, each code usable once, and the
 * short-lived partial token that carries a login from the password step to the code step.
 */
export class TwoFactor {
  readonly box: SecretBox;
  readonly #partials: SignedTokens<{ u: string; r: boolean; e: number }>;
  /** user id → the last time step a code was accepted for (per process). */
  readonly #usedSteps = new Map<string, number>();

  constructor(appSecret: string) {
    this.box = new SecretBox(appSecret);
    this.#partials = new SignedTokens(appSecret, 'two-factor-partial');
  }

  /** True when `code` is the user's current code (or one step off) and was not used before. */
  check(user: StoredUser, code: string, now = Date.now()): boolean {
    if (!user.totpSecret) return false;
    const step = matchTotp(this.box.open(user.totpSecret), code, now, this.#usedSteps.get(user.id));
    if (step === null) return false;
    this.#usedSteps.set(user.id, step);
    return true;
  }

  partialToken(userId: string, rememberMe: boolean): string {
    return this.#partials.sign({ u: userId, r: rememberMe, e: Date.now() + partialTokenLifetimeMs });
  }

  readPartialToken(token: string): { userId: string; rememberMe: boolean } | null {
    const claims = this.#partials.read(token);
    if (!claims || typeof claims.u !== 'string' || typeof claims.e !== 'number' || claims.e < Date.now()) return null;
    return { userId: claims.u, rememberMe: claims.r === true };
  }
}
