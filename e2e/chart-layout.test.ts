import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEvents } from '../bench/seed-events';
import { startTestCollector, type TestCollector } from '../test-support/collector';
import { launchChromium } from './browser';

/**
 * The overview chart at every range, on a desktop and a 360 px phone (issue 24): x labels that
 * neither overlap nor stick out of the chart, one per bucket at most, y from 0 in whole-number
 * steps with labels that fit their axis. The canvas holds no text, so the chart publishes where
 * it drew its labels (data-x-labels, data-y-ticks) and this test measures those boxes.
 */
const folder = process.env.SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'chart-screenshots-'));
let collector: TestCollector;
let browser: Browser;
let token = '';
let websiteId = '';
const year = new Date().getFullYear() - 1;

beforeAll(async () => {
  mkdirSync(folder, { recursive: true });
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '50' });
  browser = await launchChromium();
  token = await collector.login();
  websiteId = await collector.createWebsite(token, 'Charted');
  // Fifteen months of traffic, enough to need thousands on the y axis.
  await seedEvents(collector.db, websiteId, { events: 60_000, days: 450, now: Date.now() });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await collector?.destroy();
});

const ranges = {
  today: 'range=today',
  '7 days': 'range=7d',
  '30 days': 'range=30d',
  '12 months': 'range=12m',
  'a custom year': `range=custom&start=${year}-01-01&end=${year}-12-31`,
};
const widths = { desktop: 1280, phone: 360 };

type Label = { text: string; left: number; right: number };
type Tick = { value: number; text: string; width: number; room: number };

describe('the chart', () => {
  for (const [rangeName, query] of Object.entries(ranges)) {
    for (const [device, width] of Object.entries(widths)) {
      it(`labels ${rangeName} on a ${device} legibly`, { timeout: 60_000 }, async () => {
        const context = await browser.newContext({ viewport: { width, height: 900 } });
        await context.addInitScript((t) => sessionStorage.setItem('analytics.token', t), token);
        const page = await context.newPage();
        await page.goto(`${collector.url}/#/websites/${websiteId}?${query}`);
        const chart = page.locator('.chart[data-x-labels]');
        await chart.waitFor({ timeout: 30_000 });
        const { xLabels, yTicks, boxWidth, legend } = await chart.evaluate((element: HTMLElement) => ({
          xLabels: JSON.parse(element.dataset.xLabels!) as Label[],
          yTicks: JSON.parse(element.dataset.yTicks!) as Tick[],
          boxWidth: element.clientWidth,
          legend: element.querySelector('.u-legend')?.textContent ?? '',
        }));
        expect(xLabels.length).toBeGreaterThan(0);
        // Inside the chart box, and apart from each other.
        for (const label of xLabels) expect([label.text, label.left >= 0, label.right <= boxWidth]).toEqual([label.text, true, true]);
        for (let i = 1; i < xLabels.length; i++) expect(xLabels[i]!.left).toBeGreaterThan(xLabels[i - 1]!.right);
        // One label per bucket: no text twice.
        expect(new Set(xLabels.map((l) => l.text)).size).toBe(xLabels.length);
        // y: from 0, whole-number steps, every label within its axis.
        expect(yTicks[0]!.value).toBe(0);
        const step = yTicks[1]!.value - yTicks[0]!.value;
        expect(Number.isInteger(step) && step >= 1).toBe(true);
        for (const tick of yTicks) expect(tick.width).toBeLessThanOrEqual(tick.room);
        // Until hovered, the legend shows totals, not dashes.
        expect(legend).not.toContain('--');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        await chart.screenshot({ path: join(folder, `chart-${rangeName.replace(/ /g, '-')}-${device}.png`) });
        await context.close();
      });
    }
  }
});
