import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromeUA, pageview, startTestCollector, type TestCollector } from '../test-support/collector';
import { launchChromium } from './browser';
import { nextRead, readsOf } from './reads';

/**
 * Issue 27's pages in Chromium against a real collector: the visitors list and one visitor's
 * timeline (also from the realtime panel), saved segments in the filter bar, annotations on the
 * chart, and the websites list's trends from one /websites/charts call; on a desktop and a phone,
 * nothing sticking out, no page errors.
 */
/** How long a poll waits: the page loads several reads, slower beside a busy CPU. */
const within = { timeout: 15_000 };
const folder = process.env.SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'visitors-'));
let collector: TestCollector;
let browser: Browser;
let token: string;
let site: string;

beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '50', TRUST_PROXY: 'true', COUNTRY_HEADER: 'cf-ipcountry' });
  token = await collector.login();
  browser = await launchChromium();
  site = await collector.createWebsite(token, 'Shop');
  const visitors = [
    { ip: '192.0.2.10', country: 'DE', pages: ['/', '/pricing', '/signup'], signup: true },
    { ip: '192.0.2.11', country: 'FR', pages: ['/', '/docs'], signup: false },
    { ip: '192.0.2.12', country: 'DE', pages: ['/pricing'], signup: false },
  ];
  for (const v of visitors) {
    const headers = { 'x-forwarded-for': v.ip, 'user-agent': chromeUA, 'cf-ipcountry': v.country };
    for (const path of v.pages) await collector.send(pageview(site, path, { title: `Title of ${path}` }), headers);
    if (v.signup) {
      await collector.send({ type: 'event', payload: { ...pageview(site, '/signup').payload, name: 'signed-up', data: { plan: 'pro', seats: 3 } } }, headers);
      await collector.send({ type: 'identify', payload: { website: site, id: 'ann@example', data: { company: 'Acme' } } }, headers);
    }
  }
  await collector.flush();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await collector?.destroy();
});

const api = async (path: string) => (await collector.request(`/api/websites/${site}${path}`, { token })).json() as Promise<any>;

async function open(hash: string, width = 1280): Promise<{ page: Page; errors: string[]; requests: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, ...(width < 600 ? { isMobile: true, hasTouch: true } : {}) });
  await context.addInitScript((t) => sessionStorage.setItem('analytics.token', t), token);
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => requests.push(...readsOf(request).map((url) => url.pathname)));
  await page.goto(`${collector.url}/${hash}`);
  return { page, errors, requests, close: () => context.close() };
}

const nothingSticksOut = (page: Page) =>
  page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (e: Element | null): boolean =>
      e !== null && (['auto', 'scroll', 'hidden'].includes(getComputedStyle(e).overflowX) || scrolls(e.parentElement));
    return [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > width + 1 && !scrolls(e.parentElement))
      .map((e) => `${e.tagName}.${e.className}`);
  });

