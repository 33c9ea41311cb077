const maxTracked = 100_000;

/**
 * A per-IP limit on beacons: at most `perMinute` requests in each fixed minute. Counts live in
 * this process; when more IPs than can be tracked appear within a minute, counting starts over.
 */
export class RateLimiter {
  #windowStart = 0;
  readonly #counts = new Map<string, number>();

  constructor(private readonly perMinute: number) {}

  /** 0 when the request may go on, else the seconds until the next window. */
  hit(ip: string, now = Date.now()): number {
    if (now - this.#windowStart >= 60_000 || this.#counts.size > maxTracked) {
      this.#windowStart = now - (now % 60_000);
      this.#counts.clear();
    }
    const count = (this.#counts.get(ip) ?? 0) + 1;
    this.#counts.set(ip, count);
    return count > this.perMinute ? Math.ceil((this.#windowStart + 60_000 - now) / 1000) : 0;
  }
}
