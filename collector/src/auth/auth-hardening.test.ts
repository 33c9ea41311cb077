import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';

/** The security review's auth findings, each as it was reproduced. */
let collector: TestCollector;
let admin: string;
beforeAll(async () => {
  // Heartbeat detail for one address that is not loopback: the tests below come from loopback.
  collector = await startTestCollector({ HEARTBEAT_DETAIL_FROM: '192.0.2.1' });
  admin = await collector.login();
});
afterAll(() => collector?.destroy());

const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as any });

describe('answers', () => {
  it('carry the security headers, and no-store when signed in', async () => {
    for (const [path, token] of [
      ['/api/heartbeat', undefined],
      ['/api/me', admin],
      ['/script.js', undefined],
    ] as const) {
      const response = await collector.request(path, { token });
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
      if (token) expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('answer oversized headers with 431 in the JSON error shape', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${collector.url}/api/me`, { headers: { 'x-padding': 'p'.repeat(20_000) } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(431);
    expect(JSON.parse(body)).toEqual({ error: { status: 431, code: 'headers-too-large', message: expect.any(String) } });
  });

  it('take the Bearer scheme in any case (RFC 9110)', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer', 'bEaReR']) {
      const response = await fetch(`${collector.url}/api/me`, { headers: { authorization: `${scheme} ${admin}` } });
      expect([scheme, response.status]).toEqual([scheme, 200]);
    }
  });

  it('show the heartbeat detail only to admins and HEARTBEAT_DETAIL_FROM', async () => {
    expect(await (await collector.request('/api/heartbeat')).json()).toEqual({ ok: true, disk: { ok: true }, storage: { ok: true } });
    const user = await collector.users.create('hb-user', 'hb-user-password', 'user');
    const userToken = await collector.login(user.username, 'hb-user-password');
    expect(await (await collector.request('/api/heartbeat', { token: userToken })).json()).toEqual({ ok: true, disk: { ok: true }, storage: { ok: true } });
    expect(await (await collector.request('/api/heartbeat', { token: admin })).json()).toMatchObject({
      ok: true,
      backlog: { rows: 0 },
      quarantine: { rows: 0 },
    });
  });
});

describe('API keys', () => {
  it('cannot make keys, change passwords or two-factor sign-in, nor log out; lastUsedAt is recorded; a password change revokes them', async () => {
    await collector.users.create('kay', 'kay-password-1', 'user');
    const session = await collector.login('kay', 'kay-password-1');
    const created = await json(await collector.request('/api/me/api-keys', { method: 'POST', token: session, json: { name: 'script' } }));
    expect(created.status).toBe(200);
    const key: string = created.body.key;
    const byKey = (path: string, init: { method?: string; json?: unknown } = {}) => collector.request(path, { ...init, headers: { 'x-umami-api-key': key } });
    expect((await byKey('/api/me')).status).toBe(200);
    expect((await json(await byKey('/api/me/api-keys', { method: 'POST', json: { name: 'another' } }))).status).toBe(403);
    expect((await byKey('/api/me/password', { method: 'POST', json: { currentPassword: 'kay-password-1', newPassword: 'staple battery horse' } })).status).toBe(
      403,
    );
    expect((await byKey('/api/2fa/setup/initiate', { method: 'POST' })).status).toBe(403);
    const logout = await json(await byKey('/api/auth/logout', { method: 'POST' }));
    expect(logout.status).toBe(400);
    expect(logout.body.error.message).toContain('/api/me/api-keys');
    const listed = (await json(await collector.request('/api/me/api-keys', { token: session }))).body;
    expect(listed).toHaveLength(1);
    expect(Date.parse(listed[0].lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
    // The owner changes the password: the key stops working, the session that changed it goes on.
    expect(
      (
        await collector.request('/api/me/password', {
          method: 'POST',
          token: session,
          json: { currentPassword: 'kay-password-1', newPassword: 'staple battery horse' },
        })
      ).status,
    ).toBe(200);
    expect((await byKey('/api/me')).status).toBe(401);
    expect((await collector.request('/api/me', { token: session })).status).toBe(200);
  });
});

describe('an API key', () => {
  it('ends with the session that made it, unless the owner keeps it', async () => {
    await collector.users.create('lena', 'tulip garden lamp', 'user');
    const session = await collector.login('lena', 'tulip garden lamp');
    const make = async (body: object) => (await json(await collector.request('/api/me/api-keys', { method: 'POST', token: session, json: body }))).body;
    const bound = await make({ name: 'bound' });
    const kept = await make({ name: 'kept', keepAfterSession: true });
    expect([bound.boundToSession, kept.boundToSession]).toEqual([true, false]);
    const works = async (key: string) => (await collector.request('/api/me', { headers: { 'x-umami-api-key': key } })).status;
    expect([await works(bound.key), await works(kept.key)]).toEqual([200, 200]);
    expect(
      (await json(await collector.request('/api/me/api-keys', { token: session }))).body.map((k: { name: string; boundToSession: boolean }) => [
        k.name,
        k.boundToSession,
      ]),
    ).toEqual([
      ['bound', true],
      ['kept', false],
    ]);
    expect((await collector.request('/api/auth/logout', { method: 'POST', token: session })).status).toBe(200);
    expect([await works(bound.key), await works(kept.key)]).toEqual([401, 200]);
  });
});

describe('two-factor sign-in', () => {
  it('can be cleared by an admin for another user', async () => {
    const user = await collector.users.create('lost-phone', 'lost-phone-pw', 'user');
    await collector.users.update(user, { totpSecret: 'sealed-secret', totpEnabled: true });
    const login = await json(await collector.request('/api/auth/login', { method: 'POST', json: { username: 'lost-phone', password: 'lost-phone-pw' } }));
    expect(login.body).toMatchObject({ requiresTwoFactor: true });
    const userToken = admin;
    expect((await collector.request(`/api/users/${user.id}/2fa`, { method: 'DELETE', token: userToken })).status).toBe(200);
    const again = await json(await collector.request('/api/auth/login', { method: 'POST', json: { username: 'lost-phone', password: 'lost-phone-pw' } }));
    expect(again.body.token).toEqual(expect.any(String));
    // Not for anyone else.
    expect((await collector.request(`/api/users/${user.id}/2fa`, { method: 'DELETE', token: again.body.token })).status).toBe(403);
  });
});
