/**
 * Web vitals for `data-performance="true"` (part of the extras module, see extras.ts): LCP, INP, CLS, FCP and TTFB measured as Google's web-vitals library and Umami's
 * tracker do, sent as one `performance` beacon per page view when the page is hidden (closed,
 * left, or its tab put away: the moment web-vitals reports, so INP and CLS include the whole
 * visit; Umami's tracker sends after 10 seconds and misses what happens later) or when a
 * single-page app shows another page. A metric the browser did not measure is left out (the
 * collector does not count it as 0).
 */

type Metrics = { lcp?: number; inp?: number; cls?: number; fcp?: number; ttfb?: number; duration?: number };
type Payload = Record<string, unknown>;

export function vitals(send: (body: Payload, type: string) => void, payload: () => Payload): void {
  const w = window;
  const d = document;
  let metrics: Metrics = {};
  let page = payload();
  let startedAt = performance.now();
  let sent = false;
  let firstLoad = true;
  let activationStart = 0;
  let lcpDone = false;
  // CLS: the largest burst of layout shifts (gaps under 1 s, at most 5 s long), as web-vitals counts it.
  let burst = 0;
  let burstStart = 0;
  let burstLast = 0;
  // INP: the longest duration per interaction; the answer is about the 98th percentile of them.
  let interactions: Record<number, number> = {};

  const since = (time: number) => Math.max(time - activationStart, 0);

  /** Each observer with its handler, so entries still queued when the page hides are read too (web-vitals' takeRecords). */
  const observers: [PerformanceObserver, (entry: any) => void][] = [];
  const observe = (type: string, each: (entry: any) => void, options: object = {}) => {
    try {
      const observer = new PerformanceObserver((list) => list.getEntries().forEach(each));
      observer.observe({ type, buffered: true, ...options });
      observers.push([observer, each]);
    } catch {
      // An entry type this browser does not know: that metric is not measured.
    }
  };

  observe('navigation', (entry: PerformanceNavigationTiming & { activationStart?: number }) => {
    activationStart = entry.activationStart || 0;
    if (firstLoad) metrics.ttfb = since(entry.responseStart);
  });
  observe('paint', (entry) => {
    if (firstLoad && entry.name == 'first-contentful-paint') metrics.fcp = since(entry.startTime);
  });
  observe('largest-contentful-paint', (entry) => {
    // The largest paint before the visitor first interacts, as web-vitals reports it.
    if (firstLoad && !lcpDone) metrics.lcp = since(entry.startTime);
  });
  for (const type of ['keydown', 'pointerdown']) w.addEventListener(type, () => (lcpDone = true), { once: true, capture: true });

  observe('layout-shift', (entry) => {
    if (entry.hadRecentInput) return;
    if (burst && entry.startTime - burstLast < 1000 && entry.startTime - burstStart < 5000) burst += entry.value;
    else {
      burst = entry.value;
      burstStart = entry.startTime;
    }
    burstLast = entry.startTime;
    if (burst > (metrics.cls || 0)) metrics.cls = burst;
  });

  observe(
    'event',
    (entry) => {
      if (!entry.interactionId) return;
      interactions[entry.interactionId] = Math.max(interactions[entry.interactionId] || 0, entry.duration);
      const longest = Object.values(interactions).sort((a, b) => b - a);
      // One interaction in fifty is left out as an outlier: the longest up to 49, the second up to 99, …
      metrics.inp = longest[Math.min(longest.length - 1, Math.floor(longest.length / 50))];
    },
    { durationThreshold: 40 },
  );

  const flush = () => {
    if (sent) return;
    for (const [observer, each] of observers) observer.takeRecords().forEach(each);
    sent = true;
    // A page that measured nothing (a soft navigation without shifts or interactions) sends nothing.
    if (Object.keys(metrics).length == 0) return;
    metrics.duration = Math.round(performance.now() - startedAt);
    send({ ...page, ...metrics }, 'performance');
  };

  /** A single-page app showed another page: report the last one, then measure the new one (CLS, INP and time; loading metrics belong to the first). */
  const navigated = () => {
    const next = payload();
    if (next.url == page.url) return;
    flush();
    page = next;
    metrics = {};
    interactions = {};
    burst = 0;
    firstLoad = false;
    sent = false;
    startedAt = performance.now();
  };

  const history = w.history;
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      original.apply(this, args);
      navigated();
    };
  }
  w.addEventListener('popstate', navigated);
  d.addEventListener('visibilitychange', () => d.visibilityState == 'hidden' && flush());
  w.addEventListener('pagehide', flush);
}
