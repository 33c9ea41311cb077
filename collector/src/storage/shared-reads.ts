/** The error of a read whose caller left before it was answered (errors.ts's `cancelled` knows it). */
export const notRun = () => Object.assign(new Error('The statement was cancelled before it was answered'), { name: 'AbortError', code: 'CHDB_ABORT' });

interface Entry<T> {
  result: Promise<T>;
  readers: number;
  controller: AbortController;
  epoch: number;
}

/**
 * Identical reads in flight at once share one statement: eight people opening the same view
 * cost the engine one set of queries, not eight (npm run bench:readers). A read joins a running
 * one only while no write has ended since that one began (`epoch`, which the caller advances at
 * every write), so a read sent after a write always sees it. Each reader may leave on its own
 * signal; the statement is cancelled only when every reader has left.
 */
export class SharedReads<T> {
  readonly #entries = new Map<string, Entry<T>>();

  /** How many distinct statements are shared now (for tests). */
  get size(): number {
    return this.#entries.size;
  }

  run(key: string, epoch: number, signal: AbortSignal | undefined, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (signal?.aborted) return Promise.reject(notRun());
    let entry = this.#entries.get(key);
    if (!entry || entry.epoch !== epoch) {
      const controller = new AbortController();
      const fresh: Entry<T> = { readers: 0, controller, epoch, result: start(controller.signal) };
      fresh.result.then(
        () => this.#forget(key, fresh),
        () => this.#forget(key, fresh),
      );
      this.#entries.set(key, fresh);
      entry = fresh;
    }
    const joined = entry;
    joined.readers++;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = () => {
        settled = true;
        joined.readers--;
        signal?.removeEventListener('abort', leave);
      };
      const leave = () => {
        if (settled) return;
        settle();
        if (joined.readers === 0) {
          this.#forget(key, joined);
          joined.controller.abort();
        }
        reject(notRun());
      };
      signal?.addEventListener('abort', leave, { once: true });
      joined.result.then(
        (value) => {
          if (settled) return;
          settle();
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settle();
          reject(error);
        },
      );
    });
  }

  #forget(key: string, entry: Entry<T>): void {
    if (this.#entries.get(key) === entry) this.#entries.delete(key);
  }
}
