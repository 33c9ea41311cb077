/** Login limits: attempts in a sliding window, per (account, IP), per IP and per account. */
export const loginLimits = {
  windowMs: 15 * 60_000,
  perAccountAndIp: 5,
  perIp: 20,
  perAccount: 50,
} as const;

const maxKeys = 100_000;

/**
 * Counts login attempts and refuses more once a limit is reached. An attempt counts from the
 * moment it starts (so a flood of parallel guesses cannot slip past) and a successful login
 * forgets its own (account, IP) attempts. Per IP and per account, the limits are wide enough
 * that one stranger's IP cannot lock a real user out; strangers with many addresses can reach
 * the account's limit, but not from a device its owner signed in on before (KnownDevices). A
 * lock ends when the window slides past.
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
   * (see KnownDevices) the device's own count replaces the account's: failures from everywhere
   * else do not hold its owner back.
   */
  #keys(username: string, ip: string, device: string | null): [string, number][] {
    const account = username.toLowerCase();
    if (device !== null) {
      return [
        [`device\n${account}\n${device}`, loginLimits.perAccountAndIp],
        [`ip\n${ip}`, loginLimits.perIp],
      ];
    }
    return [
      [`pair\n${account}\n${ip}`, loginLimits.perAccountAndIp],
      [`ip\n${ip}`, loginLimits.perIp],
      [`account\n${account}`, loginLimits.perAccount],
    ];
  }

  /**
   * Starts an attempt: `{retryAfter}` in seconds when a limit is reached, else `{at}`, the
   * attempt's time, to hand back to `succeeded`.
   */
  begin(username: string, ip: string, now = Date.now(), device: string | null = null): { retryAfter: number; at: number } {
    const keys = this.#keys(username, ip, device);
    let waitMs = 0;
    for (const [key, limit] of keys) {
      const times = this.#recent(key, now);
      if (times.length >= limit) waitMs = Math.max(waitMs, times[times.length - limit]! + loginLimits.windowMs - now);
    }
    if (waitMs > 0) return { retryAfter: Math.ceil(waitMs / 1000), at: now };
    if (this.#attempts.size > maxKeys) this.#attempts.clear();
    for (const [key] of keys) {
      const times = this.#attempts.get(key) ?? [];
      times.push(now);
      this.#attempts.set(key, times);
    }
    return { retryAfter: 0, at: now };
  }

  /** After a successful login: it does not count, nor do this account's failures from this IP (or device). */
  succeeded(username: string, ip: string, at: number, device: string | null = null): void {
    const [pair, ...shared] = this.#keys(username, ip, device);
    this.#attempts.delete(pair![0]);
    for (const [key] of shared) {
      const times = this.#attempts.get(key);
      const index = times ? times.lastIndexOf(at) : -1;
      if (index >= 0) times!.splice(index, 1);
    }
  }
}
