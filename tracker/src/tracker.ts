/**
 * The browser tracker: one <script> tag with Umami's attributes, and Umami's `umami.track()` /
 * `umami.identify()`. It never throws into the host page. Beacons are CORS-simple (a text/plain
 * string body, `keepalive`), so no preflight is needed and a beacon outlives the page that sent it;
 * when the page is being hidden it uses `navigator.sendBeacon`.
 *
 * Size matters more than style here (tracker-size.test.ts holds the budget): one closure, short
 * helpers, no classes.
 */

const w = window as unknown as Window & Data;
const d = document;
const script = d.currentScript;

if (script) {
  const attr = (name: string) => script.getAttribute('data-' + name);
  const on = (name: string) => attr(name) == 'true';
  const { location: loc, history: hist, navigator: nav } = w;

  const website = attr('website-id')!;
  const base = (attr('host-url') || new URL((script as HTMLScriptElement).src).origin).replace(/\/$/, '');
  const endpoint = base + COLLECT_PATH;
  const domains = attr('domains');
  const tag = attr('tag') || undefined;
  const beforeSend = attr('before-send');
  const excludeSearch = on('exclude-search');
  const excludeHash = on('exclude-hash');

  let identity: string | undefined;
  let lastPageview: string | undefined;

  /** The page's URL as it is reported: without the query or the hash when the site says so. */
  const pageUrl = () => {
    const url = new URL(loc.href);
    if (excludeSearch) url.search = '';
    if (excludeHash) url.hash = '';
    return url.href;
  };
  let currentUrl = pageUrl();
  let currentPath = loc.pathname;
  // A referrer from this same site is a navigation, not a source.
  let currentReferrer = d.referrer.indexOf(loc.origin) ? d.referrer : '';

  const disabled = () => {
    try {
      if (localStorage.getItem('umami.disabled')) return 1;
    } catch {
      // Storage can be blocked (sandboxed frames, privacy modes); that alone does not opt out.
    }
    return (domains && domains.split(/\s*,\s*/).indexOf(loc.hostname) < 0) || (on('do-not-track') && (nav.doNotTrack || w.doNotTrack) == 1);
  };

  const payload = (): Payload => ({
    website,
    hostname: loc.hostname,
    screen: `${screen.width}x${screen.height}`,
    language: nav.language,
    title: d.title,
    // Read afresh: with data-auto-track="false" nothing follows navigation for us.
    url: pageUrl(),
    referrer: currentReferrer,
    tag,
    id: identity,
  });

  const send = (body: Payload | undefined | false, type = 'event') => {
    try {
      if (disabled()) return;
      const hook = beforeSend && w[beforeSend];
      if (typeof hook == 'function') body = hook(type, body);
      if (!body) return;
      const json = JSON.stringify({ type, payload: body });
      // A string body makes both requests text/plain: CORS-simple, so no preflight.
      if (d.hidden && nav.sendBeacon?.(endpoint, json)) return;
      fetch(endpoint, { method: 'POST', body: json, keepalive: true }).catch(() => {});
    } catch {
      // Never let tracking break the page it measures.
    }
  };

  /** Umami's forms: (), (name), (name, data), (payload object), (payload => payload). */
  const track = (name?: unknown, data?: unknown) =>
    send(
      typeof name == 'string'
        ? { ...payload(), name, data: typeof data == 'object' ? (data as Data) : undefined }
        : typeof name == 'object'
          ? (name as Payload)
          : typeof name == 'function'
            ? name(payload())
            : payload(),
    );

  /** Umami's forms: (id), (id, data), (data). The id then goes with every later event too. */
  const identify = (id?: unknown, data?: unknown) => {
    if (typeof id == 'string') identity = id;
    send({ ...payload(), data: typeof id == 'object' ? (id as Data) : (data as Data) }, 'identify');
  };

  /** One pageview per URL in a row; `force` for a page shown again from the back/forward cache. */
  const pageview = (force?: boolean) => {
    if (force || currentUrl != lastPageview) {
      lastPageview = currentUrl;
      track();
    }
  };

  /** After pushState, replaceState (only when the path changes) and back/forward. */
  const navigated = (pathOnly?: boolean) => {
    const next = pageUrl();
    if (next == currentUrl) return;
    const quiet = pathOnly && loc.pathname == currentPath;
    if (!quiet) currentReferrer = currentUrl;
    currentUrl = next;
    currentPath = loc.pathname;
    quiet || pageview();
  };

  /** A click on an element with data-umami-event (the nearest such element, link or button decides; links are the extras'). */
  const onClick = (event: MouseEvent) => {
    try {
      const element = (event.target as Element).closest('[data-umami-event],a,button');
      const name = element?.getAttribute('data-umami-event');
      if (name) {
        const data: Data = {};
        for (const { name: key, value } of element!.attributes) {
          if (key.indexOf('data-umami-event-') == 0) data[key.slice(17)] = value;
        }
        track(name, data);
      }
    } catch {
      // A click handler that throws would break the site's own handlers.
    }
  };

  const start = () => {
    if (attr('auto-track') != 'false') {
      for (const method of ['pushState', 'replaceState'] as const) {
        const original = hist[method];
        hist[method] = function (this: History, ...args: Parameters<History['pushState']>) {
          original.apply(this, args);
          navigated(method == 'replaceState');
        };
      }
      w.addEventListener('popstate', () => navigated());
      w.addEventListener('pageshow', (event) => event.persisted && pageview(true));
      d.addEventListener('click', onClick, true);
      pageview();
    }
    // The opt-in extras are a module of their own, fetched only for pages that ask for one (extras.ts).
    if (['performance', 'outbound-links', 'file-downloads'].some(on))
      import(base + '/tracker-extras.js').then(
        (extras) => extras.x(on, send, payload, track),
        () => {},
      );
    // Replay what the page asked for before the script loaded (the queue snippet in the README).
    for (const [method, args] of queued) umami[method](...args);
  };

  const queued = w.umami?.q || [];
  const umami = (w.umami = { track, identify });
  // A prerendered page is counted when the visitor actually sees it, not when the browser guesses.
  if ((d as Document & { prerendering?: boolean }).prerendering) d.addEventListener('prerenderingchange', start);
  else start();
}
