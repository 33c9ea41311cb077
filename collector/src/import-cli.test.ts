import { afterAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../test-support/collector';
import { startPostgres, type TestPostgres } from '../../test-support/postgres';
import { runCli } from '../../test-support/run-cli';
import { generateHistory, loadHistory } from '../../test-support/umami-database';

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
});
