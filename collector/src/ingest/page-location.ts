/** The page and referrer parts we store, split from the beacon's url and referrer. */
export interface PageLocation {
  urlPath: string;
  urlQuery: string;
  referrerDomain: string;
  referrerPath: string;
  referrerQuery: string;
  utm: { source: string; medium: string; campaign: string; content: string; term: string };
}

const maxStored = 500;
/** Cuts a stored text column to its 500-character limit, never between the two halves of a surrogate pair. */
export function cutToStoredLength(value: string): string {
  if (value.length <= maxStored) return value;
  const lastKept = value.charCodeAt(maxStored - 1);
  return value.slice(0, lastKept >= 0xd800 && lastKept <= 0xdbff ? maxStored - 1 : maxStored);
}

/** decodeURI that keeps the input when it is not valid percent-encoding. */
export function safeDecode(value: string, decode: (v: string) => string = decodeURI): string {
  if (!value.includes('%')) return value;
  try {
    return decode(value);
  } catch {
    return value;
  }
}

function parseUrl(value: string, base: string): URL | null {
  try {
    return new URL(value, base);
  } catch {
    return null;
  }
}

const cacheLimit = 10_000;
const cache = new Map<string, PageLocation>();

/**
 * Splits url (a path or a full URL) and referrer (a full URL or empty) into stored columns.
 * Sites send the same few pages and referrers over and over, so results are cached (bounded;
 * cleared when full). The result is shared: do not change it.
 */
export function splitLocation(url: string, referrer: string, hostname: string): PageLocation {
  const key = `${hostname}\n${url}\n${referrer}`;
  let location = cache.get(key);
  if (location === undefined) {
    location = parseLocation(url, referrer, hostname);
    if (cache.size >= cacheLimit) cache.clear();
    cache.set(key, location);
  }
  return location;
}

function parseLocation(url: string, referrer: string, hostname: string): PageLocation {
  const page = parseUrl(url || '/', `https://${hostname || 'localhost'}`);
  const params = page?.searchParams;
  const from = referrer ? parseUrl(referrer, 'invalid:/') : null;
  const fromWeb = from && (from.protocol === 'http:' || from.protocol === 'https:') ? from : null;
  return {
    urlPath: cutToStoredLength(safeDecode(page ? page.pathname : (url.split(/[?#]/)[0] ?? ''))),
    urlQuery: cutToStoredLength(page ? page.search.slice(1) : ''),
    referrerDomain: fromWeb ? fromWeb.hostname.replace(/^www\./, '') : '',
    referrerPath: fromWeb ? cutToStoredLength(safeDecode(fromWeb.pathname)) : '',
    referrerQuery: fromWeb ? cutToStoredLength(fromWeb.search.slice(1)) : '',
    utm: {
      source: cutToStoredLength(params?.get('utm_source') ?? ''),
      medium: cutToStoredLength(params?.get('utm_medium') ?? ''),
      campaign: cutToStoredLength(params?.get('utm_campaign') ?? ''),
      content: cutToStoredLength(params?.get('utm_content') ?? ''),
      term: cutToStoredLength(params?.get('utm_term') ?? ''),
    },
  };
}
