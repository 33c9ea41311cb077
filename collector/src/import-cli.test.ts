import { afterAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../test-support/collector';
import { startPostgres, type TestPostgres } from '../../test-support/postgres';
import { runCli } from '../../test-support/run-cli';
import { generateHistory, loadHistory } from '../../test-support/umami-database';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipStream } from './shared/zip-stream';

/** `npm run import -- umami --database-url …` (issue 28), as an operator runs it with the collector stopped. */
let collector: TestCollector | null = null;
let pg: TestPostgres | null = null;
afterAll(async () => {
  await collector?.destroy();
  await pg?.stop();
});

const importCli = (dataDir: string, args: string[]) => runCli('import.mjs', args, { DATA_DIR: dataDir });

describe('npm run import', () => {
  it('imports an Umami database for the oldest admin, prints progress and a summary, and adds nothing when run again', { timeout: 120_000 }, async () => {
    pg = await startPostgres('umami_cli');
    const day = 86_400_000;
    const history = generateHistory(11, { endDay: Math.floor(Date.now() / day) * day, sessions: 40 });
    loadHistory(pg, 'v3', history);
    collector = await startTestCollector();
    const { dataDir } = collector;
    const busy = await importCli(dataDir, ['umami', '--database-url', pg.url]);
    expect([busy.code, busy.stderr]).toEqual([2, expect.stringContaining('Stop it first')]);
    await collector.stopKeepingData();

    expect((await importCli(dataDir, ['umami'])).stderr).toContain('Usage');
    expect((await importCli(dataDir, ['umami', '--database-url', 'mysql://u@h/db'])).stderr).toContain('postgres://');
    expect((await importCli(dataDir, ['umami', '--database-url', pg.url, '--owner', 'nobody'])).stderr).toContain('No user is named nobody');
    const kept = history.events.filter((e) => e.type !== 3 && !history.websites.find((w) => w.id === e.websiteId)!.deleted).length;
    const first = await importCli(dataDir, ['umami', '--database-url', pg.url]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('100.0%');
    expect(first.stdout).toContain(`Imported from postgres://postgres@127.0.0.1:${pg.port}/umami_cli?schema=public, owned by admin:`);
    expect(first.stdout).toContain(`${kept.toLocaleString('en')} events in`);
    const again = await importCli(dataDir, ['umami', '--database-url', pg.url]);
    expect(again.stdout).toContain('(existed: added to)');
    expect(again.stdout).toMatch(/[1-9]\d* days were imported before/);

    collector = await startTestCollector({}, { dataDir });
    const token = await collector.login();
    const listed = (await (await collector.request('/api/websites', { token })).json()) as { data: { id: string }[] };
    expect(listed.data.map((w) => w.id).sort()).toEqual(
      history.websites
        .filter((w) => !w.deleted)
        .map((w) => w.id)
        .sort(),
    );
  });

  it('imports a Plausible export into a website, names a bad file, and replaces rather than doubles', { timeout: 120_000 }, async () => {
    await collector?.destroy();
    collector = await startTestCollector();
    const token = await collector.login();
    const site = await collector.createWebsite(token, 'from plausible');
    const { dataDir } = collector;
    await collector.stopKeepingData();
    async function* csv(text: string) {
      yield text;
    }
    const chunks: Buffer[] = [];
    const files = [
      { name: 'imported_visitors_20240301_20240301.csv', chunks: csv('date,visitors,pageviews,bounces,visits,visit_duration\n2024-03-01,10,30,4,12,600\n') },
      { name: 'imported_pages_20240301_20240301.csv', chunks: csv('date,hostname,page,visits,visitors,pageviews\n2024-03-01,example.com,/,12,10,30\n') },
    ];
    for await (const chunk of zipStream(files)) chunks.push(chunk);
    const file = join(dataDir, 'plausible.zip');
    writeFileSync(file, Buffer.concat(chunks));
    writeFileSync(join(dataDir, 'bad.zip'), 'not a zip');

    expect((await importCli(dataDir, ['plausible', '--file', file])).stderr).toContain('Usage');
    expect((await importCli(dataDir, ['plausible', '--website', site, '--file', join(dataDir, 'missing.zip')])).stderr).toContain('no such file');
    expect((await importCli(dataDir, ['plausible', '--website', site, '--file', join(dataDir, 'bad.zip')])).stderr).toContain('not a zip archive');
    expect((await importCli(dataDir, ['plausible', '--website', '00000000-0000-4000-8000-000000000000', '--file', file])).stderr).toContain(
      'No website has the id',
    );
    for (let run = 0; run < 2; run++) {
      const done = await importCli(dataDir, ['plausible', '--website', site, '--file', file]);
      expect([done.code, done.stderr]).toEqual([0, '']);
      expect(done.stdout).toContain('imported_pages_20240301_20240301.csv: 1 rows, 2024-03-01 to 2024-03-01');
    }

    collector = await startTestCollector({}, { dataDir });
    const range = `startAt=${Date.parse('2024-03-01')}&endAt=${Date.parse('2024-03-02') - 1}&imported=true`;
    const stats = await collector.request(`/api/websites/${site}/stats?${range}`, { token: await collector.login() });
    expect(await stats.json()).toMatchObject({ visitors: 10, pageviews: 30, visits: 12 });
  });
});
