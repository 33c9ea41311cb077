import { statfsSync } from 'node:fs';

/** Free space of a filesystem in bytes (what an unprivileged process may still write), as statfs gives it. */
export type FreeSpace = (dir: string) => number;

export const statfsFree: FreeSpace = (dir) => {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
};

/**
 * Watches the free space of the data directory's filesystem, so /api/send refuses events (503
 * `disk-full`, Retry-After) while less than `minFreeBytes` is left, before a spool write could
 * fail, and takes them again by itself once space returns. Read at most every `intervalMs` (a
 * statfs is a few microseconds, but /api/send runs it thousands of times a second), and at once
 * after a write failed.
 */
export class DiskGuard {
  #checkedAt = -Infinity;
  #free = Number.POSITIVE_INFINITY;

  constructor(
    private readonly dir: string,
    readonly minFreeBytes: number,
    private readonly freeSpace: FreeSpace = statfsFree,
    private readonly intervalMs = 1000,
  ) {}

  /** Bytes free at the last look (refreshed when older than the interval). */
  get freeBytes(): number {
    const now = performance.now();
    if (now - this.#checkedAt >= this.intervalMs) {
      this.#checkedAt = now;
      try {
        this.#free = this.freeSpace(this.dir);
      } catch {
        // A filesystem that cannot say how full it is: let writes tell (they fail with ENOSPC).
        this.#free = Number.POSITIVE_INFINITY;
      }
    }
    return this.#free;
  }

  /** True while there is room to accept events. */
  get accepting(): boolean {
    return this.freeBytes >= this.minFreeBytes;
  }

  /** A write just failed for want of space: look again at the next question, not a second later. */
  recheck(): void {
    this.#checkedAt = -Infinity;
  }
}

/** Errors that mean the disk (or the user's quota) is full. */
export const isDiskFull = (error: unknown) => {
  const code = (error as { code?: string } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
};