describe('the visitors pages', () => {
  it("list the range's visitors as the API does, and open one visitor's timeline with its pages, events, data and properties", {
    timeout: 90_000,
  }, async () => {
    for (const width of [1280, 360]) {
      const { page, errors, close } = await open(`#/websites/${site}/visitors?range=24h`, width);
      await page.locator('.visitor-table tbody tr').first().waitFor();
      const listed = await api(`/sessions?startAt=${Date.now() - 86_400_000}&endAt=${Date.now()}&pageSize=50`);
      expect(listed.count).toBe(3);
      await expect.poll(() => page.locator('.visitor-table tbody tr').count(), within).toBe(3);
      expect(await page.locator('.visitors h2').textContent()).toBe('3 visitors');
      await page.screenshot({ path: join(folder, `visitors-list-${width}.png`), fullPage: true });
      expect(await nothingSticksOut(page)).toEqual([]);

      // The visitor who signed up: three pageviews and one event.
      const ann = listed.data.find((s: any) => s.views === 3);
      await page.locator(`a[href*="/visitors/${ann.id}"]`).click();
      await page.getByRole('heading', { name: 'Timeline' }).waitFor();
      await expect
        .poll(() => page.locator('.timeline li').allTextContents())
        .toEqual([
          expect.stringContaining('viewed /'),
          expect.stringContaining('viewed /pricing'),
          expect.stringContaining('viewed /signup'),
          expect.stringMatching(/signed-up on \/signup.*plan: pro.*seats: 3/),
        ]);
      const facts = await page.locator('.facts dt').allTextContents();
      expect(facts).toEqual(expect.arrayContaining(['Location', 'Device', 'Pageviews', 'Events', 'Distinct id', 'company']));
      expect(await page.locator('.facts dd').allTextContents()).toEqual(expect.arrayContaining(['ann@example', 'Acme', '3', '1']));
      await page.screenshot({ path: join(folder, `visitor-timeline-${width}.png`), fullPage: true });
      expect(await nothingSticksOut(page)).toEqual([]);
      expect(errors).toEqual([]);
      await close();
    }
  });

  it('are reached from the realtime panel', { timeout: 60_000 }, async () => {
    const { page, errors, close } = await open(`#/websites/${site}?range=24h`);
    const link = page.getByRole('link', { name: /The visitor of this/ }).first();
    await link.waitFor();
    await link.click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    expect(page.url()).toMatch(/\/visitors\/[0-9a-f-]{36}/);
    expect(errors).toEqual([]);
    await close();
  });
});

describe('the overview', () => {
  it("saves its filters as a segment, shows the segment's figures, and picks segments from the filter bar", { timeout: 90_000 }, async () => {
    const { page, errors, close } = await open(`#/websites/${site}?range=24h`);
    await page.getByLabel('Filter on').selectOption('path');
    await page.getByLabel('Filter value').fill('pricing');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByLabel('Segment name').fill('Saw pricing');
    const asked = nextRead(page, '/stats?', 'segment=');
    await page.getByRole('button', { name: 'Save as segment' }).click();
    await expect.poll(() => page.getByLabel('Segment').inputValue(), within).toMatch(/^[0-9a-f-]{36}$/);
    const segmentId = await page.getByLabel('Segment').inputValue();
    const saved = await api(`/segments/${segmentId}`);
    expect(saved).toMatchObject({ name: 'Saw pricing', parameters: { filters: [{ name: 'path', operator: 'c', value: 'pricing' }] } });
    const request = await asked;
    expect(request.href).toContain(`segment=${segmentId}`);
    const stats = await (await collector.request(request.pathname + request.search, { token })).json();
    expect(stats.visitors).toBe(2);
    await expect.poll(() => page.locator('[data-figure="Visitors"] .value').textContent(), within).toBe('2');
    await page.screenshot({ path: join(folder, 'overview-segment.png') });
    await page.getByLabel('Segment').selectOption('');
    await expect.poll(() => page.locator('[data-figure="Visitors"] .value').textContent(), within).toBe('3');
    expect(errors).toEqual([]);
    await close();
  });

  it('draws an annotation added under the chart on the chart, edits it, and deletes it', { timeout: 90_000 }, async () => {
    const { page, errors, close } = await open(`#/websites/${site}?range=7d`);
    await page.getByLabel('Annotation', { exact: true }).fill('Newsletter sent');
    await page.getByRole('button', { name: 'Annotate' }).click();
    await expect.poll(async () => (await api('/annotations')).data.map((a: any) => a.note), within).toEqual(['Newsletter sent']);
    await expect.poll(() => page.locator('.annotations li').allTextContents(), within).toEqual([expect.stringContaining('Newsletter sent')]);
    await expect
      .poll(async () => JSON.parse((await page.locator('.chart').getAttribute('data-annotations')) ?? '[]').map((a: any) => a.note))
      .toEqual(['Newsletter sent']);
    const [mark] = JSON.parse((await page.locator('.chart').getAttribute('data-annotations'))!);
    const plotWidth = await page.locator('.chart .u-over').evaluate((e) => e.getBoundingClientRect().width);
    // Today's note sits on the last day of the week, at the right of the plot.
    expect(mark.left).toBeGreaterThan(plotWidth * 0.8);
    await page.screenshot({ path: join(folder, 'overview-annotation.png') });
    // Edited in place: a day earlier and a new note, on the chart too (further left).
    await page.getByRole('button', { name: 'Edit the annotation Newsletter sent' }).click();
    const editor = page.getByRole('form', { name: 'Edit the annotation Newsletter sent' });
    const yesterday = new Date();
    yesterday.setDate(yesterday.getDate() - 1);
    const day = `${yesterday.getFullYear()}-${String(yesterday.getMonth() + 1).padStart(2, '0')}-${String(yesterday.getDate()).padStart(2, '0')}`;
    await editor.getByLabel('Annotation date').fill(day);
    await editor.getByLabel('Annotation note').fill('Newsletter sent (draft)');
    await page.screenshot({ path: join(folder, 'overview-annotation-edit.png') });
    await editor.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () => (await api('/annotations')).data.map((a: any) => [a.note, new Date(a.date).getDate()]), within)
      .toEqual([['Newsletter sent (draft)', yesterday.getDate()]]);
    await expect.poll(() => page.locator('.annotations li').allTextContents(), within).toEqual([expect.stringContaining('Newsletter sent (draft)')]);
    await expect
      .poll(async () => JSON.parse((await page.locator('.chart').getAttribute('data-annotations')) ?? '[]').map((a: any) => a.note), within)
      .toEqual(['Newsletter sent (draft)']);
    const [moved] = JSON.parse((await page.locator('.chart').getAttribute('data-annotations'))!);
    expect(moved.left).toBeLessThan(mark.left);
    await page.getByRole('button', { name: 'Delete the annotation Newsletter sent (draft)' }).click();
    await expect.poll(async () => (await api('/annotations')).count, within).toBe(0);
    await expect.poll(() => page.locator('.annotations li').count(), within).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });
});

