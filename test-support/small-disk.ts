import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A filesystem of its own for a test of a full disk: a tmpfs of `sizeMb` mounted on a temporary
 * directory. Mounting needs root with CAP_SYS_ADMIN (CI runs as root); null where it cannot be
 * mounted (the test then uses the free-space seam instead, and says so).
 */
export interface SmallDisk {
  dir: string;
  freeBytes(): number;
  /** Fills the disk until `leaveBytes` are free (0: completely), with a filler file. */
  fill(leaveBytes: number): void;
  /** Removes the filler: the space returns. */
  emptyFiller(): void;
  unmount(): void;
}

export function mountSmallDisk(sizeMb: number): SmallDisk | null {
  const dir = mkdtempSync(join(tmpdir(), 'small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmdirSync(dir);
    return null;
  }
  const filler = join(dir, 'filler');
  const freeBytes = () => {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize;
  };
  return {
    dir,
    freeBytes,
    fill(leaveBytes) {
      const fd = openSync(filler, 'a');
      const block = Buffer.alloc(64 * 1024);
      try {
        for (let free = freeBytes(); free > leaveBytes; free = freeBytes()) writeSync(fd, block, 0, Math.min(block.length, Math.max(4096, free - leaveBytes)));
      } catch {
        // ENOSPC: as full as it gets.
      } finally {
        closeSync(fd);
      }
    },
    emptyFiller() {
      try {
        unlinkSync(filler);
      } catch {
        // Nothing to remove.
      }
    },
    unmount() {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      rmdirSync(dir);
    },
  };
}
