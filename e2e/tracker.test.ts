import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDocumentListeners, Harness, type TrackedTab } from './harness';

const h = new Harness();
const tabs: TrackedTab[] = [];

beforeAll(() => h.start());
afterAll(async () => {
  // Every page in this file: no uncaught error, and never a CORS preflight.
  for (const tab of tabs) {
    expect(tab.errors).toEqual([]);
    expect(tab.methods).not.toContain('OPTIONS');
  }
  await h.stop();
});

async function open(path: string | null, options?: Parameters<Harness['open']>[1]) {
  const tab = await h.open(path, options);
  tabs.push(tab);
  return tab;
}

/** Waits long enough that a beacon which should not be sent would have been. */
const settle = (tab: TrackedTab) => tab.page.waitForTimeout(400);

describe('the pageview on load', () => {
  it("sends Umami's payload as a CORS-simple text/plain request", async () => {
    const site = await h.website();
    const path = h.addPage(site, { title: 'Welcome' });
    const tab = await open(`${path}?q=1#top`);
    const [beacon] = await h.sent(tab, 1);
    expect(beacon!.type).toBe('event');
    expect(beacon!.contentType).toMatch(/^text\/plain/);
    expect(beacon!.payload).toEqual({
      website: site,
      hostname: 'localhost',
      screen: expect.stringMatching(/^\d+x\d+$/),
      language: expect.stringMatching(/^[a-z]{2}/),
      title: 'Welcome',
      url: `${h.site.url}${path}?q=1#top`,
      referrer: '',
    });
    const [row] = await h.stored(site, 1);
    expect(row).toMatchObject({ event_type: 1, url_path: path, url_query: 'q=1', page_title: 'Welcome' });
  });

  it('keeps a referrer from another site and drops one from the same site', async () => {
    const site = await h.website();
    const target = h.addPage(site);
    const from = h.addPage(site, { body: `<a id="go" href="${target}">go</a>` });
    h.site.pages['/outside'] = `<a id="go" href="${h.site.url}${target}">go</a>`;
    const tab = await open(null);
    // 127.0.0.1 and localhost are different sites as far as the referrer is concerned.
    await tab.page.goto(`${h.site.url.replace('localhost', '127.0.0.1')}/outside`);
    await tab.page.click('#go');
    await h.sent(tab, 1);
    expect(tab.beacons[0]!.payload.referrer).toBe(`${h.site.url.replace('localhost', '127.0.0.1')}/`);
    await tab.page.goto(h.site.url + from);
    await tab.page.click('#go');
    await h.sent(tab, 3);
    expect(tab.beacons[2]!.payload.referrer).toBe('');
  });
});

