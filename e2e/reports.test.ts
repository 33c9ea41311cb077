import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromeUA, pageview, startTestCollector, type TestCollector } from '../test-support/collector';
import { launchChromium } from './browser';
import { nextRead } from './reads';

/**
 * The reports page in Chromium against a real collector: each report shows the read API's
 * numbers for the same range, on a desktop and a 360 px phone, without anything sticking out.
 */
const folder = process.env.SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'reports-'));
let collector: TestCollector;
let browser: Browser;
let token: string;
let site: string;

beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '50', TRUST_PROXY: 'true' });
  token = await collector.login();
  browser = await launchChromium();
  site = await collector.createWebsite(token, 'Shop');
  // Twelve visits over the last hours: some reach pricing and sign up, with campaigns.
  const base = Date.now() - 5 * 3600_000;
  const rows = Array.from({ length: 12 }, (_, v) => {
    const id = randomUUID();
    const path = ['/', '/pricing', '/signup'].slice(0, 1 + (v % 3));
    const events = path.map((p, i) => ({ path: p, name: '', at: i }));
    if (v % 3 === 2) events.push({ path: '/signup', name: 'signed-up', at: 3 });
    return events.map((e) => ({
      website_id: site,
      session_id: id,
      visit_id: id,
      event_id: randomUUID(),
      created_at: base + v * 60_000 + e.at * 5_000,
      event_type: e.name ? 2 : 1,
      event_name: e.name,
      url_path: e.path,
      utm_source: v % 2 ? 'newsletter' : '',
    }));
  }).flat();
  await collector.db.insert({ table: 'website_event', values: rows, format: 'JSONEachRow' });
  // Two identified visitors coming back over the days before today (retention follows distinct ids).
  const day = 86_400_000;
  const returning = [
    ['ann', [3, 2, 1]],
    ['bob', [3, 1]],
  ] as const;
  for (const [who, daysAgo] of returning) {
    for (const ago of daysAgo) {
      const id = randomUUID();
      const at = Date.now() - ago * day - 2 * 3600_000;
      await collector.db.insert({
        table: 'website_event',
        values: [{ website_id: site, session_id: id, visit_id: id, event_id: randomUUID(), created_at: at, event_type: 1, url_path: '/account' }],
        format: 'JSONEachRow',
      });
      await collector.db.insert({
        table: 'session_data',
        values: [{ website_id: site, session_id: id, distinct_id: who, data: '', created_at: at }],
        format: 'JSONEachRow',
      });
    }
  }
  for (const [i, lcp] of [1200, 2600, 4800].entries()) {
    await collector.send(
      { type: 'performance', payload: { ...pageview(site, '/').payload, lcp, inp: 80, cls: 0.02, fcp: 900, ttfb: 300 } },
      { 'x-forwarded-for': `192.0.2.${i}`, 'user-agent': chromeUA },
    );
  }
  for (const amount of [19.9, 30]) {
    await collector.send({
      type: 'event',
      payload: { ...pageview(site, '/thanks').payload, referrer: 'https://www.google.com/', name: 'checkout', data: { revenue: amount, currency: 'EUR' } },
    });
  }
  await collector.flush();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await collector?.destroy();
});

const api = async (path: string) => (await collector.request(`/api/websites/${site}${path}`, { token })).json() as Promise<any>;

// "Last 24 hours" holds the seeded hours at any time of day ("today" would miss them just after midnight).
/**
 * Opens a report page. `loads`: a path the page requests while it loads, waited for from before
 * the navigation (registered after it, the request may already have gone out).
 */
async function open(
  report: string,
  width = 1280,
  range = '24h',
  loads?: string,
): Promise<{ page: Page; errors: string[]; close: () => Promise<void>; loaded: Promise<URL> | null }> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, ...(width < 600 ? { isMobile: true, hasTouch: true } : {}) });
  await context.addInitScript((t) => sessionStorage.setItem('analytics.token', t), token);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const loaded = loads ? nextRead(page, loads) : null;
  await page.goto(`${collector.url}/#/websites/${site}/reports/${report}?range=${range}`);
  await page.getByRole('heading', { name: 'Reports' }).waitFor();
  return { page, errors, close: () => context.close(), loaded };
}

/** The range the page asks for, as the API needs it: read from its own requests. */
async function rangeOf(page: Page, path: string): Promise<string> {
  const url = await nextRead(page, path);
  return `startAt=${url.searchParams.get('startAt')}&endAt=${url.searchParams.get('endAt')}`;
}

