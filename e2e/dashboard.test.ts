import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPassword, chromeUA, startTestCollector, type TestCollector } from '../test-support/collector';
import { launchChromium } from './browser';
import { startSite, trackedPage } from './fixture-server';
import { seedEvents } from '../bench/seed-events';
import { codesFor } from '../test-support/totp-codes';

/**
 * The dashboard as a person uses it, in Chromium against a real collector: sign in, add a
 * website, visit a page carrying its tracker, and read the figures, which equal the read API's.
 */
let collector: TestCollector;
let browser: Browser;
let site: Awaited<ReturnType<typeof startSite>> | null = null;

beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '50' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await collector?.destroy();
});

/** Fills in and sends the sign-in form the page shows. */
async function fillSignIn(page: Page, username: string, password: string) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signIn(page: Page, username = 'admin', password = adminPassword) {
  await page.goto(collector.url + '/');
  await fillSignIn(page, username, password);
  await page.getByRole('heading', { name: 'Websites' }).waitFor();
}

describe('the dashboard', () => {
  it('signs in, adds a website, and shows its visits with the figures of the read API', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const thirdParty: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(collector.url)) thirdParty.push(request.url());
    });

    // A wrong password gets a clear message, not a blank page.
    await page.goto(collector.url + '/');
    await fillSignIn(page, 'admin', 'not the password');
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('Incorrect');
    await signIn(page);

    await page.getByLabel('Name').fill('Shop');
    await page.getByLabel('Domain').fill('shop.example');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('link', { name: /Shop/ }).waitFor();
    const token = await collector.login();
    const { data } = (await (await collector.request('/api/websites', { token })).json()) as { data: { id: string; name: string }[] };
    const websiteId = data.find((w) => w.name === 'Shop')!.id;
    // Its retention, set in the list's edit form (issue 28).
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Keep data').selectOption('13');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('keeps 13 months').waitFor({ timeout: 15_000 });
    expect(await (await collector.request(`/api/websites/${websiteId}`, { token })).json()).toMatchObject({ retentionMonths: 13 });

    // A visitor: two pages of a site carrying the tracker.
    site = await startSite({ '/': trackedPage(collector.url, websiteId), '/pricing': trackedPage(collector.url, websiteId) });
    const visitor = await browser.newContext({ userAgent: chromeUA });
    const tab = await visitor.newPage();
    // Each page's beacon is answered before the next step: closing the context cancels a beacon
    // still on its way (seen with the machine busy: one pageview of two arrived).
    for (const path of ['/', '/pricing']) {
      const answered = tab.waitForResponse((response) => response.url().endsWith('/api/send') && response.request().method() === 'POST');
      await tab.goto(site.url + path);
      expect((await answered).status()).toBe(200);
    }
    await visitor.close();
    await expect
      .poll(
        async () =>
          (
            (await collector
              .request(`/api/websites/${websiteId}/stats?startAt=${Date.now() - 86_400_000}&endAt=${Date.now()}`, { token })
              .then((r) => r.json())) as { pageviews: number }
          ).pageviews,
        { timeout: 20_000 },
      )
      .toBe(2);

    await page.getByRole('link', { name: /Shop/ }).click();
    await page.locator('[data-figure="Pageviews"] .value').waitFor();
    const figure = async (name: string) => (await page.locator(`[data-figure="${name}"] .value`).textContent())?.trim();
    expect(await figure('Pageviews')).toBe('2');
    expect(await figure('Visitors')).toBe('1');
    expect(await figure('Visits')).toBe('1');
    expect(await figure('Bounce rate')).toBe('0%');
    const pages = page.locator('[data-panel="path"] .row .label');
    expect((await pages.allTextContents()).sort()).toEqual(['/', '/pricing']);
    await page.locator('.chart canvas').waitFor();
    // The realtime panel: the visitor of a moment ago is active now.
    await expect.poll(() => page.locator('.live h2').textContent(), { timeout: 15_000 }).toContain('1 visitor now');

    // A row filters the page, the filter lives in the URL, and a chip removes it.
    await page.locator('[data-panel="path"] .row', { hasText: '/pricing' }).click();
    await expect.poll(() => page.url(), { timeout: 15_000 }).toContain('path=eq.%2Fpricing');
    await expect.poll(() => figure('Pageviews'), { timeout: 15_000 }).toBe('1');
    const filtered = page.url();
    // A bookmarked view in a new tab (a session not remembered: sign in there) opens as it was.
    const again = await context.newPage();
    await again.goto(filtered);
    await fillSignIn(again, 'admin', adminPassword);
    await again.locator('[data-figure="Pageviews"] .value').waitFor();
    expect(await again.getByRole('list', { name: 'Filters' }).textContent()).toContain('/pricing');
    expect((await again.locator('[data-figure="Pageviews"] .value').textContent())?.trim()).toBe('1');
    await page.getByRole('button', { name: 'Remove the path filter' }).click();
    await expect.poll(() => figure('Pageviews'), { timeout: 15_000 }).toBe('2');

    // Signing out revokes the token: the old one no longer works.
    const stored = await page.evaluate(() => sessionStorage.getItem('analytics.token'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect((await collector.request('/api/me', { token: stored! })).status).toBe(401);

    expect(errors).toEqual([]);
    expect(thirdParty).toEqual([]);
    await context.close();
  });

  it('deletes a website after a confirmation that names it', { timeout: 60_000 }, async () => {
    const token = await collector.login();
    await collector.request('/api/websites', { method: 'POST', token, json: { name: 'Old blog', domain: 'old.example' } });
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page);
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    const item = page.locator('.sites li', { hasText: 'Old blog' });
    await item.getByRole('button', { name: 'Delete…' }).click();
    await expect.poll(() => asked, { timeout: 15_000 }).toEqual(['Delete "Old blog" and all its data? This cannot be undone.']);
    expect(await item.count()).toBe(1);
    page.once('dialog', (dialog) => void dialog.accept());
    await item.getByRole('button', { name: 'Delete…' }).click();
    await expect.poll(() => item.count(), { timeout: 15_000 }).toBe(0);
    await context.close();
  });

  it('shares one website read-only by link, until the owner stops', { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page);
    await page.getByRole('button', { name: 'Share a public link' }).click();
    const link = page.getByRole('link', { name: /\/#\/share\// });
    await link.waitFor();
    const url = (await link.textContent())!;

    const stranger = await browser.newContext();
    const view = await stranger.newPage();
    await view.goto(url);
    await view.locator('[data-figure="Pageviews"] .value').waitFor();
    expect((await view.locator('[data-figure="Pageviews"] .value').textContent())?.trim()).toBe('2');
    expect(await view.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(await view.getByText('Add a website').count()).toBe(0);

    await page.getByRole('button', { name: 'Stop sharing' }).click();
    await page.getByRole('button', { name: 'Share a public link' }).waitFor();
    await view.reload();
    await expect.poll(() => view.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('not shared');
    await stranger.close();
    await context.close();
  });

  it("shows a view-only user their team's sites and no write controls; the server refuses their writes too", { timeout: 60_000 }, async () => {
    const admin = await collector.login();
    const [team] = (await (await collector.request('/api/teams', { method: 'POST', token: admin, json: { name: 'Readers' } })).json()) as [{ id: string }];
    await collector.request('/api/websites', { method: 'POST', token: admin, json: { name: 'Team shop', domain: 't.example', teamId: team.id } });
    const reader = await collector.users.create('reader', 'tulip garden lamp', 'view-only');
    await collector.request(`/api/teams/${team.id}/users`, { method: 'POST', token: admin, json: { userId: reader.id, role: 'team-view-only' } });
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'reader', 'tulip garden lamp');
    await page.getByRole('link', { name: /Team shop/ }).waitFor();
    expect(await page.getByText('Add a website').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Share a public link' }).count()).toBe(0);
    const token = await page.evaluate(() => sessionStorage.getItem('analytics.token'));
    expect((await collector.request('/api/websites', { method: 'POST', token: token!, json: { name: 'x', domain: 'x.example' } })).status).toBe(403);
    await context.close();
  });

  it('manages API keys and the password on the account page', { timeout: 60_000 }, async () => {
    await collector.users.create('keeper', 'tulip garden lamp', 'user');
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'keeper', 'tulip garden lamp');
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();

    await page.getByLabel('Key name').fill('reporting');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.locator('.new-key').textContent({ timeout: 15_000 }))!;
    expect(key).toMatch(/^umami_/);
    await page.locator('.keys td', { hasText: 'reporting' }).waitFor();
    expect((await collector.request('/api/me', { headers: { 'x-umami-api-key': key } })).status).toBe(200);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('No API keys.').waitFor();
    expect((await collector.request('/api/me', { headers: { 'x-umami-api-key': key } })).status).toBe(401);

    await page.getByLabel('Current password').fill('not it');
    await page.getByLabel('New password').fill('orange river stone');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('not correct');
    await page.getByLabel('Current password').fill('tulip garden lamp');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed').waitFor({ timeout: 15_000 });
    expect((await collector.request('/api/auth/login', { method: 'POST', json: { username: 'keeper', password: 'orange river stone' } })).status).toBe(200);
    await context.close();
  });

  it('explores a site as the read API answers: custom range, search box, tabs, comparison, row filters; the URL keeps it all', {
    timeout: 120_000,
  }, async () => {
    const token = await collector.login();
    const id = await collector.createWebsite(token, 'Seeded');
    await seedEvents(collector.db, id, { events: 5_000, days: 20, now: Date.now() });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC', locale: 'en-US' });
    await context.addInitScript((t) => sessionStorage.setItem('analytics.token', t), token);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    // A custom range of ten whole days (the page's time zone is UTC, so its bounds are these).
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const [start, end] = [day(Date.now() - 9 * 86_400_000), day(Date.now())];
    const range = `startAt=${Date.parse(`${start}T00:00:00Z`)}&endAt=${Date.parse(`${end}T00:00:00Z`) + 86_400_000 - 1}`;
    const read = async <T>(path: string) => (await (await collector.request(`/api/websites/${id}/${path}`, { token })).json()) as T;
    const number = new Intl.NumberFormat('en-US');
    const figure = async (name: string) => (await page.locator(`[data-figure="${name}"] .value`).textContent())?.trim();
    /** The page's headline equals the API's stats for the same range and filters. */
    const headlineMatches = async (filters: string) => {
      const stats = await read<{ visitors: number; visits: number; pageviews: number }>(`stats?${range}${filters}`);
      expect(stats.pageviews).toBeGreaterThan(0);
      await expect.poll(() => figure('Pageviews'), { timeout: 15_000 }).toBe(number.format(stats.pageviews));
      await expect.poll(() => page.locator('[aria-busy="true"]').count(), { timeout: 15_000 }).toBe(0);
      expect(await figure('Visitors')).toBe(number.format(stats.visitors));
      expect(await figure('Visits')).toBe(number.format(stats.visits));
    };

    await page.goto(`${collector.url}/#/websites/${id}?range=custom&start=${start}&end=${end}`);
    await expect.poll(() => page.getByLabel('From').inputValue(), { timeout: 15_000 }).toBe(start);
    await headlineMatches('');

    // The search box adds a "contains" filter on pages.
    await page.getByLabel('Filter on').selectOption('path');
    await page.getByLabel('Filter value').fill('blog');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(() => page.url(), { timeout: 15_000 }).toContain('path=c.blog');
    expect(await page.getByRole('list', { name: 'Filters' }).textContent()).toContain('Page contains blog');
    await headlineMatches('&path=c.blog');

    // The entry-pages tab lists what the API lists.
    await page.getByRole('tab', { name: 'Entry' }).click();
    await expect.poll(() => page.url(), { timeout: 15_000 }).toContain('pages=entry');
    const entries = await read<{ x: string; y: number }[]>(`metrics?${range}&path=c.blog&type=entry&limit=10`);
    expect(entries.length).toBeGreaterThan(0);
    const rows = page.locator('[data-panel="entry"] .row');
    await expect.poll(() => rows.locator('.label').allTextContents(), { timeout: 15_000 }).toEqual(entries.map((e) => e.x));
    expect(await rows.locator('.count').allTextContents()).toEqual(entries.map((e) => number.format(e.y)));
    // Each row's share of the period's visitors, as the stats count them.
    const { visitors } = await read<{ visitors: number }>(`stats?${range}&path=c.blog`);
    const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 0 });
    expect(await rows.locator('.share').allTextContents()).toEqual(entries.map((e) => percent.format(Math.min(1, e.y / visitors))));
    expect(await page.locator('[data-panel="entry"] .columns').textContent()).toBe('EntryVisitors');

    // Comparison: the previous period's figures and line.
    await page.getByLabel('Compare with previous period').check();
    await expect.poll(() => page.url(), { timeout: 15_000 }).toContain('compare=prev');
    const { comparison } = await read<{ comparison: { pageviews: number } }>(`stats?${range}&path=c.blog`);
    await expect
      .poll(() => page.locator('[data-figure="Pageviews"] .previous').textContent(), { timeout: 15_000 })
      .toBe(`previous period: ${number.format(comparison.pageviews)}`);
    await page.locator('.chart', { hasText: 'Pageviews, previous period' }).waitFor();

    // A country row narrows everything to that country.
    const [top] = await read<{ x: string }[]>(`metrics?${range}&path=c.blog&type=country&limit=1`);
    await page.locator('[data-panel="country"] .row').first().click();
    await expect.poll(() => page.url(), { timeout: 15_000 }).toContain(`country=eq.${top!.x}`);
    await headlineMatches(`&path=c.blog&country=eq.${top!.x}`);

    // The URL holds the whole state: a reload shows the same view.
    const before = page.url();
    await page.reload();
    await headlineMatches(`&path=c.blog&country=eq.${top!.x}`);
    expect(page.url()).toBe(before);
    expect(await page.getByRole('tab', { name: 'Entry' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.getByLabel('Compare with previous period').isChecked()).toBe(true);
    expect(await page.getByRole('list', { name: 'Filters' }).textContent()).toContain('Country is');

    // By keyboard: tabs and rows are buttons, reached with Tab, pressed with Enter, with a visible focus ring.
    await page.getByRole('tab', { name: 'Entry' }).focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Exit');
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url(), { timeout: 15_000 }).toContain('pages=exit');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('sets up two-factor sign-in from a QR code, then signs in with the second step', { timeout: 90_000 }, async () => {
    await collector.users.create('careful', 'tulip garden lamp', 'user');
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'careful', 'tulip garden lamp');
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    // The QR code is drawn (a square of modules); the key beside it is the same secret.
    const modules = await page.locator('.qr-code path').getAttribute('d');
    expect(modules!.length).toBeGreaterThan(1000);
    const manualKey = (await page.locator('.manual-key').textContent())!;
    const form = page.locator('.card', { hasText: 'Two-factor sign-in' });
    await form.getByLabel('Password').fill('tulip garden lamp');
    await form.getByLabel('Code', { exact: true }).fill((await codesFor(manualKey)).current);
    await form.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Two-factor sign-in is on.').waitFor({ timeout: 15_000 });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await fillSignIn(page, 'careful', 'tulip garden lamp');
    await page.getByLabel('Code from your authenticator app').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toMatch(/code/i);
    await page.getByLabel('Code from your authenticator app').fill((await codesFor(manualKey)).next);
    await page.getByRole('button', { name: 'Verify' }).click();
    // Signed in again, on the page it was on; the QR code is gone, two-factor sign-in shows as on.
    await page.getByText('Signing in asks for a code from your authenticator app.').waitFor({ timeout: 15_000 });
    const token = await page.evaluate(() => sessionStorage.getItem('analytics.token'));
    expect((await collector.request('/api/2fa/status', { token: token! }).then((r) => r.json())) as { isEnabled: boolean }).toMatchObject({ isEnabled: true });
    await context.close();
  });

  it('runs teams and users from the pages: create, join by code, change a role, delete', { timeout: 90_000 }, async () => {
    await collector.users.create('joiner', 'tulip garden lamp', 'user');
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page);
    await page.getByRole('link', { name: 'Teams' }).click();
    await page.getByLabel('Team name').fill('Editors');
    await page.getByRole('button', { name: 'Create team' }).click();
    const card = page.locator('.team[data-team="Editors"]');
    const code = (await card.locator('.access-code').textContent({ timeout: 15_000 }))!;

    // Someone else joins with the code, from their own teams page.
    const other = await browser.newContext();
    const joinerPage = await other.newPage();
    await signIn(joinerPage, 'joiner', 'tulip garden lamp');
    await joinerPage.getByRole('link', { name: 'Teams' }).click();
    await joinerPage.getByLabel('Access code').fill(code);
    await joinerPage.getByRole('button', { name: 'Join team' }).click();
    await joinerPage.locator('.team[data-team="Editors"]').getByText('Your role: Member').waitFor({ timeout: 15_000 });
    expect(await joinerPage.locator('.access-code').count()).toBe(0);

    // The owner sees the new member and makes them a manager.
    await page.reload();
    await card.getByLabel('Role of joiner').selectOption('team-manager');
    const teamId = (
      (await (await collector.request('/api/me/teams', { token: await collector.login() })).json()) as { data: { id: string; name: string }[] }
    ).data.find((t) => t.name === 'Editors')!.id;
    const members = async () =>
      (
        (await (await collector.request(`/api/teams/${teamId}/users`, { token: await collector.login() })).json()) as {
          data: { user: { username: string }; role: string }[];
        }
      ).data;
    await expect.poll(async () => (await members()).find((m) => m.user.username === 'joiner')?.role, { timeout: 15_000 }).toBe('team-manager');

    // Admins manage users: create one, change the role, delete after a confirmation naming them.
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Username').fill('newcomer');
    await page.getByLabel('Password').fill('orange river stone');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.locator('tr[data-user="newcomer"]').waitFor({ timeout: 15_000 });
    await page.getByLabel('Role of newcomer').selectOption('view-only');
    await page.getByText("newcomer's role changed.").waitFor({ timeout: 15_000 });
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept();
    });
    await page.locator('tr[data-user="newcomer"]').getByRole('button', { name: 'Delete…' }).click();
    await expect.poll(() => page.locator('tr[data-user="newcomer"]').count(), { timeout: 15_000 }).toBe(0);
    expect(asked[0]).toContain('"newcomer"');
    expect((await collector.request('/api/auth/login', { method: 'POST', json: { username: 'newcomer', password: 'orange river stone' } })).status).toBe(401);
    await other.close();
    await context.close();
  });

  it('adds two users in a row, each with the role the form shows (a reset form once fell back to Admin)', { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page);
    await page.getByRole('link', { name: 'Users' }).click();
    const role = page
      .locator('form')
      .filter({ has: page.getByRole('button', { name: 'Add user' }) })
      .getByLabel('Role');
    const roles: string[] = [];
    for (const name of ['first-in-row', 'second-in-row']) {
      roles.push(await role.inputValue());
      await page.getByLabel('Username').fill(name);
      await page.getByLabel('Password').fill('orange river stone');
      await page.getByRole('button', { name: 'Add user' }).click();
      await page.locator(`tr[data-user="${name}"]`).waitFor({ timeout: 15_000 });
    }
    expect(roles).toEqual(['user', 'user']);
    const token = await collector.login();
    const { data } = (await (await collector.request('/api/users?pageSize=100', { token })).json()) as { data: { username: string; role: string }[] };
    expect(data.filter((u) => u.username.endsWith('-in-row')).map((u) => [u.username, u.role])).toEqual([
      ['first-in-row', 'user'],
      ['second-in-row', 'user'],
    ]);
    // The filter form keeps its default operator ("contains") for the next filter too.
    await page.goto(`${collector.url}/#/websites/${await collector.createWebsite(token, 'Filters')}`);
    const operator = page.getByLabel('Operator');
    await operator.waitFor();
    expect(await operator.inputValue()).toBe('c');
    await page.getByLabel('Filter value').fill('pricing');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.getByRole('list', { name: 'Filters' }).waitFor();
    expect(await operator.inputValue()).toBe('c');
    await context.close();
  });

  it("copies a website's tracking snippet with one click", { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: collector.url });
    const page = await context.newPage();
    await signIn(page);
    const token = await collector.login();
    const id = await collector.createWebsite(token, 'Copy me');
    await page.reload();
    const copy = page.getByRole('button', { name: 'Copy the tracking snippet of Copy me' });
    await copy.click();
    await expect.poll(() => copy.textContent(), { timeout: 5000 }).toBe('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`<script defer src="${collector.url}/script.js" data-website-id="${id}"></script>`);
    await context.close();
  });

  it('opens a panel in full: search, order, pages, shares, CSV of what is shown, a row to filter by', { timeout: 90_000 }, async () => {
    const token = await collector.login();
    const id = await collector.createWebsite(token, 'Detailed');
    await seedEvents(collector.db, id, { events: 20_000, days: 20, now: Date.now() });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', acceptDownloads: true });
    await context.addInitScript((t) => sessionStorage.setItem('analytics.token', t), token);
    const page = await context.newPage();
    await page.goto(`${collector.url}/#/websites/${id}?range=30d`);
    const panel = page.locator('[data-panel="path"]');
    await panel.getByRole('button', { name: 'Details' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pages: details' });
    const names = () => dialog.locator('tbody tr td:first-child').allTextContents();
    await expect.poll(async () => (await names()).length, { timeout: 15_000 }).toBe(50);
    // What the API lists for the same range, all of it (the seed has 200 paths).
    const range = new URL(page.url().replace('#/', '')).searchParams;
    expect(range.get('range')).toBe('30d');
    const query = await page.evaluate(
      () =>
        performance
          .getEntriesByType('resource')
          .map((e) => e.name)
          .find((n) => n.includes('type=path&limit=1000'))!,
    );
    const all = (await (await collector.request(new URL(query).pathname + new URL(query).search, { token })).json()) as { x: string; y: number }[];
    expect(all.length).toBeGreaterThan(100);
    // Most visitors first, ties by name.
    const collator = new Intl.Collator('en-US', { numeric: true, sensitivity: 'base' });
    const byCount = [...all].sort((a, b) => b.y - a.y || collator.compare(a.x, b.x));
    expect(await names()).toEqual(byCount.slice(0, 50).map((r) => r.x));
    expect(await dialog.getByText(`Page 1 of ${Math.ceil(all.length / 50)}`).count()).toBe(1);
    await dialog.getByRole('button', { name: 'Next' }).click();
    expect(await names()).toEqual(byCount.slice(50, 100).map((r) => r.x));

    // The CSV holds what is shown: every row in the chosen order.
    await dialog.getByLabel('Order').selectOption('name');
    const byName = [...all].sort((a, b) => collator.compare(a.x, b.x) || b.y - a.y);
    expect(await names()).toEqual(byName.slice(0, 50).map((r) => r.x));
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = (await import('node:fs'))
      .readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\r\n');
    expect(csv[0]).toBe('Pages,Visitors,Share');
    expect(csv.slice(1).map((line) => line.split(',')[0])).toEqual(byName.map((r) => r.x));

    // Searched by the server.
    await dialog.getByLabel('Search pages').fill('docs');
    await expect.poll(async () => (await names()).every((n) => n.includes('docs')) && (await names()).length > 0, { timeout: 15_000 }).toBe(true);
    // A row filters the page and closes the view.
    const first = (await names())[0]!;
    await dialog.getByRole('button', { name: first, exact: true }).click();
    await expect.poll(() => page.url(), { timeout: 15_000 }).toContain(`path=eq.${encodeURIComponent(first)}`);
    expect(await dialog.isVisible()).toBe(false);
    await context.close();
  });

  it("lists fifty websites with every one's figures, asking in turns within the reads a user may have at once", { timeout: 90_000 }, async () => {
    await collector.users.create('many-sites', 'fifty little sites', 'user');
    const token = await collector.login('many-sites', 'fifty little sites');
    for (let i = 0; i < 50; i++) {
      const created = await collector.request('/api/websites', { method: 'POST', token, json: { name: `Site ${i}`, domain: `site-${i}.example` } });
      expect(created.status).toBe(200);
    }
    const context = await browser.newContext();
    const page = await context.newPage();
    let refused = 0;
    page.on('response', (response) => {
      if (response.status() === 429) refused++;
    });
    await signIn(page, 'many-sites', 'fifty little sites');
    await expect.poll(() => page.locator('[aria-busy="false"]').count(), { timeout: 60_000 }).toBe(50);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(refused).toBe(0);
    await context.close();
  });

  it('says so when the collector cannot be reached or the session has ended, instead of a blank page', { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page);
    const down = (route: import('playwright-core').Route) => route.abort('connectionrefused');
    await page.route('**/api/**', down);
    await page.reload();
    await expect.poll(() => page.getByRole('alert').first().textContent(), { timeout: 15_000 }).toContain('cannot be reached');
    await page.unroute('**/api/**', down);

    // The session revoked elsewhere (signed out in another tab): the next page asks to sign in again.
    const token = await page.evaluate(() => sessionStorage.getItem('analytics.token'));
    await collector.request('/api/auth/logout', { method: 'POST', token: token! });
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('.notice').textContent()).toContain('Your session has ended');
    await context.close();
  });
});