describe('attributes', () => {
  it('data-tag goes with every event', async () => {
    const site = await h.website();
    const tab = await open(h.addPage(site, { attributes: 'data-tag="variant-b"' }));
    await tab.page.evaluate(() => window.umami!.track('signup'));
    const beacons = await h.sent(tab, 2);
    expect(beacons.map((b) => b.payload.tag)).toEqual(['variant-b', 'variant-b']);
    expect((await h.stored(site, 2)).map((r) => r.tag)).toEqual(['variant-b', 'variant-b']);
  });

  it('data-exclude-search and data-exclude-hash strip the url', async () => {
    const site = await h.website();
    const search = await open(`${h.addPage(site, { attributes: 'data-exclude-search="true"' })}?secret=1#keep`);
    expect((await h.sent(search, 1))[0]!.payload.url).toMatch(/\/page\d+#keep$/);
    const hash = await open(`${h.addPage(site, { attributes: 'data-exclude-hash="true"' })}?keep=1#drop`);
    expect((await h.sent(hash, 1))[0]!.payload.url).toMatch(/\/page\d+\?keep=1$/);
  });

  it('data-auto-track="false" sends nothing by itself, but umami.track() works', async () => {
    const site = await h.website();
    const tab = await open(h.addPage(site, { attributes: 'data-auto-track="false"', body: '<button data-umami-event="b">b</button>' }));
    await tab.page.evaluate(() => history.pushState({}, '', '/elsewhere'));
    await tab.page.click('button');
    await settle(tab);
    expect(tab.beacons).toEqual([]);
    await tab.page.evaluate(() => window.umami!.track());
    expect((await h.sent(tab, 1))[0]!.payload.url).toBe(`${h.site.url}/elsewhere`);
  });

  it('data-domains: sends only on a listed hostname', async () => {
    const site = await h.website();
    const elsewhere = await open(h.addPage(site, { attributes: 'data-domains="example.com, www.example.com"' }));
    await elsewhere.page.evaluate(() => window.umami!.track('x'));
    await settle(elsewhere);
    expect(elsewhere.beacons).toEqual([]);
    const listed = await open(h.addPage(site, { attributes: 'data-domains="example.com, localhost"' }));
    await h.sent(listed, 1);
  });

  it("data-do-not-track honours the browser's Do Not Track", async () => {
    const site = await h.website();
    const path = h.addPage(site, { attributes: 'data-do-not-track="true"' });
    const dnt = await open(path, { init: () => Object.defineProperty(navigator, 'doNotTrack', { get: () => '1' }) });
    await settle(dnt);
    expect(dnt.beacons).toEqual([]);
    const noDnt = await open(path);
    await h.sent(noDnt, 1);
    // Without the attribute, DNT alone changes nothing (Umami's default).
    const ignored = await open(h.addPage(site), { init: () => Object.defineProperty(navigator, 'doNotTrack', { get: () => '1' }) });
    await h.sent(ignored, 1);
  });

  it('data-before-send can change a payload or cancel it', async () => {
    const site = await h.website();
    const head = `<script>
      window.beforeSend = (type, payload) => payload.name === 'drop' ? false : { ...payload, url: payload.url.replace(/\\?.*/, ''), seen: type };
    </script>`;
    const tab = await open(`${h.addPage(site, { head, attributes: 'data-before-send="beforeSend"' })}?token=abc`);
    await tab.page.evaluate(() => {
      window.umami!.track('drop');
      window.umami!.track('keep');
    });
    const beacons = await h.sent(tab, 2);
    expect(beacons.map((b) => [b.payload.name, b.payload.seen, b.payload.url.includes('token')])).toEqual([
      [undefined, 'event', false],
      ['keep', 'event', false],
    ]);
  });

  it('localStorage umami.disabled turns tracking off', async () => {
    const site = await h.website();
    const tab = await open(h.addPage(site), { init: () => localStorage.setItem('umami.disabled', '1') });
    await tab.page.evaluate(() => window.umami!.track('x'));
    await settle(tab);
    expect(tab.beacons).toEqual([]);
  });
});

describe('umami.track() and umami.identify()', () => {
  it('supports every form of track', async () => {
    const site = await h.website();
    const tab = await open(h.addPage(site, { attributes: 'data-auto-track="false"' }));
    await tab.page.evaluate((website) => {
      const { umami } = window;
      umami!.track();
      umami!.track('plain');
      umami!.track('with-data', { plan: 'pro', seats: 3 });
      umami!.track({ website, url: '/custom', name: 'object', hostname: 'example.com' });
      umami!.track((payload: Record<string, unknown>) => ({ ...payload, name: 'function', data: { from: payload.title } }));
    }, site);
    const beacons = await h.sent(tab, 5);
    expect(beacons.map((b) => [b.payload.name, b.payload.data])).toEqual([
      [undefined, undefined],
      ['plain', undefined],
      ['with-data', { plan: 'pro', seats: 3 }],
      ['object', undefined],
      ['function', { from: 'Home' }],
    ]);
    expect(beacons[3]!.payload).toEqual({ website: site, url: '/custom', name: 'object', hostname: 'example.com' });
    // Beacons sent back to back may reach the collector in any order.
    const rows = (await h.stored(site, 5)).sort((a, b) => a.event_name.localeCompare(b.event_name));
    expect(rows.map((r) => [r.event_type, r.event_name])).toEqual([
      [1, ''],
      [2, 'function'],
      [2, 'object'],
      [2, 'plain'],
      [2, 'with-data'],
    ]);
    expect(JSON.parse(rows[4]!.event_data)).toEqual({ plan: 'pro', seats: 3 });
  });

  it('supports every form of identify, and the id then goes with later events', async () => {
    const site = await h.website();
    const tab = await open(h.addPage(site, { attributes: 'data-auto-track="false"' }));
    await tab.page.evaluate(() => {
      const { umami } = window;
      umami!.identify('user-1');
      umami!.identify('user-2', { plan: 'pro' });
      umami!.identify({ company: 'Acme' });
      umami!.track('after');
    });
    const beacons = await h.sent(tab, 4);
    expect(beacons.map((b) => [b.type, b.payload.id, b.payload.data])).toEqual([
      ['identify', 'user-1', undefined],
      ['identify', 'user-2', { plan: 'pro' }],
      ['identify', 'user-2', { company: 'Acme' }],
      ['event', 'user-2', undefined],
    ]);
    // The beacons were sent, not necessarily answered: wait for the rows rather than flush once.
    const stored = async () => {
      await h.collector.flush();
      const result = await h.collector.db.query({
        query: 'SELECT distinct_id, data FROM session_data WHERE website_id = {id:UUID} ORDER BY distinct_id, data',
        query_params: { id: site },
        format: 'JSONEachRow',
      });
      return result.json();
    };
    await expect.poll(stored, { timeout: 15_000 }).toHaveLength(3);
    expect(await stored()).toEqual([
      { distinct_id: 'user-1', data: '' },
      { distinct_id: 'user-2', data: '{"company":"Acme"}' },
      { distinct_id: 'user-2', data: '{"plan":"pro"}' },
    ]);
  });

  it('replays calls made before the script loaded (the queue snippet)', async () => {
    const site = await h.website();
    const head = `<script>
      window.umami=window.umami||{q:[],track(){this.q.push(['track',arguments])},identify(){this.q.push(['identify',arguments])}};
      umami.track('early', { n: 1 }); umami.identify('early-user');
    </script>`;
    const tab = await open(h.addPage(site, { head }));
    const beacons = await h.sent(tab, 3);
    expect(beacons.map((b) => [b.type, b.payload.name, b.payload.data])).toEqual([
      ['event', undefined, undefined],
      ['event', 'early', { n: 1 }],
      ['identify', undefined, undefined],
    ]);
    expect(beacons[2]!.payload.id).toBe('early-user');
  });

  it('sends with sendBeacon while the page is being hidden', async () => {
    const site = await h.website();
    const tab = await open(h.addPage(site, { attributes: 'data-auto-track="false"' }));
    const ping = tab.page.waitForRequest((r) => r.url().endsWith('/api/send') && r.resourceType() === 'ping');
    await tab.page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      window.umami!.track('leaving');
    });
    const request = await ping;
    expect(JSON.parse(request.postData()!).payload.name).toBe('leaving');
    expect(request.headers()['content-type']).toMatch(/^text\/plain/);
    await h.stored(site, 1);
  });
});

