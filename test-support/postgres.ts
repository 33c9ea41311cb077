import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTempDir } from './temp-dir';

/**
 * A throwaway PostgreSQL cluster from Debian's `postgresql` package (`.ci/run` installs it):
 * `initdb` in a temporary directory, `pg_ctl` on a free port, trust authentication on loopback.
 * As root (CI), the server runs as the package's `postgres` user, since PostgreSQL refuses root.
 */
export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:PORT/DATABASE */
  url: string;
  port: number;
  database: string;
  /** Runs SQL through psql (stopping at the first error); `input` is fed to its stdin (COPY … FROM STDIN). */
  psql(sql: string, input?: string): string;
  stop(): Promise<void>;
}

/** The newest installed PostgreSQL's binaries, or null. */
export function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export async function startPostgres(database = 'umami'): Promise<TestPostgres> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql (.ci/run does)');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'pg-'));
  const data = join(dir, 'data');
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const run = (command: string, args: string[], input?: string) =>
    execFileSync(asRoot ? 'runuser' : join(bin, command), asRoot ? ['-u', 'postgres', '--', join(bin, command), ...args] : args, {
      input,
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 1 << 28,
    }).toString();
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  run('pg_ctl', ['-D', data, '-o', options, '-w', '-t', '60', '-l', join(dir, 'log'), 'start']);
  const psql = (sql: string, input?: string) =>
    run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-q', '-A', '-t', '-c', sql], input);
  run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-q', '-c', `CREATE DATABASE ${database}`]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    database,
    psql,
    stop: async () => {
      await new Promise<void>((resolve) => {
        const stopping = spawn(
          asRoot ? 'runuser' : join(bin, 'pg_ctl'),
          [...(asRoot ? ['-u', 'postgres', '--', join(bin, 'pg_ctl')] : []), '-D', data, '-m', 'immediate', 'stop'],
          {
            stdio: 'ignore',
          },
        );
        stopping.on('exit', () => resolve());
        stopping.on('error', () => resolve());
      });
      removeTempDir(dir);
    },
  };
}
