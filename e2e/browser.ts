import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { chromeUA } from '../test-support/collector';

/**
 * Chromium for the browser tests: CHROMIUM_PATH when set, else Playwright's own build when one
 * is installed, else Debian's /usr/bin/chromium.
 */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    const bundled = chromium.executablePath();
    if (bundled && existsSync(bundled)) return bundled;
  } catch {
    // No Playwright-managed browser here.
  }
  return '/usr/bin/chromium';
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      // Requests a page sends as it unloads (sendBeacon, keepalive fetch) go out with the browser's
      // own User-Agent, not the context's: headless Chromium's says HeadlessChrome, which the bot
      // filter drops. A visitor's desktop Chrome stands in for it everywhere.
      `--user-agent=${chromeUA}`,
    ],
  });
}