describe('the properties report', () => {
  it("lists event and visitor properties with the API's counts, and a property's values", { timeout: 60_000 }, async () => {
    const { page, errors, close } = await open(`#/websites/${site}/reports/properties?range=24h`);
    const events = page.getByRole('region', { name: 'Event properties' });
    await events.locator('tr[data-property="plan"]').waitFor();
    expect(await events.locator('tbody tr').allTextContents()).toEqual(['plantext1', 'seatsnumber1']);
    await events.getByRole('button', { name: 'plan' }).click();
    await expect.poll(() => page.getByLabel('Values of plan').locator('li').allTextContents(), within).toEqual(['pro 1']);
    const visitors = page.getByRole('region', { name: 'Visitor properties' });
    await visitors.getByRole('button', { name: 'company' }).click();
    await expect.poll(() => page.getByLabel('Values of company').locator('li').allTextContents(), within).toEqual(['Acme 1']);
    await page.screenshot({ path: join(folder, 'reports-properties.png') });
    expect(errors).toEqual([]);
    await close();
  });
});

describe('the websites list', () => {
  it("draws every site's trend and today's visitors from one /websites/charts call", { timeout: 60_000 }, async () => {
    const { page, errors, requests, close } = await open('#/');
    await expect.poll(() => page.locator('.sites li .figure span').first().textContent(), within).toBe('3 today');
    expect(requests.filter((path) => path === '/api/websites/charts')).toHaveLength(1);
    expect(requests.filter((path) => /\/api\/websites\/[0-9a-f-]{36}\/(stats|pageviews)/.test(path))).toEqual([]);
    expect(await page.locator('.sites svg.spark').first().getAttribute('aria-label')).toMatch(/last 14 days: .*3$/);
    expect(errors).toEqual([]);
    await close();
  });
});
