/**
 * Identical reads asked for while one is running share its answer, so a dashboard's burst of
 * requests looks its session and website up once, not once per request (the embedded engine
 * runs parameterized queries one at a time). Nothing is kept after the read ends, and a write
 * through the same object forgets the running reads, so no answer predates a change made here.
 */
export class InFlight<T> {
  readonly #running = new Map<string, Promise<T>>();

  get(key: string, read: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key);
    if (running) return running;
    const started = read().finally(() => {
      if (this.#running.get(key) === started) this.#running.delete(key);
    });
    this.#running.set(key, started);
    return started;
  }

  /** After a write: later callers start a fresh read. */
  forget(): void {
    this.#running.clear();
  }
}
