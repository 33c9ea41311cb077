/** How many (session, distinct id) pairs one process remembers before it starts over. */
const tieCacheLimit = 100_000;

/**
 * Umami's tracker sends the visitor's distinct id (`id`) on every beacon after `identify`. The
 * events do not keep it; session_data ties the session to it instead, once per pair and process
 * (a restart or a full cache writes a pair again, which changes nothing: readers take one id per
 * session). Retention and the `distinctId` filter read the ties.
 */
export class SessionTies {
  readonly #written = new Set<string>();

  /** True the first time a pair is seen: the caller writes the tie, and calls `forget` if that failed. */
  first(sessionId: string, distinctId: string): boolean {
    const key = `${sessionId}\n${distinctId}`;
    if (this.#written.has(key)) return false;
    if (this.#written.size >= tieCacheLimit) this.#written.clear();
    this.#written.add(key);
    return true;
  }

  forget(sessionId: string, distinctId: string): void {
    this.#written.delete(`${sessionId}\n${distinctId}`);
  }
}
