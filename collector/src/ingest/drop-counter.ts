import type { DropReason } from './ingest-rules';
import type { DropTally } from '../storage/dropped-events';

/** Where tallies go: storage/dropped-events.ts's insert in the app, a list in tests. */
export type SaveTallies = (tallies: DropTally[]) => Promise<void>;

/**
 * Counts the beacons not stored, per website, UTC day and reason, and saves the tallies every
 * `intervalMs` and at close. A save that fails keeps its tallies for the next one, so a count is
 * lost only when the process dies between saves (at most `intervalMs` of drops).
 */
export class DropCounter {
  #pending = new Map<string, DropTally>();
  #saving: Promise<void> = Promise.resolve();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly save: SaveTallies,
    intervalMs = 5000,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.#timer = setInterval(() => void this.flush(), intervalMs);
    this.#timer.unref();
  }

  count(websiteId: string, reason: DropReason, now = Date.now()): void {
    const day = new Date(now).toISOString().slice(0, 10);
    const key = `${websiteId} ${day} ${reason}`;
    const tally = this.#pending.get(key);
    if (tally) tally.events += 1;
    else this.#pending.set(key, { websiteId, day, reason, events: 1 });
  }

  /** Saves what was counted so far; saves run one at a time. */
  flush(): Promise<void> {
    this.#saving = this.#saving.then(async () => {
      if (this.#pending.size === 0) return;
      const taken = this.#pending;
      this.#pending = new Map();
      try {
        await this.save([...taken.values()]);
      } catch (error) {
        this.onError(error);
        for (const [key, tally] of taken) {
          const newer = this.#pending.get(key);
          if (newer) newer.events += tally.events;
          else this.#pending.set(key, tally);
        }
      }
    });
    return this.#saving;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
