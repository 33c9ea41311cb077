// npm run bench:read [-- --runs 20 --days 30 --only retention]
// Times every read endpoint over the last 30 days (or --days) of the newest "Seeded site" (npm run seed),
// through real HTTP on loopback, on DATA_DIR's embedded engine (stop the collector first) or
// CLICKHOUSE_URL. --only times just the endpoints whose name contains its text.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../collector/src/config';
import { startCollector } from '../collector/src/start';
import { seededSite } from './seeded-site';
import { benchBatch, benchRead, type Endpoint, overviewPaths, readEndpoints, reportEndpoints, timingTable, visitorEndpoints } from './read-bench';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '20' }, days: { type: 'string', default: '30' }, only: { type: 'string' } },
});
const days = Number(values.days);
const only = values.only;
/** The endpoints --only names (all without it); a table of them, or nothing when none is left. */
const timed = async (url: string, token: string, title: string, endpoints: Endpoint[]) => {
  const chosen = only === undefined ? endpoints : endpoints.filter((endpoint) => endpoint.name.includes(only));
  if (chosen.length > 0) console.log(`${title}${timingTable(await benchRead(url, token, chosen, Number(values.runs)))}`);
};
const config = { ...loadConfig(), port: 0, host: '127.0.0.1', logLevel: 'warn' };
const collector = await startCollector(config, readFileSync(new URL('./tracker.js', import.meta.url)));
try {
  const { token, user, ...site } = await seededSite(collector);
  const [count] = await (
    await collector.db.query({
      query: 'SELECT count() AS n FROM website_event WHERE website_id = {id:UUID}',
      query_params: { id: site.id },
      format: 'JSONEachRow',
    })
  ).json<{ n: number }>();
  // Days a migration or late events left without a valid visit rollup build are built first, as
  // the job would in the background within VISIT_ROLLUP_INTERVAL_MS, so the reads measure the
  // steady state.
  const { built } = await collector.visitRollups.runOnce({ settleMs: 0 });
  console.log(`website ${site.id}: ${count?.n ?? 0} events (visit rollups: ${built} days built first); ${values.runs} runs per endpoint, ${days} days\n`);
  await timed(collector.url, token, '', readEndpoints(site.id, Date.now(), days));
  await timed(collector.url, token, '\nreports\n\n', reportEndpoints(site.id, Date.now(), days));
  // Issue 27's routes: one recent visitor of the site, and a saved segment (visitors from Germany).
  const [recent] = await (
    await collector.db.query({
      query: 'SELECT toString(session_id) AS id FROM website_event WHERE website_id = {id:UUID} ORDER BY created_at DESC LIMIT 1',
      query_params: { id: site.id },
      format: 'JSONEachRow',
    })
  ).json<{ id: string }>();
  const segment = await fetch(`${collector.url}/api/websites/${site.id}/segments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench: Germany', type: 'segment', parameters: { filters: [{ name: 'country', operator: 'eq', value: 'DE' }] } }),
  });
  const { id: segmentId } = (await segment.json()) as { id: string };
  await timed(collector.url, token, '\nvisitors, data and saved filters\n\n', visitorEndpoints(site.id, recent!.id, segmentId, Date.now(), days));
  await fetch(`${collector.url}/api/websites/${site.id}/segments/${segmentId}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  if (only === undefined) {
    const paths = overviewPaths(site.id, Date.now(), days);
    const batch = await benchBatch(collector.url, token, paths, 5);
    console.log(
      `\nthe overview's ${paths.length} reads: one by one ${batch.oneByOne.toFixed(0)} ms, in one /api/batch ${batch.batched.toFixed(0)} ms (median of 5; ${(batch.oneByOne / batch.batched).toFixed(2)}x)`,
    );
  }
  await collector.users.delete(user);
} finally {
  await collector.stop();
}
