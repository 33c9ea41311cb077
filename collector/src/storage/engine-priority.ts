import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

const tasks = '/proc/self/task';

function threadName(tid: string): string | null {
  try {
    return readFileSync(`${tasks}/${tid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * Runs the embedded engine's threads at a lower priority than Node's (`nice` steps, Linux only),
 * so the event loop answering beacons gets a core as soon as it needs one, and the engine's
 * inserts, views and merges use what is left. Without it a batch insert's burst held the event
 * loop off a core and every beacon arriving meanwhile waited (npm run bench: the p99 and the
 * throughput both suffered).
 *
 * ClickHouse names each of its threads (ThreadPool, MergeMutate, BgSchPool, …); Node's threads
 * keep the process's name or are called libuv-… / V8…, and are left alone: the event loop, the
 * garbage collector's helpers and the file-system thread pool. The engine starts threads as it
 * needs them, so the list is checked again every second; a new thread mostly inherits the
 * priority of the engine thread that started it anyway.
 */
export function lowerEnginePriority(nice: number, everyMs = 1000): () => void {
  if (nice <= 0 || process.platform !== 'linux') return () => {};
  const nodeName = threadName(String(process.pid)) ?? 'node';
  const isNodeThread = (name: string) => name === nodeName || name.startsWith('libuv') || name.startsWith('V8');
  let lowered = new Set<string>();
  const pass = () => {
    let present: string[];
    try {
      present = readdirSync(tasks);
    } catch {
      return;
    }
    const next = new Set<string>();
    for (const tid of present) {
      if (lowered.has(tid)) {
        next.add(tid);
        continue;
      }
      const name = threadName(tid);
      if (name === null || isNodeThread(name)) continue;
      try {
        setPriority(Number(tid), nice);
        next.add(tid);
      } catch {
        // The thread ended meanwhile.
      }
    }
    // Only threads still present: a thread id freed by the engine may be reused by Node's.
    lowered = next;
  };
  pass();
  const timer = setInterval(pass, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
