import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface TimedAnswer {
  status: number;
  body: string;
  ms: number;
}

/** A child process that times requests one at a time (request-timer-child.mjs); `close` ends it. */
export function requestTimer() {
  const child = spawn(process.execPath, [fileURLToPath(new URL('request-timer-child.mjs', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async time(url: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<TimedAnswer> {
      child.stdin.write(`${JSON.stringify({ url, ...init })}\n`);
      const next = await answers.next();
      if (next.done) throw new Error('the request timer exited');
      return JSON.parse(next.value) as TimedAnswer;
    },
    close: () => child.stdin.end(),
  };
}
