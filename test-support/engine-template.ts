import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * A migrated, empty embedded engine that test collectors start from (a copy of its directory),
 * made once per test run: applying the migrations took about a third of every test collector's
 * start. What starts from it still runs `migrate`, which finds everything applied; migrations
 * from nothing are still run here, by every collector a test spawns as a process, and by the
 * migration tests.
 */
export async function makeEngineTemplate(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'engine-template-'));
  // Beside the other bundles, so that its packages resolve from node_modules.
  const script = new URL('../dist/engine-template-main.mjs', import.meta.url).pathname;
  await build({
    entryPoints: [new URL('engine-template-main.ts', import.meta.url).pathname],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
    absWorkingDir: new URL('..', import.meta.url).pathname,
  });
  const made = spawnSync(process.execPath, [script, join(dir, 'data')], { encoding: 'utf8', cwd: new URL('..', import.meta.url).pathname });
  if (made.status !== 0) throw new Error(`could not make the engine template: ${made.stderr || made.stdout}`);
  return join(dir, 'data');
}

/** Copies the template's engine into a new collector's data directory (its symbolic links are relative, kept as they are). */
export function copyEngineTemplate(template: string, dataDir: string): void {
  cpSync(join(template, 'clickhouse'), join(dataDir, 'clickhouse'), { recursive: true, verbatimSymlinks: true });
}
