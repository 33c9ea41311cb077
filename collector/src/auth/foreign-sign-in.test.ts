import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';
import { codesFor } from '../../../test-support/totp-codes';

/**
 * Rocket.Chat's and UTMStack's sign-in forms (reference documents 003 and 004) on the same auth
 * core as Umami's, with their request and answer shapes, two-factor sign-in through each, and the
 * first-sign-in password and forced two-factor rules behind every form.
 */
let collector: TestCollector;
let admin: string;

beforeAll(async () => {
  collector = await startTestCollector();
  admin = await collector.login();
});
afterAll(() => collector?.destroy());

type Answer = { status: number; body: any; text: string };
async function call(
  method: string,
  path: string,
  { token, json, headers }: { token?: string; json?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const response = await collector.request(path, { method, token, json, headers });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {}
  return { status: response.status, body, text };
}

/** A user with two-factor sign-in on; answers the codes still unused (next, then a later one). */
async function withTwoFactor(username: string, password: string) {
  await collector.users.create(username, password, 'user');
  const token = await collector.login(username, password);
  const { manualKey } = (await call('POST', '/api/2fa/setup/initiate', { token, json: {} })).body;
  const codes = await codesFor(manualKey);
  expect((await call('POST', '/api/2fa/setup/confirm', { token, json: { password, token: codes.previous } })).status).toBe(200);
  return codes;
}

const tokenLife = async (token: string) => {
  const result = await collector.db.query({
    query: 'SELECT toUnixTimestamp64Milli(expires_at) - toUnixTimestamp64Milli(created_at) AS life FROM auth_tokens FINAL WHERE token_hash = {hash:String}',
    query_params: { hash: createHash('sha256').update(token).digest('hex') },
    format: 'JSONEachRow',
  });
  return ((await result.json()) as { life: number }[])[0]?.life;
};

describe("Rocket.Chat's /api/v1/login", () => {
  it('signs in by username or email, and its token with X-User-Id works on every guarded route', async () => {
    await collector.users.create('rc-user', 'rocket long password', 'user', { email: 'rc@example.org', name: 'Rocket Cat' });
    const answer = await call('POST', '/api/v1/login', { json: { user: 'rc@example.org', password: 'rocket long password' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      status: 'success',
      data: {
        authToken: expect.any(String),
        userId: expect.any(String),
        me: {
          _id: answer.body.data.userId,
          name: 'Rocket Cat',
          emails: [{ address: 'rc@example.org', verified: false }],
          status: 'online',
          statusConnection: 'online',
          username: 'rc-user',
          utcOffset: 0,
          active: true,
          roles: ['user'],
          settings: { preferences: {} },
        },
      },
    });
    const { authToken, userId } = answer.body.data;
    expect((await call('GET', '/api/websites', { headers: { 'x-auth-token': authToken, 'x-user-id': userId } })).status).toBe(200);
    // The pair must match: another user's id with this token is refused.
    const adminId = (await call('GET', '/api/me', { token: admin })).body.user.id;
    expect((await call('GET', '/api/websites', { headers: { 'x-auth-token': authToken, 'x-user-id': adminId } })).status).toBe(401);
    expect((await call('GET', '/api/websites', { headers: { 'x-auth-token': authToken } })).status).toBe(401);
    // The same token as a Bearer works too: one token service.
    expect((await call('GET', '/api/websites', { token: authToken })).status).toBe(200);

    // Resume: a valid token yields a fresh one; a revoked one does not.
    const resumed = await call('POST', '/api/v1/login', { json: { resume: authToken } });
    expect(resumed.body.status).toBe('success');
    expect(resumed.body.data.authToken).not.toBe(authToken);
    await call('POST', '/api/auth/logout', { token: authToken, json: {} });
    expect(await call('POST', '/api/v1/login', { json: { resume: authToken } }).then((a) => [a.status, a.body])).toEqual([
      401,
      { status: 'error', error: 'Unauthorized', message: 'Unauthorized' },
    ]);
    const wrong = await call('POST', '/api/v1/login', { json: { user: 'rc-user', password: 'not the password' } });
    expect([wrong.status, wrong.body]).toEqual([401, { status: 'error', error: 'Unauthorized', message: 'Unauthorized' }]);
  });

  it('asks for the code with two-factor sign-in on, and takes it as `code`', async () => {
    const codes = await withTwoFactor('rc-2fa', 'rocket two factor pw');
    const first = await call('POST', '/api/v1/login', { json: { user: 'rc-2fa', password: 'rocket two factor pw' } });
    expect([first.status, first.body.error, first.body.details?.method]).toEqual([401, 'totp-required', 'totp']);
    const wrongCode = codes.current === '000000' ? '111111' : '000000';
    const wrong = await call('POST', '/api/v1/login', { json: { user: 'rc-2fa', password: 'rocket two factor pw', code: wrongCode } });
    expect([wrong.status, wrong.body.error]).toEqual([401, 'totp-invalid']);
    const signed = await call('POST', '/api/v1/login', { json: { user: 'rc-2fa', password: 'rocket two factor pw', code: codes.current } });
    expect(signed.body.status).toBe('success');
  });
});

describe("UTMStack's /api/authenticate and /api/account", () => {
  it('answers its shape; tokens last 24 hours, or 30 days with rememberMe; GET answers the username or 401', async () => {
    await collector.users.create('utm-user', 'utm long password', 'admin', { email: 'utm@example.org', name: 'Ada Lovelace King' });
    const day = await call('POST', '/api/authenticate', { json: { username: 'utm-user', password: 'utm long password', rememberMe: false } });
    expect(day.body).toEqual({
      token: expect.any(String),
      success: true,
      method: null,
      tfaConfigured: false,
      forceTfa: false,
      tfaExpiresInSeconds: 0,
      firstLogin: false,
    });
    expect(await tokenLife(day.body.token)).toBe(24 * 3600_000);
    const month = await call('POST', '/api/authenticate', { json: { username: 'utm-user', password: 'utm long password', rememberMe: true } });
    expect(await tokenLife(month.body.token)).toBe(30 * 24 * 3600_000);

    const whoami = await call('GET', '/api/authenticate', { token: day.body.token });
    expect([whoami.status, whoami.text]).toEqual([200, 'utm-user']);
    expect((await call('GET', '/api/authenticate')).status).toBe(401);
    expect((await call('GET', '/api/account', { token: day.body.token })).body).toEqual({
      id: expect.any(String),
      login: 'utm-user',
      firstName: 'Ada',
      lastName: 'Lovelace King',
      email: 'utm@example.org',
      imageUrl: null,
      activated: true,
      langKey: 'en',
      authorities: ['ROLE_ADMIN', 'ROLE_USER'],
    });
    await call('POST', '/api/auth/logout', { token: day.body.token, json: {} });
    expect((await call('GET', '/api/account', { token: day.body.token })).status).toBe(401);
    expect((await call('POST', '/api/authenticate', { json: { username: 'utm-user', password: 'wrong password!' } })).status).toBe(401);
  });

  it('goes on with the code step when two-factor sign-in is on', async () => {
    const codes = await withTwoFactor('utm-2fa', 'utm two factor pw');
    const first = await call('POST', '/api/authenticate', { json: { username: 'utm-2fa', password: 'utm two factor pw' } });
    expect(first.body).toMatchObject({ success: true, method: 'totp', tfaConfigured: true, tfaExpiresInSeconds: 300 });
    // The token is the partial one: it opens nothing but the code step.
    expect((await call('GET', '/api/account', { token: first.body.token })).status).toBe(401);
    const second = await call('POST', '/api/2fa/verify', { token: first.body.token, json: { code: codes.current } });
    expect(second.status).toBe(200);
    expect((await call('GET', '/api/account', { token: second.body.token })).body.login).toBe('utm-2fa');
  });
});

describe('setup before use', () => {
  it('firstLogin: an account whose password an admin chose must choose its own before anything else', async () => {
    const made = await call('POST', '/api/users', { token: admin, json: { username: 'newcomer', password: 'given by admin 1', role: 'user' } });
    expect(made.status).toBe(200);
    const signed = await call('POST', '/api/authenticate', { json: { username: 'newcomer', password: 'given by admin 1' } });
    expect(signed.body.firstLogin).toBe(true);
    const token = signed.body.token;
    const refused = await call('GET', '/api/websites', { token });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'password-change-required']);
    expect((await call('GET', '/api/me', { token })).body.setupRequired).toBe('password');
    const same = await call('PUT', '/api/auth/me/password', { token, json: { currentPassword: 'given by admin 1', newPassword: 'given by admin 1' } });
    expect(same.status).toBe(400);
    expect(
      (await call('PUT', '/api/auth/me/password', { token, json: { currentPassword: 'given by admin 1', newPassword: 'chosen myself at last' } })).body,
    ).toBe(true);
    expect((await call('GET', '/api/websites', { token })).status).toBe(200);
    expect((await call('POST', '/api/authenticate', { json: { username: 'newcomer', password: 'chosen myself at last' } })).body.firstLogin).toBe(false);
    // An admin setting a new password for the user makes it theirs to replace again.
    const user = (await call('GET', '/api/me', { token })).body.user;
    await call('POST', `/api/users/${user.id}`, { token: admin, json: { password: 'reset by admin 22' } });
    expect((await call('POST', '/api/authenticate', { json: { username: 'newcomer', password: 'reset by admin 22' } })).body.firstLogin).toBe(true);
  });

  it('forceTfa: with the admin setting on, accounts without two-factor sign-in may only set it up', { timeout: 60_000 }, async () => {
    await collector.users.create('forced', 'forced long password', 'user');
    // The last test of this file: the setting stays on (the admin, without two-factor sign-in, is held to it too).
    expect((await call('POST', '/api/admin/settings', { token: admin, json: { forceTwoFactor: true } })).body).toMatchObject({ forceTwoFactor: true });
    const signed = await call('POST', '/api/authenticate', { json: { username: 'forced', password: 'forced long password' } });
    expect(signed.body).toMatchObject({ forceTfa: true, tfaConfigured: false });
    const token = signed.body.token;
    expect((await call('GET', '/api/websites', { token })).body.error.code).toBe('two-factor-required');
    expect((await call('GET', '/api/me', { token })).body.setupRequired).toBe('two-factor');
    expect((await call('GET', '/api/2fa/status', { token })).body).toMatchObject({ isEnabled: false, isRequired: true });
    const { manualKey } = (await call('POST', '/api/2fa/setup/initiate', { token, json: {} })).body;
    const codes = await codesFor(manualKey);
    expect((await call('POST', '/api/2fa/setup/confirm', { token, json: { password: 'forced long password', token: codes.previous } })).status).toBe(200);
    expect((await call('GET', '/api/websites', { token })).status).toBe(200);
    expect((await call('GET', '/api/websites', { token: admin })).body.error.code).toBe('two-factor-required');
  });
});
