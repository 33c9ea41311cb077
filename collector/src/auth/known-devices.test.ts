import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPassword, startTestCollector, type TestCollector } from '../../../test-support/collector';
import { loginLimits } from './login-limiter';

/**
 * Strangers guessing from many addresses reach an account's limit; its owner still signs in from
 * a device used before (OWASP's device cookie), which has a limit of its own.
 */
let collector: TestCollector;
beforeAll(async () => {
  // Parallel guesses below: room to hash them all at once (hashing-capacity.test.ts tests the bound).
  collector = await startTestCollector({ TRUST_PROXY: 'true' }, { hashingCapacity: 64 });
});
afterAll(() => collector?.destroy());

let lastIp = 0;
const freshIp = () => `198.18.${Math.floor(++lastIp / 250)}.${(lastIp % 250) + 1}`;

const login = (body: object, ip: string, headers: Record<string, string> = {}) =>
  collector.request('/api/auth/login', { method: 'POST', json: body, headers: { 'x-forwarded-for': ip, ...headers } });

/** Signs in from a fresh address; returns the answer's device token and the cookie set with it. */
async function signIn(username: string, password: string): Promise<{ deviceToken: string; cookie: string; token: string }> {
  const response = await login({ username, password }, freshIp());
  expect(response.status).toBe(200);
  const body = (await response.json()) as { deviceToken: string; token: string };
  return { deviceToken: body.deviceToken, token: body.token, cookie: response.headers.get('set-cookie') ?? '' };
}

describe('known devices', () => {
  it("keep the owner signing in while strangers hold the account's limit, and have a limit of their own", async () => {
    const { deviceToken, cookie, token } = await signIn('admin', adminPassword);
    expect(deviceToken).toEqual(expect.any(String));
    expect(cookie).toMatch(/^umami-device=[^;]+; Path=\/api; Max-Age=\d+; HttpOnly; SameSite=Strict/);
    const created = await collector.request('/api/users', {
      method: 'POST',
      token,
      json: { username: 'bob', password: 'correct horse battery', role: 'user' },
    });
    expect(created.status).toBe(200);
    const bobDevice = (await signIn('bob', 'correct horse battery')).deviceToken;

    // Strangers: the account's limit, five wrong guesses from each of ten addresses.
    const ips = Array.from({ length: loginLimits.perAccount / loginLimits.perAccountAndIp }, freshIp);
    for (const ip of ips) {
      const statuses = await Promise.all(
        Array.from({ length: loginLimits.perAccountAndIp }, () => login({ username: 'admin', password: 'wrong guess' }, ip).then((r) => r.status)),
      );
      expect(statuses).toEqual(Array(loginLimits.perAccountAndIp).fill(401));
    }
    const right = { username: 'admin', password: adminPassword };
    // From anywhere new, without the device: held back, even with the right password.
    expect((await login(right, freshIp())).status).toBe(429);
    // With a tampered token, or another user's: the same.
    expect((await login(right, freshIp(), { 'x-umami-device': deviceToken.slice(0, -2) + 'xx' })).status).toBe(429);
    expect((await login(right, freshIp(), { 'x-umami-device': bobDevice })).status).toBe(429);
    // From the known device, by header or cookie, on a new address: in.
    expect((await login(right, freshIp(), { 'x-umami-device': deviceToken })).status).toBe(200);
    const byCookie = await login(right, freshIp(), { cookie: `other=1; ${cookie.split(';')[0]}` });
    expect(byCookie.status).toBe(200);

    // The device's own limit: a thief with the token gets as few guesses as one address.
    const thief = freshIp();
    const guesses = [];
    for (let i = 0; i < loginLimits.perAccountAndIp; i++)
      guesses.push((await login({ username: 'admin', password: 'thief guess' }, thief, { 'x-umami-device': deviceToken })).status);
    expect(guesses).toEqual(Array(loginLimits.perAccountAndIp).fill(401));
    expect((await login(right, freshIp(), { 'x-umami-device': deviceToken })).status).toBe(429);
  });
});
