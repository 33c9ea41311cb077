// npm run bench:import-plausible [-- --days 730 --pages 300 --runs 3]
// Imports a generated Plausible export (every file of "Export all stats": `days` days, `pages`
// pages, entry and exit pages a day, and smaller breakdowns) into a fresh embedded engine through
// POST /api/websites/:id/import/plausible, `runs` times (the first into an empty site, the next
// replacing those days), and prints rows per second of each; then the p50 of 20 stats and
// path-metric reads over the last 365 days without and with imported=true. Prints the core count.
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { adminPassword } from '../test-support/collector';
import { removeTempDir } from '../test-support/temp-dir';
import { loadConfig } from '../collector/src/config';
import { zipStream } from '../collector/src/shared/zip-stream';
import { startCollector } from '../collector/src/start';

const { values } = parseArgs({
  options: { days: { type: 'string', default: '730' }, pages: { type: 'string', default: '300' }, runs: { type: 'string', default: '3' } },
});
const [days, pages, runs] = [Number(values.days), Number(values.pages), Number(values.runs)];
const day = 86_400_000;
const lastDay = Math.floor(Date.now() / day) * day - day;
const dates = Array.from({ length: days }, (_, i) => new Date(lastDay - (days - 1 - i) * day).toISOString().slice(0, 10));
const compact = (date: string) => date.replaceAll('-', '');

/** Per table: its heading and the rows of one day (`n`: a value's rank, larger figures first). */
const tables: Record<string, { heading: string; count: number; row: (date: string, n: number) => string }> = {
  visitors: { heading: 'date,visitors,pageviews,bounces,visits,visit_duration', count: 1, row: (d) => `${d},5000,15000,2000,6000,600000` },
  pages: {
    heading: 'date,hostname,page,visits,visitors,pageviews,scroll_depth,pageleave_visitors',
    count: pages,
    row: (d, n) => `${d},example.com,/page-${n},${900 - n},${800 - n},${1000 - n},,0`,
  },
  entry_pages: {
    heading: 'date,entry_page,visitors,entrances,visit_duration,bounces,pageviews',
    count: pages,
    row: (d, n) => `${d},/page-${n},${400 - n},${450 - n},${(500 - n) * 60},${100},${700 - n}`,
  },
  exit_pages: {
    heading: 'date,exit_page,visitors,visit_duration,exits,bounces,pageviews',
    count: pages,
    row: (d, n) => `${d},/page-${n},${400 - n},${(500 - n) * 60},${450 - n},100,${700 - n}`,
  },
  sources: {
    heading: 'date,source,referrer,utm_source,utm_medium,utm_campaign,utm_content,utm_term,pageviews,visitors,visits,visit_duration,bounces',
    count: 50,
    row: (d, n) => `${d},Site ${n},site-${n}.example/post,${n % 5 === 0 ? 'newsletter' : ''},,,,,${300 - n},${200 - n},${220 - n},${(220 - n) * 60},50`,
  },
  custom_events: { heading: 'date,name,link_url,path,visitors,events', count: 20, row: (d, n) => `${d},Event ${n},,/page-${n},${100 - n},${150 - n}` },
  locations: {
    heading: 'date,country,region,city,visitors,visits,visit_duration,bounces,pageviews',
    count: 100,
    row: (d, n) => `${d},C${n % 26},C${n % 26}-${n},0,${200 - n},${220 - n},6000,50,${400 - n}`,
  },
  browsers: {
    heading: 'date,browser,browser_version,visitors,visits,visit_duration,bounces,pageviews',
    count: 10,
    row: (d, n) => `${d},Browser ${n},,${900 - n},1000,60000,100,3000`,
  },
  devices: {
    heading: 'date,device,visitors,visits,visit_duration,bounces,pageviews',
    count: 3,
    row: (d, n) => `${d},${['Desktop', 'Mobile', 'Tablet'][n]},${3000 - n * 1000},4000,60000,100,9000`,
  },
  operating_systems: {
    heading: 'date,operating_system,operating_system_version,visitors,visits,visit_duration,bounces,pageviews',
    count: 8,
    row: (d, n) => `${d},System ${n},,${800 - n},900,60000,100,2000`,
  },
};

async function* csv(table: (typeof tables)[string]) {
  yield `${table.heading}\n`;
  for (const date of dates) {
    const lines: string[] = [];
    for (let n = 0; n < table.count; n++) lines.push(table.row(date, n));
    yield `${lines.join('\n')}\n`;
  }
}
let started = performance.now();
const chunks: Buffer[] = [];
const entries = Object.entries(tables).map(([name, table]) => ({
  name: `imported_${name}_${compact(dates[0]!)}_${compact(dates.at(-1)!)}.csv`,
  chunks: csv(table),
}));
for await (const chunk of zipStream(entries)) chunks.push(chunk);
const archive = Buffer.concat(chunks);
const rowCount = days * Object.values(tables).reduce((sum, t) => sum + t.count, 0);
console.log(
  `${availableParallelism()} cores; archive ${(archive.length / 1e6).toFixed(1)} MB, ${rowCount.toLocaleString('en')} rows over ${days} days (written in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
);

const dataDir = mkdtempSync(join(tmpdir(), 'plausible-bench-'));
const collector = await startCollector(
  { ...loadConfig({ DATA_DIR: dataDir, ADMIN_PASSWORD: adminPassword, LOG_LEVEL: 'warn', IMPORT_MAX_MB: '2048' }), port: 0, host: '127.0.0.1' },
  readFileSync(new URL('./tracker.js', import.meta.url)),
);
try {
  const call = async (path: string, init: RequestInit & { token?: string } = {}) => {
    const response = await fetch(`${collector.url}${path}`, {
      ...init,
      headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.headers as Record<string, string>) },
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  };
  const { token } = await call('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: adminPassword }),
  });
  const site = await call('/api/websites', {
    method: 'POST',
    token,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Plausible bench', domain: 'example.com' }),
  });
  for (let run = 1; run <= runs; run++) {
    started = performance.now();
    await call(`/api/websites/${site.id}/import/plausible`, { method: 'POST', token, headers: { 'content-type': 'application/zip' }, body: archive });
    const seconds = (performance.now() - started) / 1000;
    console.log(`run ${run}${run > 1 ? ' (replacing)' : ''}: ${seconds.toFixed(1)} s, ${Math.round(rowCount / seconds).toLocaleString('en')} rows/s`);
  }
  const range = `startAt=${lastDay - 364 * day}&endAt=${lastDay + day - 1}`;
  const p50 = async (path: string) => {
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const at = performance.now();
      await call(path, { token });
      times.push(performance.now() - at);
    }
    return times.sort((a, b) => a - b)[10]!.toFixed(0);
  };
  const base = `/api/websites/${site.id}`;
  console.log(
    `365 days, p50 of 20: stats ${await p50(`${base}/stats?${range}`)} ms, with imported ${await p50(`${base}/stats?${range}&imported=true`)} ms; ` +
      `path metric ${await p50(`${base}/metrics?${range}&type=path`)} ms, with imported ${await p50(`${base}/metrics?${range}&type=path&imported=true`)} ms; ` +
      `chart by day with imported ${await p50(`${base}/pageviews?${range}&unit=day&imported=true`)} ms`,
  );
} finally {
  await collector.stop();
  removeTempDir(dataDir);
}
