import type { Browser, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTime, chromeUA, startTestCollector, type TestCollector } from '../test-support/collector';
import { launchChromium } from './browser';
import { startSite, trackedPage } from './fixture-server';

let collector: TestCollector;
let browser: Browser;
let site: Awaited<ReturnType<typeof startSite>>;
let token: string;
let websiteId: string;

beforeAll(async () => {
  collector = await startTestCollector();
  token = await collector.login();
  websiteId = await collector.createWebsite(token, 'browser');
  site = await startSite({ '/': trackedPage(collector.url, websiteId) });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await collector?.destroy();
});

describe('a page from another origin with the script tag', () => {
  it('is counted exactly: load, pushState and umami.track()', async () => {
    // Headless Chromium announces itself as HeadlessChrome, which the bot filter drops (as Umami's
    // does); this page stands in for a real visitor's browser.
    const context = await browser.newContext({ userAgent: chromeUA });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const beacons: Request[] = [];
    const methods: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(collector.url + '/api/send')) return;
      methods.push(request.method());
      if (request.method() === 'POST') beacons.push(request);
    });
    const answered = (n: number) =>
      expect
        .poll(async () => {
          const done = await Promise.all(beacons.map(async (b) => (await b.response())?.status()));
          return done.filter((s) => s === 200).length;
        })
        .toBe(n);

    await page.goto(`${site.url}/?ref=test`);
    await answered(1);
    await page.evaluate(() => history.pushState({}, '', '/about'));
    await answered(2);
    await page.evaluate(() => window.umami!.track('signup', { plan: 'pro' }));
    await answered(3);

    const payloads = beacons.map((b) => JSON.parse(b.postData()!));
    expect(payloads.map((p) => p.type)).toEqual(['event', 'event', 'event']);
    expect(payloads[0].payload).toMatchObject({
      website: websiteId,
      hostname: 'localhost',
      url: `${site.url}/?ref=test`,
      title: 'Home',
      screen: expect.stringMatching(/^\d+x\d+$/),
      language: expect.any(String),
    });
    expect(payloads[1].payload).toMatchObject({ url: `${site.url}/about`, referrer: `${site.url}/?ref=test` });
    expect(payloads[2].payload).toMatchObject({ name: 'signup', data: { plan: 'pro' }, url: `${site.url}/about` });
    // text/plain beacons are CORS-simple: no preflight was needed.
    expect(methods).not.toContain('OPTIONS');
    expect(beacons[0]!.headers()['content-type']).toContain('text/plain');
    expect(errors).toEqual([]);

    await collector.flush();
    const get = async (path: string) => (await collector.request(path, { token })).json();
    expect(await get(`/api/websites/${websiteId}/stats?${allTime}`)).toMatchObject({ pageviews: 2, visitors: 1, visits: 1, bounces: 0 });
    expect(await get(`/api/websites/${websiteId}/metrics?${allTime}&type=path`)).toEqual([
      { x: '/', y: 1 },
      { x: '/about', y: 1 },
    ]);
    expect(await get(`/api/websites/${websiteId}/metrics?${allTime}&type=event`)).toEqual([{ x: 'signup', y: 1 }]);
    await context.close();
  });
});
