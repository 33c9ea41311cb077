// Builds what `npm start` and the tests serve: dist/tracker.js (the browser script) and
// dist/collector.mjs (the server, with its npm dependencies left as imports).
import { build } from 'esbuild';
import { copyFile, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
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
      target: ['es2020'],
      legalComments: 'none',
      // The collector swaps this literal for COLLECT_API_ENDPOINT when it serves the script.
      define: { COLLECT_PATH: '"/api/send"' },
      // A classic script needs no "use strict" prologue; every byte counts against the size budget.
      tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
    }),
    build({
      absWorkingDir: root,
      entryPoints: { app: 'dashboard/src/main.tsx' },
      outdir: 'dist/dashboard',
      bundle: true,
      minify: true,
      format: 'iife',
      target: ['es2020'],
      jsx: 'automatic',
      jsxImportSource: 'preact',
      legalComments: 'none',
    }).then(() => copyFile(`${root}/dashboard/index.html`, `${root}/dist/dashboard/index.html`)),
    build({
      absWorkingDir: root,
      entryPoints: {
        collector: 'collector/src/main.ts',
        seed: 'bench/seed.ts',
        'bench-read': 'bench/read-bench-cli.ts',
        'bench-ingest': 'bench/ingest-bench.ts',
        'bench-bare': 'bench/bare-server.ts',
        'bench-dashboard': 'bench/dashboard-bench.ts',
      },
      outdir: 'dist',
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: ['node20'],
      packages: 'external',
      sourcemap: true,
    }),
  ]);
}

/** Gzipped sizes of what browsers download: the tracker (every page view) and the dashboard's first page. */
export async function reportSizes() {
  const gzipped = async (path) => gzipSync(await readFile(`${root}/${path}`), { level: 9 }).length;
  const [tracker, js, css] = await Promise.all([gzipped('dist/tracker.js'), gzipped('dist/dashboard/app.js'), gzipped('dist/dashboard/app.css')]);
  console.log(`built dist/: tracker ${tracker} B gzipped; dashboard ${((js + css) / 1024).toFixed(1)} KB gzipped (app.js ${js} B, app.css ${css} B)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildAll();
  await reportSizes();
}
