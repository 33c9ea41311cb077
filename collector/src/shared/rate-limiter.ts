const maxTracked = 100_000;

/**
 * A limit per key (an IP address, an email address): at most `perWindow` hits in each fixed
 * window (a minute unless given). Counts live in this process; when more keys than can be
 * tracked appear within a window, counting starts over.
 */
export class RateLimiter {
  #windowStart = 0;
  readonly #counts = new Map<string, number>();

  constructor(
    private readonly perWindow: number,
    private readonly windowMs = 60_000,
  ) {}

  /** 0 when the request may go on, else the seconds until the next window. */
  hit(key: string, now = Date.now()): number {
    if (now - this.#windowStart >= this.windowMs || this.#counts.size > maxTracked) {
      this.#windowStart = now - (now % this.windowMs);
      this.#counts.clear();
    }
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, count);
    return count > this.perWindow ? Math.ceil((this.#windowStart + this.windowMs - now) / 1000) : 0;
  }
}
