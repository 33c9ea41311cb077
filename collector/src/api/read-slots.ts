import { ApiError } from '../errors';

/** How many reads one client may have running, and waiting for a turn, at once (READS_PER_CLIENT, READ_QUEUE_PER_CLIENT). */
export interface ReadSlotLimits {
  running: number;
  waiting: number;
}

interface Waiter {
  start: () => void;
}

interface Client {
  running: number;
  waiting: Waiter[];
}

/**
 * Reads per client: a user's sessions, one API key, or one share link each have `running` reads
 * in the engine at a time; more wait their turn here, in order, up to `waiting`; past that the
 * read is refused at once (429 `too-many-reads`, Retry-After 1). So one client sending a hundred
 * heavy reads at once holds the engine with a few of them, and everybody else's reads go in
 * between, instead of queueing behind all hundred. A waiting read whose client went away gives up
 * its place without running.
 */
export class ReadSlots {
  readonly #clients = new Map<string, Client>();

  constructor(private readonly limits: ReadSlotLimits) {}

  /**
   * Waits for a turn of `client`'s and resolves with the function that ends it; rejects with
   * 429 when the client's queue is full, and with the signal's reason when it aborts while waiting.
   */
  acquire(client: string, signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const state = this.#clients.get(client) ?? { running: 0, waiting: [] };
    this.#clients.set(client, state);
    if (state.running < this.limits.running) {
      state.running++;
      return Promise.resolve(this.#releaser(client, state));
    }
    // Every turn is taken here (running ≥ 1), so the client's state stays for those.
    if (state.waiting.length >= this.limits.waiting) return Promise.reject(new ApiError('tooManyReads'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          signal.removeEventListener('abort', leave);
          state.running++;
          resolve(this.#releaser(client, state));
        },
      };
      const leave = () => {
        const index = state.waiting.indexOf(waiter);
        if (index >= 0) state.waiting.splice(index, 1);
        this.#forgetIfIdle(client, state);
        reject(signal.reason);
      };
      signal.addEventListener('abort', leave, { once: true });
      state.waiting.push(waiter);
    });
  }

  /** Ends one turn (once, however often it is called) and hands it to the next waiting read. */
  #releaser(client: string, state: Client): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.running--;
      const next = state.waiting.shift();
      if (next) next.start();
      else this.#forgetIfIdle(client, state);
    };
  }

  #forgetIfIdle(client: string, state: Client): void {
    if (state.running === 0 && state.waiting.length === 0 && this.#clients.get(client) === state) this.#clients.delete(client);
  }
}

/** Whose turn a read takes: one share link, one API key, or one user's sessions. */
export function readClientOf(auth: { type: string; user: { id: string }; apiKey?: { id: string }; share?: { websiteId: string; shareId: string } }): string {
  if (auth.share) return `share\n${auth.share.websiteId}\n${auth.share.shareId}`;
  if (auth.apiKey) return `key\n${auth.apiKey.id}`;
  return `user\n${auth.user.id}`;
}
