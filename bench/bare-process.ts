import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export interface BareRoute {
  process: ChildProcessByStdio<null, Readable, null>;
  port: number;
  /** SIGTERM, resolved once the process has exited (a CPU profile is written then). */
  stop(): Promise<void>;
}

/**
 * Starts the baseline route (bare-server.ts, built as dist/bench-bare.mjs) in a process of its
 * own: `nodeArgs` go to node (`--cpu-prof`), `extras` is its BARE_EXTRAS.
 */
export async function startBareRoute({ nodeArgs = [], extras = '' }: { nodeArgs?: string[]; extras?: string } = {}): Promise<BareRoute> {
  const child = spawn(process.execPath, [...nodeArgs, fileURLToPath(new URL('./bench-bare.mjs', import.meta.url))], {
    env: { ...process.env, BARE_EXTRAS: extras },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve) =>
    child.stdout.on('data', (chunk: Buffer) => resolve(Number(/listening (\d+)/.exec(chunk.toString())?.[1]))),
  );
  return {
    process: child,
    port,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
