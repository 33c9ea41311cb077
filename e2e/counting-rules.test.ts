import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTime, chromeUA, startTestCollector, type TestCollector } from '../test-support/collector';
import { launchChromium } from './browser';
import { startSite, trackedPage, type Site } from './fixture-server';

/**
 * A website's counting rules as its owner sets them in the dashboard, in Chromium against a real
 * collector, and visits by a real browser on a real page: what the rules exclude is not counted,
 * and the page shows what was dropped and why.
 */
let collector: TestCollector;
let browser: Browser;
let site: Site;
let token: string;

beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '50' });
  token = await collector.login();
  browser = await launchChromium();
  site = await startSite();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await collector?.destroy();
});

/** Opens a page of the customer's site as a visitor and returns the collector's answer to its pageview. */
async function visit(path: string): Promise<Record<string, unknown>> {
  const context = await browser.newContext({ userAgent: chromeUA });
  const tab = await context.newPage();
  const answered = tab.waitForResponse((response) => response.url().endsWith('/api/send') && response.request().method() === 'POST');
  await tab.goto(site.url + path);
  const answer = (await (await answered).json()) as Record<string, unknown>;
  await context.close();
  return answer;
}

/** Clicks "Save rules" and waits for the collector's answer (the page shows what was typed before it comes). */
async function save(page: Page) {
  const saved = page.waitForResponse((response) => response.url().endsWith('/ingest-rules') && response.request().method() === 'POST');
  await page.getByRole('button', { name: 'Save rules' }).click();
  expect((await saved).status()).toBe(200);
}

async function openRules(page: Page, websiteId: string) {
  await page.goto(`${collector.url}/#/`);
  await page.locator('.sites li', { hasText: 'Docs' }).getByRole('link', { name: 'Counting rules' }).click();
  await page.waitForURL(`**/#/websites/${websiteId}/rules`);
  await page.getByLabel('Only count visits to these hostnames').waitFor();
}

describe('counting rules in the dashboard', () => {
  it('are set on the page, keep out what they name, and show what was dropped and why', { timeout: 120_000 }, async () => {
    const created = await collector.request('/api/websites', { method: 'POST', token, json: { name: 'Docs', domain: 'docs.example' } });
    const websiteId = ((await created.json()) as { id: string }).id;
    for (const path of ['/', '/guide', '/private/draft']) site.pages[path] = trackedPage(collector.url, websiteId);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript((t) => sessionStorage.setItem('analytics.token', t), token);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await openRules(page, websiteId);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Counting rules of Docs');
    await expect.poll(() => page.getByLabel(/Drop referrer spam/).isChecked()).toBe(true);
    expect(await page.getByText('Nothing: every beacon was counted.').count()).toBe(1);

    // A mistake is named and nothing is saved.
    await page.getByLabel('Do not count visits from these IP addresses').fill('10.0.0.0/40');
    await page.getByRole('button', { name: 'Save rules' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('prefix length must be 0 to 32');

    // Only the site's own domain: the page on localhost (a copy elsewhere) is not counted.
    await page.getByLabel('Do not count visits from these IP addresses').fill('');
    await page.getByRole('button', { name: 'Add docs.example' }).click();
    expect(await page.getByLabel('Only count visits to these hostnames').inputValue()).toBe('docs.example');
    await page.getByLabel('Do not count these pages').fill('/private/**');
    await save(page);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Saved');
    expect(await visit('/')).toMatchObject({ dropped: 'hostname' });

    // Now localhost too: the guide counts, the private draft does not.
    await page.getByLabel('Only count visits to these hostnames').fill('docs.example\nlocalhost');
    await save(page);
    await expect.poll(() => page.getByLabel('Only count visits to these hostnames').inputValue()).toBe('docs.example\nlocalhost');
    expect(await visit('/guide')).not.toHaveProperty('dropped');
    expect(await visit('/private/draft')).toMatchObject({ dropped: 'path' });
    await collector.flush();

    const stats = (await (await collector.request(`/api/websites/${websiteId}/stats?${allTime}`, { token })).json()) as { pageviews: number };
    expect(stats.pageviews).toBe(1);

    // The page, opened again, keeps the rules and counts each drop under its reason.
    await page.reload();
    await page.locator('.drops').waitFor();
    const rows = await page.locator('.drops tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-reason'), tr.textContent]));
    expect(rows).toEqual([
      ['hostname', 'On a hostname not listed1'],
      ['path', 'On an excluded path1'],
    ]);
    expect(await page.getByLabel('Do not count these pages').inputValue()).toBe('/private/**');
    expect(errors).toEqual([]);
    await context.close();
  });
});
