import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEvents } from '../bench/seed-events';
import { startTestCollector, type TestCollector } from '../test-support/collector';
import { launchChromium } from './browser';
import { insertDropTallies } from '../collector/src/storage/dropped-events';
import type { DropReason } from '../collector/src/ingest/ingest-rules';

/**
 * The main pages on a desktop and a phone, in light and dark mode, on a seeded website: each
 * fits its screen (nothing wider than the viewport), finishes loading without a script error,
 * and is photographed. `npm run screenshots` keeps the pictures in docs/screenshots/; a plain
 * test run writes them to a temporary folder.
 */
const folder = process.env.SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'screenshots-'));
let collector: TestCollector;
let browser: Browser;
let token = '';
let websiteId = '';

beforeAll(async () => {
  mkdirSync(folder, { recursive: true });
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '50' });
  browser = await launchChromium();
  token = await collector.login();
  websiteId = await collector.createWebsite(token, 'Example shop');
  await collector.createWebsite(token, 'Company blog');
  await seedEvents(collector.db, websiteId, { events: 20_000, days: 60, now: Date.now() });
  const [team] = (await (await collector.request('/api/teams', { method: 'POST', token, json: { name: 'Marketing' } })).json()) as [{ id: string }];
  const colleague = await collector.users.create('sam', 'tulip garden lamp', 'user');
  await collector.request(`/api/teams/${team.id}/users`, { method: 'POST', token, json: { userId: colleague.id, role: 'team-member' } });
  await collector.request('/api/websites', { method: 'POST', token, json: { name: 'Campaign site', domain: 'campaign.example', teamId: team.id } });
  // A long share id: the public link is the longest line the websites page shows.
  await collector.request(`/api/websites/${websiteId}`, {
    method: 'POST',
    token,
    json: { shareId: 'a-rather-long-share-id-of-64-characters-xxxxxxxxxxxxxxxxxxxxxxxx' },
  });
  await collector.users.create('a-colleague-with-a-long-username@example.org', 'tulip garden lamp', 'view-only');
  await collector.request(`/api/websites/${websiteId}/ingest-rules`, {
    method: 'POST',
    token,
    json: {
      hostnames: ['example.com', 'shop.example.com'],
      includeSubdomains: true,
      excludedIps: ['203.0.113.0/24'],
      excludedPaths: ['/admin/**', '/preview/*'],
    },
  });
  const today = new Date().toISOString().slice(0, 10);
  const counts = { bot: 1843, hostname: 212, 'referrer-spam': 97, path: 31, ip: 12 };
  await insertDropTallies(
    collector.db,
    Object.entries(counts).map(([reason, events]) => ({ websiteId, day: today, reason: reason as DropReason, events })),
  );
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await collector?.destroy();
});

const pages = {
  websites: () => '#/',
  overview: () => `#/websites/${websiteId}?range=30d`,
  account: () => '#/account',
  teams: () => '#/teams',
  users: () => '#/users',
  rules: () => `#/websites/${websiteId}/rules`,
  share: () => '#/share/a-rather-long-share-id-of-64-characters-xxxxxxxxxxxxxxxxxxxxxxxx?range=30d',
};
// The narrowest phones in common use are 360 px wide.
const devices = {
  desktop: { viewport: { width: 1280, height: 900 } },
  phone: { viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true },
};

/**
 * What sticks out: elements wider than the page, or past the right edge of the card they sit
 * in, unless a box between them scrolls or clips (a table that scrolls sideways inside its card).
 */
function overflowing(): string[] {
  const width = document.documentElement.clientWidth;
  const found: string[] = [];
  const clips = (element: Element) => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(element).overflowX);
  for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    let clipped = false;
    let card: Element | null = null;
    for (let up = element.parentElement; up && !card; up = up.parentElement) {
      if (clips(up)) clipped = true;
      if (up.matches('.card, .sites li, .panel, .headline div, .chart, .add, .about-snippet, .topbar')) card = up;
    }
    if (clipped) continue;
    const limit = card ? Math.min(width, card.getBoundingClientRect().right) : width;
    if (box.right > limit + 1)
      found.push(
        `${element.tagName.toLowerCase()}.${element.className} (${element.textContent?.trim().slice(0, 40)}) ends at ${Math.round(box.right)} > ${Math.round(limit)}`,
      );
  }
  return found;
}

describe('the main pages', () => {
  for (const [pageName, hash] of Object.entries(pages)) {
    for (const [deviceName, device] of Object.entries(devices)) {
      for (const scheme of ['light', 'dark'] as const) {
        it(`${pageName} on a ${deviceName}, ${scheme}`, { timeout: 60_000 }, async () => {
          const context = await browser.newContext({ ...device, colorScheme: scheme });
          await context.addInitScript((t) => sessionStorage.setItem('analytics.token', t), token);
          const page = await context.newPage();
          const errors: string[] = [];
          page.on('pageerror', (error) => errors.push(error.message));
          await page.goto(`${collector.url}/${hash()}`);
          await page.locator('h1').first().waitFor();
          // Loaded: nothing busy, no placeholder left.
          await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"], .loading, .loading-inline').length === 0, undefined, {
            timeout: 30_000,
          });
          if (pageName === 'overview') await page.locator('.chart canvas').waitFor();
          expect(await page.evaluate(overflowing)).toEqual([]);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          expect(overflow).toBeLessThanOrEqual(0);
          await page.screenshot({ path: join(folder, `${pageName}-${deviceName}-${scheme}.png`), fullPage: true });
          expect(errors).toEqual([]);
          await context.close();
        });
      }
    }
  }
});

describe('the details view', () => {
  for (const [deviceName, device] of Object.entries(devices)) {
    it(`of the pages panel on a ${deviceName}`, { timeout: 60_000 }, async () => {
      const context = await browser.newContext({ ...device, colorScheme: 'light' });
      await context.addInitScript((t) => sessionStorage.setItem('analytics.token', t), token);
      const page = await context.newPage();
      await page.goto(`${collector.url}/#/websites/${websiteId}?range=30d`);
      await page.locator('[data-panel="path"]').getByRole('button', { name: 'Details' }).click();
      const dialog = page.getByRole('dialog', { name: 'Pages: details' });
      await expect.poll(() => dialog.locator('tbody tr').count(), { timeout: 30_000 }).toBe(50);
      // Nothing in the dialog wider than the dialog.
      const sticking = await dialog.evaluate((element) => {
        const right = element.getBoundingClientRect().right;
        return [...element.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > right + 1).map((e) => e.tagName);
      });
      expect(sticking).toEqual([]);
      await page.screenshot({ path: join(folder, `details-${deviceName}-light.png`) });
      await context.close();
    });
  }
});
