import { it } from 'vitest';
import { startTestCollector } from '../test-support/collector';
import { launchChromium } from '../e2e/browser';
import { seedEvents } from '../bench/seed-events';
it('finds wide elements', { timeout: 120_000 }, async () => {
  const c = await startTestCollector();
  const b = await launchChromium();
  const token = await c.login();
  const id = await c.createWebsite(token, 'Example shop');
  await seedEvents(c.db, id, { events: 20000, days: 60, now: Date.now() });
  const ctx = await b.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await ctx.addInitScript((t) => sessionStorage.setItem('analytics.token', t), token);
  const p = await ctx.newPage();
  await p.goto(`${c.url}/#/websites/${id}?range=30d`);
  await p.locator('.chart canvas').waitFor();
  await p.waitForTimeout(1500);
  console.log(await p.evaluate(() => [...document.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > 390).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).slice(0, 15).join('\n')));
  await b.close(); await c.destroy();
});
