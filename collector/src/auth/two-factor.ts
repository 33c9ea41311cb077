import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { SignedTokens } from '../signed-token';
import { rows } from '../storage/client';
import { matchTotp, SecretBox } from './totp';
import type { StoredUser } from './users';

/** How long the step between password and code may take. */
const partialTokenLifetimeMs = 5 * 60_000;

/**
 * Two-factor checks: TOTP codes against a user's sealed secret, each code usable once, and the
 * short-lived, single-use partial token that carries a login from the password step to the code
 * step. What was spent is kept in ClickHouse (two_factor_spent, a day long), so neither a
 * restart nor another collector takes a code or a partial token a second time.
 */
export class TwoFactor {
  readonly box: SecretBox;
  readonly #partials: SignedTokens<{ u: string; r: boolean; e: number; j: string }>;

  constructor(
    appSecret: string,
    private readonly db: ClickHouseClient,
  ) {
    this.box = new SecretBox(appSecret);
    this.#partials = new SignedTokens(appSecret, 'two-factor-partial');
  }

  /** The last value spent under (kind, key), 0 when none: kept in ClickHouse, so restarts and other collectors see it. */
  async #spent(kind: string, key: string): Promise<number> {
    const [row] = await rows<{ value: number }>(this.db, 'SELECT max(value) AS value FROM two_factor_spent WHERE kind = {kind:String} AND key = {key:String}', {
      kind,
      key,
    });
    return row?.value ?? 0;
  }

  async #spend(kind: string, key: string, value: number): Promise<void> {
    await this.db.insert({ table: 'two_factor_spent', values: [{ kind, key, value, at: Date.now() }], format: 'JSONEachRow' });
  }

  /**
   * True when `code` is the user's current code (or one step off) and no code of that step or
   * later was used before, in this process or any other sharing the database.
   */
  check(user: StoredUser, code: string, now = Date.now()): Promise<boolean> {
    // One check at a time in this process: two requests with the same code cannot both read it unspent.
    const run = this.#checking.then(async () => {
      if (!user.totpSecret) return false;
      const last = await this.#spent('step', user.id);
      const step = matchTotp(this.box.open(user.totpSecret), code, now, last > 0 ? last : undefined);
      if (step === null) return false;
      await this.#spend('step', user.id, step);
      return true;
    });
    this.#checking = run.catch(() => false);
    return run;
  }

  #checking: Promise<unknown> = Promise.resolve();

  partialToken(userId: string, rememberMe: boolean): string {
    return this.#partials.sign({ u: userId, r: rememberMe, e: Date.now() + partialTokenLifetimeMs, j: randomUUID() });
  }

  /** The login a partial token carries, or null when it is forged, expired or already used to sign in. */
  async readPartialToken(token: string): Promise<{ userId: string; rememberMe: boolean; id: string } | null> {
    const claims = this.#partials.read(token);
    if (!claims || typeof claims.u !== 'string' || typeof claims.e !== 'number' || claims.e < Date.now() || typeof claims.j !== 'string') return null;
    if ((await this.#spent('partial', claims.j)) > 0) return null;
    return { userId: claims.u, rememberMe: claims.r === true, id: claims.j };
  }

  /** Marks a partial token used: it signed someone in and never will again. */
  async spendPartialToken(id: string): Promise<void> {
    await this.#spend('partial', id, 1);
  }
}