describe('navigation', () => {
  it('counts pushState, path-changing replaceState, back and forward, never the same URL twice in a row', async () => {
    const site = await h.website();
    const path = h.addPage(site);
    const tab = await open(path);
    await h.sent(tab, 1);
    const go = (script: string) => tab.page.evaluate(script);
    await go(`history.pushState({}, '', '/a')`);
    await go(`history.pushState({}, '', '/a')`); // same URL: no pageview
    await go(`history.replaceState({}, '', '/a?tab=2')`); // same path: no pageview
    await go(`history.replaceState({}, '', '/b')`); // new path: pageview
    await go(`history.pushState({}, '', '/c')`);
    await tab.page.goBack(); // popstate to /b
    await tab.page.goBack(); // popstate to /a (the entry replaced twice now reads /b)
    await tab.page.goForward();
    const beacons = await h.sent(tab, 7);
    expect(beacons.map((b) => b.payload.url.replace(h.site.url, ''))).toEqual([path, '/a', '/b', '/c', '/b', '/a', '/b']);
    expect(beacons.map((b) => b.payload.referrer.replace(h.site.url, ''))).toEqual(['', path, '/a?tab=2', '/b', '/c', '/b', '/a']);
    const rows = await h.stored(site, 7);
    expect(new Set(rows.map((r) => r.visit_id)).size).toBe(1);
  });

  it('counts a page shown again by back/forward once, whether or not it comes from the cache', async () => {
    const site = await h.website();
    const second = h.addPage(site, { title: 'Second' });
    const first = h.addPage(site, { title: 'First', body: `<a id="next" href="${second}">next</a>` });
    const tab = await open(first);
    await h.sent(tab, 1);
    await tab.page.click('#next');
    await h.sent(tab, 2);
    await tab.page.goBack();
    const beacons = await h.sent(tab, 3);
    expect(beacons.map((b) => b.payload.title)).toEqual(['First', 'Second', 'First']);
  });
});

