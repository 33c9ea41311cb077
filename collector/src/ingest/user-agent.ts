import { UAParser } from 'ua-parser-js';
import { isbot } from 'isbot';

/** What a User-Agent tells us, in the value names Umami's dashboards and API use. */
export interface AgentInfo {
  bot: boolean;
  browser: string;
  os: string;
  /** ua-parser's device type when the UA states one (mobile, tablet, …), else ''. */
  deviceType: string;
}

// ua-parser-js names → Umami's (detect-browser's) keys, so metrics read the same as Umami's.
const browserNames: Record<string, string> = {
  Chrome: 'chrome',
  'Chrome Headless': 'chrome',
  'Chrome WebView': 'chromium-webview',
  'Mobile Chrome': 'crios',
  Chromium: 'chrome',
  Edge: 'edge-chromium',
  Firefox: 'firefox',
  'Mobile Firefox': 'fxios',
  Safari: 'safari',
  'Mobile Safari': 'ios',
  'Samsung Browser': 'samsung',
  Opera: 'opera',
  'Opera Mini': 'opera-mini',
  Yandex: 'yandexbrowser',
  Facebook: 'facebook',
  Instagram: 'instagram',
  IE: 'ie',
  'Android Browser': 'android',
};

function osName(name: string | undefined, version: string | undefined): string {
  switch (name) {
    case undefined:
      return '';
    case 'Windows':
      return version ? `Windows ${version}` : 'Windows';
    case 'Mac OS':
    case 'macOS':
      return 'Mac OS';
    case 'Android':
      return 'Android OS';
    case 'Chromium OS':
      return 'Chrome OS';
    default:
      return name;
  }
}

function parse(userAgent: string): AgentInfo {
  const result = new UAParser(userAgent).getResult();
  const name = result.browser.name;
  return {
    bot: isbot(userAgent),
    browser: name ? (browserNames[name] ?? name.toLowerCase().replace(/\s+/g, '-')) : '',
    os: osName(result.os.name, result.os.version),
    deviceType: result.device.type ?? '',
  };
}

const cacheLimit = 10_000;
const cache = new Map<string, AgentInfo>();

/** Parses a User-Agent, at most once per distinct string while it stays in a bounded cache. */
export function describeAgent(userAgent: string): AgentInfo {
  let info = cache.get(userAgent);
  if (info === undefined) {
    info = parse(userAgent);
    // Real traffic has few distinct UAs; when the cache fills (a UA-spraying client), start over.
    if (cache.size >= cacheLimit) cache.clear();
    cache.set(userAgent, info);
  }
  return info;
}

const desktopOs = new Set(['Windows', 'Mac OS', 'Linux', 'Ubuntu', 'Chrome OS', 'Fedora', 'Debian']);

/** desktop, laptop, tablet or mobile, from the UA's device type, the OS and the screen width (Umami's buckets). */
export function deviceOf(info: AgentInfo, screen: string): string {
  if (info.deviceType === 'mobile' || info.deviceType === 'tablet') return info.deviceType;
  const width = Number.parseInt(screen, 10);
  const osFamily = info.os.startsWith('Windows') ? 'Windows' : info.os;
  if (desktopOs.has(osFamily)) {
    return osFamily === 'Chrome OS' || (width > 0 && width < 1920) ? 'laptop' : 'desktop';
  }
  if (!(width > 0)) return info.deviceType || '';
  if (width >= 1920) return 'desktop';
  if (width >= 1024) return 'laptop';
  if (width >= 480) return 'tablet';
  return 'mobile';
}
