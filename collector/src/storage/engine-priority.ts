import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

const tasks = '/proc/self/task';

/** A thread's nice value (field 19 of its stat, the 17th after the name in parentheses), or null once it has ended. */
function threadNice(tid: string): number | null {
  try {
    const stat = readFileSync(`${tasks}/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  } catch {
    return null;
  }
}

/** False when the thread has ended meanwhile. */
function trySetPriority(tid: string, nice: number): boolean {
  try {
    setPriority(Number(tid), nice);
    return true;
  } catch {
    return false;
  }
}

function threadName(tid: string): string | null {
  try {
    return readFileSync(`${tasks}/${tid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * Whether this process may raise a thread's priority again (CAP_SYS_NICE, bit 23 of the
 * effective capabilities; root has it). The engine's per-statement priority needs it: it lowers
 * a statement's threads for the statement and raises them back after.
 */
export function canRaisePriority(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return effective !== undefined && (BigInt(`0x${effective}`) & (1n << 23n)) !== 0n;
  } catch {
    return false;
  }
}

/**
 * Threads that run statements: the engine's shared pool (idle ones are called ThreadPool, busy
 * ones take their job's name, such as QueryPipelineEx). Node's threads run statements too: chDB
 * starts each on a thread of libuv's pool.
 */
const idlePoolThread = 'ThreadPool';
export const isStatementThread = (name: string) => name === idlePoolThread || name.startsWith('Query');

/**
 * The settings that run a batch insert (with its materialized views) `nice` steps below Node's
 * threads, on every thread that works on it, for as long as it runs; empty when the engine cannot
 * raise them back afterwards. Reads carry no such setting, so they run at Node's priority and a
 * dashboard is answered before the pending inserts (npm run bench -- --mixed).
 */
export function insertPriority(nice: number): Record<string, number> {
  const statement = heavyReadPriority(nice);
  return 'os_threads_nice_value_query' in statement ? { ...statement, os_threads_nice_value_materialized_view: nice } : {};
}

/**
 * The settings that run a heavy read `nice` steps below Node's threads and the other reads (on
 * the threads of that statement only, for as long as it runs); empty where the engine cannot
 * raise them back afterwards.
 */
export function heavyReadPriority(nice: number): Record<string, number> {
  if (nice <= 0 || !canRaisePriority()) return {};
  return { os_threads_nice_value_query: nice };
}

/**
 * Runs the embedded engine's background threads (merges, mutations, schedules) at a lower
 * priority than Node's (`nice` steps, Linux only), so the event loop answering beacons gets a
 * core as soon as it needs one, and the engine's merges use what is left. Without it a batch
 * insert's burst held the event loop off a core and every beacon arriving meanwhile waited
 * (npm run bench: the p99 and the throughput both suffered).
 *
 * The threads that run statements are left to the statements' own priority (insertPriority)
 * where the process may raise priorities; elsewhere they are lowered too, reads with them.
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
  // Whether inserts lower their own threads (insertPriority gives its settings exactly then).
  const statementsSetTheirOwn = canRaisePriority();
  const leftAlone = (name: string) =>
    name === nodeName || name.startsWith('libuv') || name.startsWith('V8') || (statementsSetTheirOwn && isStatementThread(name));
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
      // Every pass looks at every thread: a thread of the engine's shared pool takes the name of
      // the background pool it comes to serve, and goes back to the shared pool later.
      const name = threadName(tid);
      if (name === null) continue;
      if (name === idlePoolThread && statementsSetTheirOwn) {
        // An idle thread of the shared pool runs the next statement at the priority it has: one
        // lowered while it served a background pool, or started by a lowered thread (a new
        // thread inherits its priority), is raised back.
        if (threadNice(tid) !== 0) trySetPriority(tid, 0);
        continue;
      }
      if (lowered.has(tid)) next.add(tid);
      else if (!leftAlone(name) && trySetPriority(tid, nice)) next.add(tid);
    }
    // Only threads still present: a thread id freed by the engine may be reused by Node's.
    lowered = next;
  };
  pass();
  const timer = setInterval(pass, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