describe('clicks', () => {
  it('sends data-umami-event with its data-umami-event-* attributes, from the element or a child of it', async () => {
    const site = await h.website();
    const body = `
      <button id="plain" data-umami-event="signup" data-umami-event-plan="pro" data-umami-event-seat-count="3"><span id="inner">Sign up</span></button>
      <div id="card" data-umami-event="card-open"><p id="deep">open</p></div>
      <button id="untagged">nothing</button>`;
    const tab = await open(h.addPage(site, { body }));
    await h.sent(tab, 1);
    await tab.page.click('#plain');
    await tab.page.click('#inner');
    await tab.page.click('#deep');
    await tab.page.click('#untagged');
    const beacons = await h.sent(tab, 4);
    expect(beacons.slice(1).map((b) => [b.payload.name, b.payload.data])).toEqual([
      ['signup', { plan: 'pro', 'seat-count': '3' }],
      ['signup', { plan: 'pro', 'seat-count': '3' }],
      ['card-open', {}],
    ]);
  });

  it('lets a tagged link navigate at once, and its event still arrives', async () => {
    const site = await h.website();
    h.site.pages['/away'] = '<p>away</p>';
    const tab = await open(
      h.addPage(site, {
        body: `<a id="go" href="${h.site.url.replace('localhost', '127.0.0.1')}/away" data-umami-event="leave" data-umami-event-to="away">go</a>`,
      }),
    );
    await h.sent(tab, 1);
    await tab.page.click('#go');
    await tab.page.waitForURL(/127\.0\.0\.1.*\/away$/);
    const rows = await h.stored(site, 2);
    expect(rows.map((r) => [r.event_name, r.event_data])).toEqual([
      ['', ''],
      ['leave', '{"to":"away"}'],
    ]);
  });

  // 7 s alone or beside a CPU hog; past 30 s once with the machine three times oversubscribed.
  it('data-outbound-links and data-file-downloads report those clicks with the URL', { timeout: 90_000 }, async () => {
    const site = await h.website();
    h.site.pages['/away'] = '<p>away</p>';
    const outbound = `${h.site.url.replace('localhost', '127.0.0.1')}/away`;
    const body = `
      <a id="out" href="${outbound}">out</a>
      <a id="file" href="/files/report.pdf" download>report</a>
      <a id="inside" href="/page-inside">inside</a>
      <a id="mail" href="mailto:a@example.com">mail</a>`;
    const path = h.addPage(site, { body, attributes: 'data-outbound-links="true" data-file-downloads="true"' });
    h.site.pages['/page-inside'] = '<p>inside</p>';
    const tab = await open(path, { init: countDocumentListeners });
    await h.sent(tab, 1);
    // The tracker's own click listener, then the extras module's (links are an opt-in extra).
    await h.listening(tab, 'click', 2);
    await tab.page.click('#file');
    await tab.page.click('#mail');
    await tab.page.click('#out');
    await tab.page.waitForURL(outbound);
    const rows = (await h.stored(site, 3)).filter((r) => r.event_type === 2).sort((a, b) => a.event_name.localeCompare(b.event_name));
    expect(rows.map((r) => [r.event_name, JSON.parse(r.event_data).url])).toEqual([
      ['file-download', `${h.site.url}/files/report.pdf`],
      ['outbound-link', outbound],
    ]);
    // Off by default: the same clicks without the attributes send nothing, and the extras module is never fetched.
    const quiet = await open(h.addPage(site, { body }));
    const fetched: string[] = [];
    quiet.page.on('request', (request) => fetched.push(request.url()));
    await h.sent(quiet, 1);
    await quiet.page.click('#file');
    await settle(quiet);
    expect(quiet.beacons).toHaveLength(1);
    expect(fetched.filter((url) => url.includes('tracker-extras'))).toEqual([]);
  });
});

