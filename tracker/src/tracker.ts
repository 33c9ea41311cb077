/**
 * The browser tracker: one <script> tag, Umami's attributes and `umami.track()`.
 * It never throws into the host page and sends CORS-simple requests (text/plain, keepalive),
 * so no preflight is needed and a beacon outlives the page that sent it.
 */
type EventData = Record<string, unknown>;

interface Payload {
  website: string;
  hostname: string;
  language: string;
  referrer: string;
  screen: string;
  title: string;
  url: string;
  name?: string;
  data?: EventData;
}

declare global {
  interface Window {
    umami?: { track: (name?: string, data?: EventData) => void };
  }
}

((window: Window, document: Document) => {
  const script = document.currentScript as HTMLScriptElement | null;
  const websiteId = script?.getAttribute('data-website-id');
  if (!script || !websiteId) return;

  const { location, history, screen, navigator } = window;
  const hostUrl = (script.getAttribute('data-host-url') || new URL(script.src).origin).replace(/\/$/, '');
  const endpoint = `${hostUrl}/api/send`;
  let currentUrl = location.href;
  let currentReferrer = document.referrer;

  const basePayload = (): Payload => ({
    website: websiteId,
    hostname: location.hostname,
    language: navigator.language,
    referrer: currentReferrer,
    screen: `${screen.width}x${screen.height}`,
    title: document.title,
    url: currentUrl,
  });

  const send = (payload: Payload, type = 'event') => {
    try {
      void fetch(endpoint, {
        method: 'POST',
        body: JSON.stringify({ type, payload }),
        headers: { 'Content-Type': 'text/plain' },
        credentials: 'omit',
        keepalive: true,
      }).catch(() => {});
    } catch {
      // A tracker must never break the page it measures.
    }
  };

  const track = (name?: string, data?: EventData) =>
    send(typeof name === 'string' ? { ...basePayload(), name, data } : basePayload());

  const onNavigate = () => {
    const next = location.href;
    if (next === currentUrl) return;
    currentReferrer = currentUrl;
    currentUrl = next;
    track();
  };

  const pushState = history.pushState;
  history.pushState = function (this: History, ...args: Parameters<History['pushState']>) {
    const result = pushState.apply(this, args);
    try {
      onNavigate();
    } catch {
      // Never let tracking break the site's navigation.
    }
    return result;
  };

  window.umami = { track };

  if (document.readyState === 'complete') track();
  else window.addEventListener('load', () => track(), { once: true });
})(window, document);

export {};
