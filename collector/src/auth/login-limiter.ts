import { ApiError } from '../errors';
import { usernameKey } from './account-rules';

/** Login limits: attempts in a sliding window, per (account, IP), per IP and per account. */
export const loginLimits = {
  windowMs: 15 * 60_000,
  perAccountAndIp: 5,
  perIp: 20,
  perAccount: 50,
} as const;

const maxKeys = 100_000;

/** One attempt as it was counted: when, and under which counts. */
export interface Attempt {
  readonly at: number;
  /** The counts it went into; the first is the one a success clears (account and IP, or device). */
  readonly keys: readonly string[];
}

/**
 * Counts login attempts and refuses more once a limit is reached. An attempt counts from the
 * moment it starts (so a flood of parallel guesses cannot slip past); one that was never checked
 * (the hashing room was full: `busy`) is taken back, and a successful login forgets its own
 * (account, IP) attempts. Per IP and per account, the limits are wide enough that one stranger's
 * IP cannot lock a real user out; strangers with many addresses can reach the account's limit,
 * but not from a device its owner signed in on before (KnownDevices). A lock ends when the window
 * slides past. Accounts are counted under their canonical name (usernameKey), the one sign-in
 * finds the user by, so no spelling of a name has counts of its own.
 * The counts live in this process: each collector instance limits on its own.
 */
export class LoginLimiter {
  readonly #attempts = new Map<string, number[]>();

  #recent(key: string, now: number): number[] {
    const times = this.#attempts.get(key);
    if (!times) return [];
    while (times.length > 0 && times[0]! <= now - loginLimits.windowMs) times.shift();
    if (times.length === 0) this.#attempts.delete(key);
    return times;
  }

  /**
   * The counts an attempt goes into, the first one forgotten on success. From a known device
   * (see KnownDevices) the device's own count is the only one: failures from everywhere else,
   * the owner's own address included (other people behind the same NAT, strangers on loopback),
   * do not hold its owner back.
   */
  #keys(username: string, ip: string, device: string | null): [string, number][] {
    const account = usernameKey(username);
    if (device !== null) return [[`device\n${account}\n${device}`, loginLimits.perAccountAndIp]];
    return [
      [`pair\n${account}\n${ip}`, loginLimits.perAccountAndIp],
      [`ip\n${ip}`, loginLimits.perIp],
      [`account\n${account}`, loginLimits.perAccount],
    ];
  }

  /**
   * Starts an attempt: `{retryAfter}` in seconds when a limit is reached (and nothing is
   * counted), else the attempt, to hand back to `succeeded` or `forget`.
   */
  begin(username: string, ip: string, now = Date.now(), device: string | null = null): { retryAfter: number; attempt: Attempt } {
    const keys = this.#keys(username, ip, device);
    let waitMs = 0;
    for (const [key, limit] of keys) {
      const times = this.#recent(key, now);
      if (times.length >= limit) waitMs = Math.max(waitMs, times[times.length - limit]! + loginLimits.windowMs - now);
    }
    if (waitMs > 0) return { retryAfter: Math.ceil(waitMs / 1000), attempt: { at: now, keys: [] } };
    const attempt: Attempt = { at: now, keys: keys.map(([key]) => key) };
    if (this.#attempts.size > maxKeys) this.#attempts.clear();
    for (const key of attempt.keys) {
      const times = this.#attempts.get(key) ?? [];
      times.push(now);
      this.#attempts.set(key, times);
    }
    return { retryAfter: 0, attempt };
  }

  /** Starts an attempt, or refuses it with 429 `too-many-attempts` and Retry-After. */
  start(username: string, ip: string, device: string | null = null): Attempt {
    const { retryAfter, attempt } = this.begin(username, ip, Date.now(), device);
    if (retryAfter > 0) throw new ApiError('tooManyAttempts', undefined, retryAfter);
    return attempt;
  }

  /**
   * Runs an attempt's check. One that could not be checked (`busy`: the password hashing room
   * was full) was no attempt at all and is taken back, so a storm of refused requests locks
   * nobody out.
   */
  async check<T>(attempt: Attempt, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'busy') this.forget(attempt);
      throw error;
    }
  }

  /** Takes one attempt back from every count it went into; earlier failures stay. */
  forget(attempt: Attempt): void {
    for (const key of attempt.keys) {
      const times = this.#attempts.get(key);
      const index = times ? times.lastIndexOf(attempt.at) : -1;
      if (index >= 0) times!.splice(index, 1);
      if (times?.length === 0) this.#attempts.delete(key);
    }
  }

  /** After a successful sign-in: it does not count, nor do this account's failures from this IP (or device). */
  succeeded(attempt: Attempt): void {
    const [own] = attempt.keys;
    if (own !== undefined) this.#attempts.delete(own);
    this.forget(attempt);
  }
}