/**
 * Waits until the browser has timed the page's last interaction (after the next frame), as the
 * vitals observe it. The browser keeps only interactions of 104 ms or more for late observers, so
 * the test handlers block for 120 ms.
 */
const interactionMeasured = (tab: TrackedTab) =>
  tab.page.evaluate(
    () =>
      new Promise((measured) =>
        new PerformanceObserver((list) => list.getEntries().some((entry) => (entry as PerformanceEventTiming).interactionId) && measured(true)).observe({
          type: 'event',
          buffered: true,
          durationThreshold: 16,
        } as PerformanceObserverInit),
      ),
  );

describe('web vitals (data-performance="true")', () => {
  it('measures LCP, FCP, TTFB, CLS and INP in Chromium and sends them once per page when it is left', { timeout: 60_000 }, async () => {
    const site = await h.website();
    h.site.pages['/after-vitals'] = '<p>next</p>';
    // A late banner pushes the text down (a layout shift; Chromium marks shifts within 500 ms of the
    // navigation as following input, so it comes after a second); the button's handler blocks for
    // 120 ms (a slow interaction).
    const body = `<p id="text" style="font-size:40px">Measured page</p><button id="slow">slow</button>
      <script>
        setTimeout(() => { const b = document.createElement('div'); b.style.height = '200px'; b.textContent = 'banner'; document.body.prepend(b); }, 1200);
        document.getElementById('slow').addEventListener('click', () => { const end = performance.now() + 120; while (performance.now() < end); });
      </script>`;
    const path = h.addPage(site, { body, attributes: 'data-performance="true"' });
    const tab = await open(path, { init: countDocumentListeners });
    await h.sent(tab, 1);
    await h.listening(tab, 'visibilitychange');
    // Wait for the shift itself (the frame after the banner is inserted), not the banner: a shift
    // laid out after the click would count as following input, and CLS leaves those out.
    await tab.page.evaluate(() => new Promise((shifted) => new PerformanceObserver(shifted).observe({ type: 'layout-shift', buffered: true })));
    await tab.page.click('#slow');
    await interactionMeasured(tab);
    // Leaving the page hides it: the vitals go out then (requests sent while a page unloads are
    // not all reported to the browser's request events, so the stored row is what is checked).
    await tab.page.goto(h.site.url + '/after-vitals');
    const [row] = await h.storedVitals(site, 1);
    expect(row).toMatchObject({ url_path: path });
    expect(row!.lcp).toBeGreaterThan(0);
    expect(row!.fcp).toBeGreaterThan(0);
    expect(row!.ttfb).toBeGreaterThanOrEqual(0);
    expect(row!.cls).toBeGreaterThan(0);
    // The handler blocked for 120 ms: the interaction took at least that long.
    expect(row!.inp).toBeGreaterThanOrEqual(100);
  });

  it('reports each page of a single-page app on its own', async () => {
    const site = await h.website();
    const body = `<button id="slow">slow</button>
      <script>document.getElementById('slow').addEventListener('click', () => { const end = performance.now() + 120; while (performance.now() < end); });</script>`;
    const path = h.addPage(site, { body, attributes: 'data-performance="true"' });
    const tab = await open(path, { init: countDocumentListeners });
    await h.sent(tab, 1);
    await h.listening(tab, 'visibilitychange');
    await tab.page.evaluate(() => history.pushState({}, '', '/spa-next'));
    // The first page is reported when the app shows the next; the next when the visitor leaves.
    await expect.poll(() => tab.beacons.filter((b) => b.type === 'performance').map((b) => b.payload.url)).toEqual([`${h.site.url}${path}`]);
    // The next page measures its own interactions (a page with none would send nothing).
    await tab.page.click('#slow');
    await interactionMeasured(tab);
    h.site.pages['/left-spa'] = '<p>elsewhere</p>';
    await tab.page.goto(h.site.url + '/left-spa');
    expect((await h.storedVitals(site, 2)).map((row) => row.url_path)).toEqual([path, '/spa-next']);
  });
});

