import { rmSync } from 'node:fs';

const leftOver = new Set<string>();

/**
 * Removes a test's temporary directory. The embedded engine's background threads may still be
 * finishing a merge or a deletion in it (they live as long as the process, and a busy machine
 * slows them), so a directory that will not go yet is removed when the process exits instead of
 * failing the test that merely cleans up after itself.
 */
export function removeTempDir(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  } catch {
    if (leftOver.size === 0) process.once('exit', removeLeftOvers);
    leftOver.add(dir);
  }
}

function removeLeftOvers(): void {
  for (const dir of leftOver) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Nothing more to do at exit; the directory is under the system's temporary folder.
    }
  }
}