/** Elements past the page's right edge, unless a box between them scrolls sideways (the tabs do). */
const nothingSticksOut = (page: Page) =>
  page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (e: Element | null): boolean =>
      e !== null && (['auto', 'scroll', 'hidden'].includes(getComputedStyle(e).overflowX) || scrolls(e.parentElement));
    return [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > width + 1 && !scrolls(e.parentElement))
      .map((e) => e.tagName);
  });

describe('the reports page', () => {
  it('shows a goal added on the page with the figures of the API', { timeout: 90_000 }, async () => {
    const { page, errors, close } = await open('goals');
    await page.getByLabel('Page or event').fill('signed-up');
    await page.getByLabel('Name (optional)').fill('Signed up');
    const asked = rangeOf(page, '/stats');
    await page.getByRole('button', { name: 'Add goal' }).click();
    const range = await asked;
    const goals = await api('/goals');
    const stats = await api(`/goals/${goals.data[0].id}/stats?${range}`);
    // Twelve visits seeded, and the one that sent the two orders.
    expect(stats).toEqual({ num: 4, total: 13 });
    await expect.poll(() => page.locator('tr[data-goal="Signed up"] td').nth(1).textContent()).toBe('4 of 13');
    expect(errors).toEqual([]);
    await close();
  });

  it('draws the funnel, journeys, vitals, revenue and UTM with the API’s numbers', { timeout: 90_000 }, async () => {
    const { page, errors, close } = await open('funnel');
    const asked = rangeOf(page, '/funnels/stats');
    await page.getByRole('button', { name: 'Show funnel' }).click();
    const range = await asked;
    const steps = encodeURIComponent(
      JSON.stringify([
        { type: 'path', value: '/' },
        { type: 'path', value: '/pricing' },
        { type: 'event', value: 'signed-up' },
      ]),
    );
    const funnel = await api(`/funnels/stats?${range}&window=30&steps=${steps}`);
    expect(funnel.map((s: any) => s.visitors)).toEqual([12, 8, 4]);
    await expect.poll(() => page.locator('.funnel li strong').allTextContents()).toEqual(['12', '8', '4']);
    await page.screenshot({ path: join(folder, 'reports-funnel-desktop.png') });

    await page.getByRole('link', { name: 'Journeys' }).click();
    const journeys = await api(`/journeys?${range}&steps=3`);
    await expect.poll(() => page.locator('.journeys li').first().textContent()).toBe(`${journeys[0].items.join(' → ')}${journeys[0].count}`);

    await page.getByRole('link', { name: 'Web vitals' }).click();
    const vitals = await api(`/performance/stats?${range}`);
    expect(vitals.count).toBe(3);
    await expect.poll(() => page.locator('[data-vital="lcp"] dd').textContent()).toBe(`${(vitals.lcp.p75 / 1000).toFixed(2)} s`);
    expect(await page.locator('[data-vital="lcp"]').getAttribute('class')).toContain('needs-improvement');
    expect(await page.locator('[data-vital="ttfb"]').getAttribute('class')).toContain('good');
    await page.screenshot({ path: join(folder, 'reports-vitals-desktop.png') });

    await page.getByRole('link', { name: 'Revenue' }).click();
    const revenue = await api(`/revenue/stats?${range}&currency=EUR`);
    expect([revenue.sum, revenue.count]).toEqual([49.9, 2]);
    await expect
      .poll(() => page.locator('.headline dd').first().textContent())
      .toBe(new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' }).format(49.9));

    await page.getByRole('link', { name: 'UTM' }).click();
    const utm = await api(`/utm/metrics?${range}&type=utm_source`);
    await expect.poll(() => page.locator('.report-table tbody tr').allTextContents()).toEqual(utm.map((row: any) => `${row.utm}${row.views}`));
    expect(errors).toEqual([]);
    await close();
  });

  it('saves a funnel built in the page, loads it back, and updates it', { timeout: 90_000 }, async () => {
    const { page, errors, close } = await open('funnel');
    await page.getByLabel('Steps, one per line').fill('/\n/signup');
    await page.getByLabel('Name').fill('To signup');
    await page.getByRole('button', { name: 'Save as new' }).click();
    await page.locator('li[data-funnel="To signup"]').waitFor();
    const [saved] = (await api('/funnels')).data;
    expect(saved.parameters).toEqual({
      steps: [
        { type: 'path', value: '/' },
        { type: 'path', value: '/signup' },
      ],
      window: 30,
    });
    await expect.poll(() => page.locator('.funnel li strong').allTextContents()).toEqual(['12', '4']);
    await page.getByLabel('Within (minutes of the step before)').fill('1');
    await page.getByRole('button', { name: 'Update “To signup”' }).click();
    await expect.poll(async () => (await api(`/funnels/${saved.id}`)).parameters.window).toBe(1);
    expect((await api('/funnels')).count).toBe(1);
    expect(errors).toEqual([]);
    await close();
  });

  it('shows retention, attribution and revenue by channel with the API’s numbers', { timeout: 90_000 }, async () => {
    const { page, errors, close, loaded } = await open('retention', 1280, '7d', '/retention');
    const asked = (await loaded)!;
    const retention = await api(`/retention${asked.search}`);
    // ann: day 0, 1 and 2 of her cohort; bob: day 0 and 2 of his (both start three days ago).
    const threeDaysAgo = retention.find((row: any) => row.day === 0 && row.visitors === 2);
    expect(retention.filter((row: any) => row.date === threeDaysAgo.date).map((row: any) => [row.day, row.returnVisitors])).toEqual([
      [0, 2],
      [1, 1],
      [2, 2],
    ]);
    const cells = page.locator(`tr[data-cohort="${threeDaysAgo.date}"] td`);
    await expect.poll(() => cells.allTextContents()).toEqual([threeDaysAgo.date, '2', '100%', '50%', '100%']);
    await page.screenshot({ path: join(folder, 'reports-retention-desktop.png') });

    await page.getByRole('link', { name: 'Attribution' }).click();
    await page.getByLabel('Conversion: page or event').fill('signed-up');
    const attributed = rangeOf(page, '/attribution');
    await page.getByRole('button', { name: 'Attribute' }).click();
    const range = await attributed;
    const credited = await api(`/attribution?${range}&model=first-click&type=event&step=signed-up`);
    expect(credited.utm_source.length).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('table[data-field="utm_source"] tbody tr').allTextContents())
      .toEqual(credited.utm_source.map((row: any) => `${row.name}${row.value}`));
    // Revenue attribution (ours): the checkouts' EUR revenue credited to their first touch.
    await page.getByLabel('Conversion: page or event').fill('checkout');
    await page.getByLabel('Revenue in (optional)').fill('eur');
    await page.getByRole('button', { name: 'Attribute' }).click();
    const paid = await api(`/attribution?${range}&model=first-click&type=event&step=checkout&currency=EUR`);
    expect(paid.total.revenue).toBeGreaterThan(0);
    expect(paid.referrer.length).toBeGreaterThan(0);
    const euros = (value: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' }).format(value);
    await expect
      .poll(() => page.locator('table[data-field="referrer"] tbody tr').allTextContents())
      .toEqual(paid.referrer.map((row: any) => `${row.name}${euros(row.value)}`));
    await expect.poll(() => page.locator('table[data-field="referrer"] th.number').textContent()).toBe('Revenue');
    await page.screenshot({ path: join(folder, 'reports-attribution-desktop.png') });

    await page.getByRole('link', { name: 'Revenue' }).click();
    const byChannel = await api(`/revenue/metrics?${range}&currency=EUR&type=channel`);
    expect(byChannel).toEqual([{ name: 'organicSearch', value: 49.9 }]);
    const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' }).format(49.9);
    await expect.poll(() => page.locator('table[data-revenue-by="channel"] tbody tr').allTextContents()).toEqual([`organicSearch${money}`]);
    // One bar per day of the range; the orders' day carries them all.
    const bars = page.locator('.revenue-day');
    expect(await bars.count()).toBeGreaterThanOrEqual(7);
    expect(await page.locator(`.revenue-day[title$="${money}"]`).count()).toBe(1);
    await page.screenshot({ path: join(folder, 'reports-revenue-desktop.png') });
    expect(errors).toEqual([]);
    await close();
  });

  it('fits a 360 px phone', { timeout: 60_000 }, async () => {
    for (const report of ['funnel', 'vitals', 'journeys', 'retention']) {
      const { page, close } = await open(report, 360);
      if (report === 'funnel') {
        await page.getByRole('button', { name: 'Show funnel' }).click();
        await page.locator('.funnel li').first().waitFor();
      } else await page.waitForFunction(() => document.querySelectorAll('.loading-inline').length === 0);
      expect(await nothingSticksOut(page), report).toEqual([]);
      await page.screenshot({ path: join(folder, `reports-${report}-phone.png`), fullPage: true });
      await close();
    }
  });
});
