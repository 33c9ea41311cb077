import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPassword, startTestCollector, type TestCollector } from '../test-support/collector';
import { startPostgres, type TestPostgres } from '../test-support/postgres';
import { generateHistory, loadHistory } from '../test-support/umami-database';
import { launchChromium } from './browser';

/** An admin imports an Umami database from the users page and follows its progress (issue 28). */
let browser: Browser;
let collector: TestCollector;
let pg: TestPostgres;

beforeAll(async () => {
  [browser, collector, pg] = await Promise.all([launchChromium(), startTestCollector(), startPostgres('umami_e2e')]);
});
afterAll(async () => {
  await browser?.close();
  await collector?.destroy();
  await pg?.stop();
});

describe('importing from the dashboard', () => {
  it('runs an import as a background job with its progress, and the websites arrive', { timeout: 120_000 }, async () => {
    const day = 86_400_000;
    const history = generateHistory(21, { endDay: Math.floor(Date.now() / day) * day, sessions: 60 });
    loadHistory(pg, 'v3', history);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${collector.url}/`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Websites' }).waitFor();
    await page.goto(`${collector.url}/#/users`);

    // A URL that is no PostgreSQL one is refused with the reason.
    await page.getByLabel('Database URL').fill('mysql://umami@localhost/umami');
    await page.getByRole('button', { name: 'Start import' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('postgres://');

    await page.getByLabel('Database URL').fill(pg.url);
    await page.getByRole('button', { name: 'Start import' }).click();
    const run = page.locator('.import-run[data-state="done"]').first();
    await run.waitFor({ timeout: 60_000 });
    expect(await run.textContent()).toContain('Imported');
    const kept = history.events.filter((e) => e.type !== 3 && !history.websites.find((w) => w.id === e.websiteId)!.deleted).length;
    expect(await run.textContent()).toContain(`100%: ${kept.toLocaleString('en-US')} of ${kept.toLocaleString('en-US')} events`);
    for (const website of history.websites.filter((w) => !w.deleted)) await run.getByRole('link', { name: website.name }).waitFor();
    if (process.env.SCREENSHOTS_DIR) await page.screenshot({ path: `${process.env.SCREENSHOTS_DIR}/import-done.png` });

    const token = await collector.login();
    const listed = (await (await collector.request('/api/websites', { token })).json()) as { data: { id: string }[] };
    expect(listed.data.map((w) => w.id).sort()).toEqual(
      history.websites
        .filter((w) => !w.deleted)
        .map((w) => w.id)
        .sort(),
    );
    const [first] = history.websites;
    const stats = (await (
      await collector.request(`/api/websites/${first!.id}/stats?startAt=${Date.now() - 10 * day}&endAt=${Date.now()}`, { token })
    ).json()) as {
      pageviews: number;
    };
    expect(stats.pageviews).toBe(history.events.filter((e) => e.websiteId === first!.id && e.type === 1).length);
  });
});
