import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPassword, startTestCollector, type TestCollector } from '../test-support/collector';
import { startPostgres, type TestPostgres } from '../test-support/postgres';
import { generateHistory, loadHistory } from '../test-support/umami-database';
import { zipStream } from '../collector/src/shared/zip-stream';
import { launchChromium } from './browser';

/**
 * An admin imports an Umami database from the users page and follows its progress; an editor
 * imports Plausible's export into a website, and the overview shows its days, marked (issue 28).
 */
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

/** How long a figure may take to show on a busy machine (the figures are read again once the imported days are known). */
const within = { timeout: 15_000 };

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

  it('imports Plausible’s export into a website; the overview adds its days, shaded and named, and leaves them out under a filter', {
    timeout: 120_000,
  }, async () => {
    const day = 86_400_000;
    const dates = [10, 9].map((back) => new Date(Math.floor(Date.now() / day) * day - back * day).toISOString().slice(0, 10));
    const [first, last] = [dates[0]!.replaceAll('-', ''), dates[1]!.replaceAll('-', '')];
    async function* csv(text: string) {
      yield text;
    }
    const chunks: Buffer[] = [];
    const files = [
      {
        name: `imported_visitors_${first}_${last}.csv`,
        chunks: csv(`date,visitors,pageviews,bounces,visits,visit_duration\n${dates[0]},40,120,10,50,3000\n${dates[1]},30,80,5,35,2000\n`),
      },
      {
        name: `imported_pages_${first}_${last}.csv`,
        chunks: csv(
          `date,hostname,page,visits,visitors,pageviews\n${dates[0]},example.com,/from-plausible,50,40,120\n${dates[1]},example.com,/from-plausible,35,30,80\n`,
        ),
      },
    ];
    for await (const chunk of zipStream(files)) chunks.push(chunk);
    const token = await collector.login();
    const site = await collector.createWebsite(token, 'Moved from Plausible');

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${collector.url}/`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const item = page.locator('.sites li', { hasText: 'Moved from Plausible' });
    await item.getByRole('button', { name: 'Edit' }).click();
    await item.getByText('None. Import the zip').waitFor();
    await item
      .getByLabel('Import Plausible’s CSV export (.zip)')
      .setInputFiles({ name: 'plausible.zip', mimeType: 'application/zip', buffer: Buffer.concat(chunks) });
    await item.getByRole('status').filter({ hasText: 'Imported 4 rows from 2 files of plausible.zip' }).waitFor();
    await item.getByText(`From Plausible: ${dates[0]} to ${dates[1]}, 2 days, 200 pageviews.`).waitFor();
    if (process.env.SCREENSHOTS_DIR) await item.screenshot({ path: `${process.env.SCREENSHOTS_DIR}/plausible-import.png` });

    await page.goto(`${collector.url}/#/websites/${site}?range=30d`);
    const note = page.locator('.imported-note');
    await expect.poll(() => note.textContent(), within).toContain(`Includes figures imported from Plausible for ${dates[0]} to ${dates[1]}`);
    const figure = (name: string) => page.locator(`[data-figure="${name}"] .value`).textContent();
    await expect.poll(() => figure('Pageviews'), within).toBe('200');
    expect(await figure('Visitors')).toBe('70');
    await expect.poll(() => page.locator('.chart').getAttribute('data-imported'), within).toBe(JSON.stringify(dates.map((d) => `${d} 00:00:00`)));
    await page.locator('[data-panel="path"]').getByText('/from-plausible').waitFor();
    if (process.env.SCREENSHOTS_DIR) await page.screenshot({ path: `${process.env.SCREENSHOTS_DIR}/plausible-imported-overview.png`, fullPage: true });

    // Under a filter the imported days are left out, and the note says so.
    await page.goto(`${collector.url}/#/websites/${site}?range=30d&browser=eq.chrome`);
    await expect.poll(() => note.textContent(), within).toContain('are left out while a filter is on');
    await expect.poll(() => figure('Pageviews'), within).toBe('0');

    // Removed from the settings: the overview has none.
    await page.goto(`${collector.url}/`);
    await item.getByRole('button', { name: 'Edit' }).click();
    await item.getByRole('button', { name: 'Remove imported figures…' }).click();
    await item.getByText('The imported figures were removed.').waitFor();
    await page.goto(`${collector.url}/#/websites/${site}?range=30d`);
    await expect.poll(() => figure('Pageviews'), within).toBe('0');
    expect(await note.count()).toBe(0);
  });
});
