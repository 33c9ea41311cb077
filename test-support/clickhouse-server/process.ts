import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distDir } from '../collector';

const script = fileURLToPath(new URL('clickhouse-test-server.mjs', distDir));

export interface TestClickHouse {
  url: string;
  user: string;
  password: string;
  /** Stops the server (SIGTERM), keeping its data; `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

/** Starts the test ClickHouse HTTP server (test-support/clickhouse-server) in its own process. */
export async function startTestClickHouse({ user = 'collector', password = 'test-clickhouse-password', config = '' } = {}): Promise<TestClickHouse> {
  const path = mkdtempSync(join(tmpdir(), 'clickhouse-test-server-'));
  // An engine configuration (XML), e.g. a one-node cluster for the cluster schema.
  const configFile = join(path, 'config.xml');
  if (config) writeFileSync(configFile, config);
  let child: ChildProcess | null = null;
  let port = 0;

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const args = [
        script,
        '--path',
        join(path, 'data'),
        '--port',
        String(port),
        '--user',
        user,
        '--password',
        password,
        ...(config ? ['--config', configFile] : []),
      ];
      const started = spawn(process.execPath, args, {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      child = started;
      let output = '';
      started.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const listening = /listening http:\/\/[^:]+:(\d+)/.exec(output);
        if (listening) {
          port = Number(listening[1]);
          resolve();
        }
      });
      started.once('exit', (code) => reject(new Error(`the test ClickHouse server exited with ${code} before listening`)));
    });

  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
    child = null;
  };

  await start();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    user,
    password,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(path, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}