describe("Umami's own tracker (v2.10, unchanged)", () => {
  it('works against the collector: pageviews, events, one session, decoded titles', async () => {
    const site = await h.website();
    const { readFileSync } = await import('node:fs');
    const umamiScript = readFileSync(new URL('./fixtures/umami-2.10.0/tracker.js', import.meta.url), 'utf8');
    // Umami's script reads its settings from document.currentScript, so it is inlined with them.
    h.site.pages['/umami-page'] = `<!doctype html><html><head><meta charset="utf-8"><title>Café & Co</title>
      <script data-website-id="${site}" data-host-url="${h.collector.url}">${umamiScript}</script>
      </head><body></body></html>`;
    const tab = await h.open('/umami-page');
    await tab.page.waitForFunction(() => Boolean(window.umami));
    await tab.page.evaluate(() => window.umami!.track('umami-event', { a: 1 }));
    await tab.page.evaluate(() => history.pushState({}, '', '/umami-next'));
    const stored = await h.stored(site, 3);
    const rows = stored.map((r) => [r.event_type, r.event_name, r.url_path, r.page_title]).sort();
    expect(rows).toEqual([
      [1, '', '/umami-next', 'Café & Co'],
      [1, '', '/umami-page', 'Café & Co'],
      [2, 'umami-event', '/umami-page', 'Café & Co'],
    ]);
    expect(new Set(stored.map((r) => r.session_id)).size).toBe(1);
    expect(tab.errors).toEqual([]);
  });
});

describe('prerendering', () => {
  it('counts a prerendered page once, when it is shown, not when the browser prepares it', async () => {
    // Headless Chromium here does not act on speculation rules, so the page is told it is being
    // prerendered the way the browser would tell it: document.prerendering, then prerenderingchange.
    const site = await h.website();
    const tab = await open(h.addPage(site, { title: 'Prerendered' }), {
      init: () => {
        const state = { prerendering: true };
        Object.defineProperty(document, 'prerendering', { configurable: true, get: () => state.prerendering });
        Object.assign(window, {
          activate: () => {
            state.prerendering = false;
            document.dispatchEvent(new Event('prerenderingchange'));
          },
        });
      },
    });
    await settle(tab);
    expect(tab.beacons).toEqual([]);
    await tab.page.evaluate(() => (window as unknown as { activate: () => void }).activate());
    const [beacon] = await h.sent(tab, 1);
    expect(beacon!.payload.title).toBe('Prerendered');
  });
});
