// Builds what `npm start` and the tests serve: dist/tracker.js (the browser script, with its
// opt-in dist/tracker-extras.js) and
// dist/collector.mjs (the server, with its npm dependencies left as imports).
import { build } from 'esbuild';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The dashboard build's metafile: which chunks the first page imports and which load later. */
let dashboardMeta = null;

export async function buildAll() {
  // Chunk names carry a content hash: old ones would pile up.
  await rm(`${root}/dist/dashboard`, { recursive: true, force: true });
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
    // The opt-in extras (web vitals, outbound links, file downloads), which the tracker imports only where a script tag turns one on.
    build({
      absWorkingDir: root,
      entryPoints: ['tracker/src/extras.ts'],
      outfile: 'dist/tracker-extras.js',
      bundle: true,
      minify: true,
      format: 'esm',
      target: ['es2020'],
      legalComments: 'none',
    }),
    build({
      absWorkingDir: root,
      entryPoints: { app: 'dashboard/src/main.tsx' },
      outdir: 'dist/dashboard',
      bundle: true,
      minify: true,
      // Modules, so pages other than the overview (account, teams, users) load as chunks on first use.
      format: 'esm',
      splitting: true,
      chunkNames: '[name]-[hash]',
      metafile: true,
      target: ['es2020'],
      jsx: 'automatic',
      jsxImportSource: 'preact',
      legalComments: 'none',
    }).then(async (result) => {
      dashboardMeta = result.metafile;
      // The chunks app.js imports are named in the page, so the browser fetches them beside it, not after it.
      const app = result.metafile.outputs['dist/dashboard/app.js'];
      const preloads = app.imports
        .filter((i) => i.kind === 'import-statement')
        .map((i) => `<link rel="modulepreload" href="/dashboard/${i.path.split('/').pop()}" />`)
        .join('\n    ');
      const html = await readFile(`${root}/dashboard/index.html`, 'utf8');
      await writeFile(`${root}/dist/dashboard/index.html`, html.replace('<!-- preloads -->', preloads));
    }),
    build({
      absWorkingDir: root,
      entryPoints: {
        collector: 'collector/src/main.ts',
        admin: 'collector/src/admin-cli.ts',
        import: 'collector/src/import-cli.ts',
        backup: 'collector/src/backup-cli.ts',
        'bench-import': 'bench/import-bench.ts',
        'bench-retention': 'bench/retention-bench.ts',
        'bench-import-plausible': 'bench/plausible-import-bench.ts',
        seed: 'bench/seed.ts',
        'bench-read': 'bench/read-bench-cli.ts',
        'bench-ingest': 'bench/ingest-bench.ts',
        'bench-bare': 'bench/bare-server.ts',
        'bench-dashboard': 'bench/dashboard-bench.ts',
        'bench-readers': 'bench/readers-bench.ts',
        'clickhouse-test-server': 'test-support/clickhouse-server/server.ts',
        'bench-engine': 'bench/engine-cost.ts',
        'bench-paced': 'bench/paced-load.ts',
        'bench-abuse': 'bench/abuse-bench.ts',
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
    // The entry that sizes libuv's thread pool before loading an ES module (collector/src/launch.ts).
    build({
      absWorkingDir: root,
      entryPoints: { launch: 'collector/src/launch.ts' },
      outdir: 'dist',
      outExtension: { '.js': '.cjs' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: ['node20'],
    }),
  ]);
}

/**
 * Gzipped sizes of what browsers download: the tracker (every page view), the dashboard's first
 * page (app.js, the chunks it imports, app.css) and what loads later (the settings pages).
 */
export async function reportSizes() {
  const gzipped = async (path) => gzipSync(await readFile(`${root}/${path}`), { level: 9 }).length;
  const outputs = dashboardMeta.outputs;
  const firstPage = new Set();
  const visit = (path) => {
    if (firstPage.has(path)) return;
    firstPage.add(path);
    for (const imported of outputs[path].imports) if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit('dist/dashboard/app.js');
  const later = Object.keys(outputs).filter((path) => path.endsWith('.js') && !firstPage.has(path));
  const sum = async (paths) => (await Promise.all(paths.map(gzipped))).reduce((a, b) => a + b, 0);
  const [tracker, first, css, rest] = await Promise.all([gzipped('dist/tracker.js'), sum([...firstPage]), gzipped('dist/dashboard/app.css'), sum(later)]);
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(
    `built dist/: tracker ${tracker} B gzipped; dashboard first page ${kb(first + css)} gzipped (JS ${kb(first)} in ${firstPage.size} file(s), CSS ${kb(css)}; limit 60 KB), ` +
      `loaded later ${kb(rest)} in ${later.length} file(s)`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildAll();
  await reportSizes();
}
