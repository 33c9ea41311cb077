// Builds what `npm start` and the tests serve: dist/tracker.js (the browser script) and
// dist/collector.mjs (the server, with its npm dependencies left as imports).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildAll() {
  await Promise.all([
    build({
      absWorkingDir: root,
      entryPoints: ['tracker/src/tracker.ts'],
      outfile: 'dist/tracker.js',
      bundle: true,
      minify: true,
      format: 'iife',
      target: ['es2019'],
      legalComments: 'none',
    }),
    build({
      absWorkingDir: root,
      entryPoints: ['collector/src/main.ts'],
      outfile: 'dist/collector.mjs',
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: ['node20'],
      packages: 'external',
      sourcemap: true,
    }),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildAll();
