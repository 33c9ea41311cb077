import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { chromeUA, startTestCollector, type TestCollector } from '../test-support/collector';
import { launchChromium } from './browser';
import { startSite, trackedPage, type Site } from './fixture-server';

export interface Beacon {
  type: string;
  payload: Record<string, any>;
  method: string;
  contentType: string;
}

export interface TrackedTab {
  page: Page;
  context: BrowserContext;
  /** Every beacon the page sent, parsed, in order. */
  beacons: Beacon[];
  /** Methods of every request to the collect endpoint (an OPTIONS would be a preflight). */
  methods: string[];
  /** Uncaught errors in the page. */
  errors: string[];
}

/** One collector, one customer site and one Chromium for a spec file. */
/**
 * An init script for `open`: counts the listeners the page adds to `document`, by type, in
 * `window.__listeners`, so a test can wait until the tracker's extras module is running (it adds
 * a click listener for links, and a visibilitychange one for web vitals).
 */
export function countDocumentListeners(): void {
  const counts: Record<string, number> = {};
  (window as unknown as { __listeners: Record<string, number> }).__listeners = counts;
  const add = Document.prototype.addEventListener;
  Document.prototype.addEventListener = function (
    this: Document,
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ) {
    counts[type] = (counts[type] ?? 0) + 1;
    return add.call(this, type, listener, options);
  };
}

export class Harness {
  collector!: TestCollector;
  site!: Site;
  browser!: Browser;
  token!: string;
  #page = 0;

  async start(env: Record<string, string> = {}): Promise<this> {
    this.collector = await startTestCollector(env);
    this.token = await this.collector.login();
    this.site = await startSite();
    this.browser = await launchChromium();
    return this;
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await this.site?.close();
    await this.collector?.destroy();
  }

  website(name = 'site'): Promise<string> {
    return this.collector.createWebsite(this.token, name);
  }

  /** Adds a page carrying the script tag at a fresh path and returns that path. */
  addPage(websiteId: string, options: Parameters<typeof trackedPage>[2] = {}, path = `/page${++this.#page}`): string {
    this.site.pages[path] = trackedPage(this.collector.url, websiteId, options);
    return path;
  }

  /** Opens a browser tab that records the beacons it sends. */
  async open(path: string | null, { userAgent = chromeUA, init }: { userAgent?: string; init?: () => void } = {}): Promise<TrackedTab> {
    // Headless Chromium says "HeadlessChrome", which the bot filter drops (as Umami's does);
    // a desktop Chrome User-Agent stands in for a visitor's browser.
    const context = await this.browser.newContext({ userAgent });
    const page = await context.newPage();
    if (init) await page.addInitScript(init);
    const tab: TrackedTab = { page, context, beacons: [], methods: [], errors: [] };
    page.on('pageerror', (error) => tab.errors.push(error.message));
    context.on('request', (request) => {
      if (!request.url().startsWith(this.collector.url + '/api/')) return;
      if (request.url().includes('/api/heartbeat')) return;
      tab.methods.push(request.method());
      if (request.method() !== 'POST') return;
      const body = JSON.parse(request.postData() ?? '{}');
      tab.beacons.push({ ...body, method: request.method(), contentType: request.headers()['content-type'] ?? '' });
    });
    if (path !== null) await page.goto(this.site.url + path);
    return tab;
  }

  /** Waits until the page (opened with `init: countDocumentListeners`) has added `count` listeners of `type` to document. */
  async listening(tab: TrackedTab, type: string, count = 1): Promise<void> {
    await tab.page.waitForFunction(
      ([name, n]) => ((window as unknown as { __listeners?: Record<string, number> }).__listeners?.[name as string] ?? 0) >= (n as number),
      [type, count],
    );
  }

  /** The web vitals stored for a website (website_performance), oldest first, once `count` have arrived. */
  storedVitals(websiteId: string, count: number): Promise<Record<string, any>[]> {
    return this.#rowsOnce(count, 10_000, 'SELECT url_path, lcp, fcp, ttfb, cls, inp FROM website_performance', websiteId);
  }

  /** Waits until the tab has sent exactly `count` beacons. */
  async sent(tab: TrackedTab, count: number): Promise<Beacon[]> {
    await expect.poll(() => tab.beacons.length, { timeout: 5000 }).toBeGreaterThanOrEqual(count);
    // Give a stray extra beacon the chance to show up before asserting the exact count.
    await tab.page.waitForTimeout(150);
    expect(tab.beacons.map((b) => b.payload.name ?? b.payload.url)).toHaveLength(count);
    return tab.beacons;
  }

  /** The events stored for a website, oldest first, once `count` have arrived. */
  stored(websiteId: string, count: number): Promise<Record<string, any>[]> {
    return this.#rowsOnce(
      count,
      5000,
      'SELECT event_type, event_name, url_path, url_query, page_title, referrer_domain, tag, event_data, session_id, visit_id FROM website_event',
      websiteId,
    );
  }

  /** A website's rows of `select` (ending with its FROM), oldest first, once `count` have arrived (flushing the collector between looks). */
  async #rowsOnce(count: number, timeout: number, select: string, websiteId: string): Promise<Record<string, any>[]> {
    let rows: Record<string, any>[] = [];
    await expect
      .poll(
        async () => {
          await this.collector.flush();
          const result = await this.collector.db.query({
            query: `${select} WHERE website_id = {id:UUID} ORDER BY created_at`,
            query_params: { id: websiteId },
            format: 'JSONEachRow',
          });
          rows = await result.json();
          return rows.length;
        },
        { timeout },
      )
      .toBe(count);
    return rows;
  }
}
