import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesFor } from '../../../test-support/totp-codes';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';
import { base32Decode, base32Encode, matchTotp, stepAt, totpCode, totpParams } from './totp';

describe('TOTP (RFC 6238)', () => {
  // RFC 6238 Appendix B, SHA-1, secret "12345678901234567890": the 8-digit codes' last six digits.
  const secret = Buffer.from('12345678901234567890');
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ])('at T=%i the code is %s', (seconds, code) => {
    expect(totpCode(secret, stepAt(seconds * 1000))).toBe(code);
  });

  it('accepts one step of drift either way, and a code only once', () => {
    const now = 1_700_000_000_000;
    const step = stepAt(now);
    expect(matchTotp(secret, totpCode(secret, step - 1), now)).toBe(step - 1);
    expect(matchTotp(secret, totpCode(secret, step + 1), now)).toBe(step + 1);
    expect(matchTotp(secret, totpCode(secret, step + 2), now)).toBeNull();
    expect(matchTotp(secret, totpCode(secret, step), now, step)).toBeNull();
    expect(matchTotp(secret, 'abcdef', now)).toBeNull();
  });

  it('round-trips base32 (RFC 4648 vectors)', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar');
    expect(totpParams.digits).toBe(6);
  });
});

let collector: TestCollector;
beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(() => collector?.destroy());

const post = async (path: string, json: unknown, token?: string) => {
  const response = await collector.request(path, { method: 'POST', json, token });
  return { status: response.status, body: (await response.json()) as any };
};

describe('two-factor sign-in', () => {
  it('sets up with an otpauth:// URI, then asks for a code at login, each code working once', { timeout: 60_000 }, async () => {
    await collector.users.create('ivy', 'ivy-password', 'user');
    const token = await collector.login('ivy', 'ivy-password');
    const setup = await post('/api/2fa/setup/initiate', {}, token);
    expect(setup.status).toBe(200);
    const { manualKey, otpauthUri } = setup.body;
    expect(otpauthUri).toMatch(new RegExp(`^otpauth://totp/Analytics%3Aivy\\?secret=${manualKey}&issuer=Analytics&algorithm=SHA1&digits=6&period=30$`));
    expect(base32Decode(manualKey)).toHaveLength(20);
    // The secret is stored sealed, never as the key the user types.
    const stored = await collector.db.query({ query: "SELECT totp_secret FROM users FINAL WHERE username = 'ivy'", format: 'JSONEachRow' });
    expect(JSON.stringify(await stored.json())).not.toContain(manualKey);

    const codes = await codesFor(manualKey);
    // The current password and a code, one answer for either being wrong.
    const wrongCode = await post('/api/2fa/setup/confirm', { password: 'ivy-password', token: '000000' === codes.previous ? '111111' : '000000' }, token);
    const wrongPassword = await post('/api/2fa/setup/confirm', { password: 'not-ivy-password', token: codes.previous }, token);
    expect(wrongCode).toEqual(wrongPassword);
    expect(wrongCode).toMatchObject({ status: 401, body: { error: { code: 'bad-credentials' } } });
    expect((await post('/api/2fa/setup/confirm', { token: codes.previous }, token)).status).toBe(400);
    expect((await post('/api/2fa/setup/confirm', { password: 'ivy-password', token: codes.previous }, token)).body).toEqual({ ok: true });
    expect((await collector.request('/api/2fa/status', { token })).status).toBe(200);
    expect(await (await collector.request('/api/2fa/status', { token })).json()).toMatchObject({ isEnabled: true, isConfigured: true });

    // Password alone is not enough: Umami's answer, which clients recognise and prompt for.
    const first = await post('/api/auth/login', { username: 'ivy', password: 'ivy-password' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ requiresTwoFactor: true, partialToken: expect.any(String) });
    expect(first.body.token).toBeUndefined();
    const wrong = await post('/api/2fa/verify', { token: '123456' === codes.current ? '654321' : '123456' }, first.body.partialToken);
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'invalid-code' } } });
    const replayed = await post('/api/2fa/verify', { token: codes.previous }, first.body.partialToken);
    expect(replayed.status).toBe(401);
    const second = await post('/api/2fa/verify', { token: codes.current }, first.body.partialToken);
    expect(second.status).toBe(200);
    expect(second.body.user).toMatchObject({ username: 'ivy' });
    expect((await collector.request('/api/me', { token: second.body.token })).status).toBe(200);

    // The code may also come with the password; a wrong one is a failed login.
    expect((await post('/api/auth/login', { username: 'ivy', password: 'ivy-password', code: codes.current })).status).toBe(401);
    const direct = await post('/api/auth/login', { username: 'ivy', password: 'ivy-password', code: codes.next });
    expect(direct.status).toBe(200);
    expect(direct.body.token).toEqual(expect.any(String));
    // A forged partial token gets nowhere.
    expect((await post('/api/2fa/verify', { token: codes.next, partialToken: 'x.y' })).status).toBe(401);
  });

  it('disables only with a valid code', { timeout: 60_000 }, async () => {
    await collector.users.create('jack', 'jack-password', 'user');
    const token = await collector.login('jack', 'jack-password');
    const { manualKey } = (await post('/api/2fa/setup/initiate', {}, token)).body;
    const codes = await codesFor(manualKey);
    await post('/api/2fa/setup/confirm', { password: 'jack-password', token: codes.previous }, token);
    expect((await post('/api/2fa/disable', { token: codes.current }, token)).status).toBe(400);
    expect((await post('/api/2fa/disable', { password: 'jack-password', token: codes.previous }, token)).status).toBe(401);
    expect((await post('/api/2fa/disable', { password: 'not-jack', token: codes.current }, token)).status).toBe(401);
    expect((await post('/api/2fa/disable', { password: 'jack-password', token: codes.current }, token)).body).toEqual({ ok: true });
    const login = await post('/api/auth/login', { username: 'jack', password: 'jack-password' });
    expect(login.body.token).toEqual(expect.any(String));
  });
});
