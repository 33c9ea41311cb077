import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../test-support/collector';
import { linkSecret, Mailbox } from '../test-support/mailbox';
import { launchChromium } from './browser';

/**
 * The account flows as people go through them in Chromium, against a real collector mailing a
 * real SMTP server in this process: forgot password, signup by invitation, the first sign-in.
 */
const folder = process.env.SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'account-screens-'));
let collector: TestCollector;
let mailbox: Mailbox;
let browser: Browser;
let admin: string;

beforeAll(async () => {
  mailbox = await new Mailbox().start();
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '50', SMTP_URL: mailbox.url, PUBLIC_URL: 'https://analytics.example' });
  admin = await collector.login();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await collector?.destroy();
  await mailbox?.stop();
});

async function newPage(token?: string): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  if (token) await context.addInitScript((t) => sessionStorage.setItem('analytics.token', t), token);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors, close: () => context.close() };
}

async function signIn(page: Page, username: string, password: string) {
  await page.goto(`${collector.url}/`);
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('account flows in the dashboard', () => {
  it('forgot password: a mailed link, a new password, signed in with it', { timeout: 90_000 }, async () => {
    await collector.users.create('forgetful', 'first garden lamp', 'user', { email: 'forgetful@example.org' });
    const { page, errors, close } = await newPage();
    await page.goto(`${collector.url}/`);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByLabel('Email address').fill('forgetful@example.org');
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('If an account has this address');
    await page.screenshot({ path: join(folder, 'forgot-password.png') });

    const secret = linkSecret(await mailbox.waitFor('forgetful@example.org'), 'reset');
    await page.goto(`${collector.url}/#/reset/${secret}`);
    await page.getByLabel('New password').fill('second meadow kite');
    await page.getByLabel('The same again').fill('second meadow kite');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Your password is changed');
    await page.getByRole('link', { name: 'Sign in' }).click();
    await signIn(page, 'forgetful@example.org', 'second meadow kite');
    await page.getByRole('heading', { name: 'Websites' }).waitFor();
    expect(errors).toEqual([]);
    await close();
  });

  it('invitation: an admin invites by email; the link opens a signup page; the new user is signed in', { timeout: 90_000 }, async () => {
    const adminTab = await newPage(admin);
    await adminTab.page.goto(`${collector.url}/#/users`);
    const invitations = adminTab.page.locator('.invitations');
    await invitations.getByLabel('Email address (optional)').fill('newhire@example.org');
    await invitations.getByLabel('Role').selectOption('user');
    await invitations.getByRole('button', { name: 'Invite' }).click();
    await expect.poll(() => invitations.getByRole('status').textContent()).toContain('Mailed to newhire@example.org');
    await expect.poll(() => invitations.locator('.open-invitations li').count()).toBe(1);
    await adminTab.page.screenshot({ path: join(folder, 'invitations.png'), fullPage: true });

    const mail = await mailbox.waitFor('newhire@example.org');
    const { page, errors, close } = await newPage();
    await page.goto(`${collector.url}/#/signup/${linkSecret(mail, 'signup')}`);
    await expect.poll(() => page.getByLabel('Email address').inputValue()).toBe('newhire@example.org');
    await page.getByLabel('Your name (optional)').fill('New Hire');
    await page.getByLabel('New password').fill('fresh start lamp');
    await page.getByLabel('The same again').fill('fresh start lamp');
    await page.screenshot({ path: join(folder, 'signup.png') });
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Websites' }).waitFor();
    expect(errors).toEqual([]);
    await close();

    // Used: the admin's list is empty again.
    await adminTab.page.reload();
    await expect.poll(() => adminTab.page.locator('.invitations').getByText('No open invitations.').count()).toBe(1);
    await adminTab.close();
  });

  it('first sign-in: a user an admin created chooses their own password before anything else', { timeout: 90_000 }, async () => {
    const created = await collector.request('/api/users', {
      method: 'POST',
      token: admin,
      json: { username: 'fresh', password: 'chosen by admin 1', role: 'user' },
    });
    expect(created.status).toBe(200);
    const { page, errors, close } = await newPage();
    await signIn(page, 'fresh', 'chosen by admin 1');
    await page.getByRole('heading', { name: 'Choose your own password' }).waitFor();
    await page.screenshot({ path: join(folder, 'first-sign-in.png') });
    await page.getByLabel('The password you were given').fill('chosen by admin 1');
    await page.getByLabel('New password').fill('my very own lamp');
    await page.getByLabel('The same again').fill('my very own lamp');
    await page.getByRole('button', { name: 'Save my password' }).click();
    await page.getByRole('heading', { name: 'Websites' }).waitFor();
    expect(errors).toEqual([]);
    await close();
  });
});
