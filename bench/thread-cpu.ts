import { readdirSync, readFileSync } from 'node:fs';

/** Linux's clock ticks per second for /proc times (USER_HZ; 100 on every common build). */
const ticksPerSecond = 100;

export interface ThreadTimes {
  name: string;
  /** Seconds of CPU in user space and in the kernel. */
  user: number;
  system: number;
}

/** Every thread of a process with its CPU time so far (Linux /proc), by thread id. */
export function threadTimes(pid: number): Map<number, ThreadTimes> {
  const times = new Map<number, ThreadTimes>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      // utime and stime are fields 14 and 15 of stat, the 12th and 13th after the name.
      times.set(Number(tid), {
        name: stat.slice(stat.indexOf('(') + 1, close),
        user: Number(fields[11]) / ticksPerSecond,
        system: Number(fields[12]) / ticksPerSecond,
      });
    } catch {
      // The thread ended meanwhile.
    }
  }
  return times;
}

export interface CpuSplit {
  /** The main thread (the event loop): user and kernel seconds. */
  main: { user: number; system: number };
  /** Every other thread's seconds (user + kernel), summed by thread name, most first. */
  others: { name: string; seconds: number }[];
}

/** The CPU each thread used between two snapshots of process `pid`; threads that ended between them are not counted. */
export function cpuBetween(pid: number, before: Map<number, ThreadTimes>, after: Map<number, ThreadTimes>): CpuSplit {
  const main = { user: 0, system: 0 };
  const byName = new Map<string, number>();
  for (const [tid, now] of after) {
    const then = before.get(tid) ?? { name: now.name, user: 0, system: 0 };
    const user = now.user - then.user;
    const system = now.system - then.system;
    if (tid === pid) Object.assign(main, { user, system });
    else byName.set(now.name, (byName.get(now.name) ?? 0) + user + system);
  }
  const others = [...byName].map(([name, seconds]) => ({ name, seconds })).filter((entry) => entry.seconds > 0);
  return { main, others: others.sort((a, b) => b.seconds - a.seconds) };
}
