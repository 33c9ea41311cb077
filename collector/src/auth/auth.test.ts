import { createHash } from 'node:crypto';
import { UmamiClient } from '@umami/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPassword, startTestCollector, testPasswordCost, type TestCollector } from '../../../test-support/collector';
import { loginLimits } from './login-limiter';
import { Passwords } from './passwords';

let collector: TestCollector;
let nextIp = 1;
/** A client address of its own for each caller, so login limits of one test do not touch another. */
const freshIp = () => `198.51.100.${nextIp++}`;

beforeAll(async () => {
  // The login limits are tested with parallel attempts: room for all of them to be hashed at once
  // (hashing-capacity.test.ts tests the bound itself).
  collector = await startTestCollector({ TRUST_PROXY: 'true' }, { hashingCapacity: 64 });
});
afterAll(() => collector?.destroy());

const login = (body: Record<string, unknown>, ip = freshIp()) =>
  collector.request('/api/auth/login', { method: 'POST', json: body, headers: { 'x-forwarded-for': ip } });

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

describe('login, verify, logout', () => {
  it("logs in with Umami's {token, user} and never returns password material", async () => {
    const response = await login({ username: 'admin', password: adminPassword });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toMatch(/scrypt|password/i);
    const body = JSON.parse(text);
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.user).toEqual({
      id: expect.any(String),
      username: 'admin',
      role: 'admin',
      createdAt: expect.any(String),
      isAdmin: true,
      email: null,
      name: null,
      emailVerified: false,
      teams: [],
    });
    expect(new Date(body.user.createdAt).getTime()).toBeGreaterThan(0);

    const verify = await collector.request('/api/auth/verify', { method: 'POST', token: body.token });
    expect(verify.status).toBe(200);
    expect(await verify.json()).toEqual(body.user);
  });

  it('stores tokens only as SHA-256, expiring after 24 hours, or 30 days with rememberMe', async () => {
    const day = ((await (await login({ username: 'admin', password: adminPassword })).json()) as { token: string }).token;
    const month = ((await (await login({ username: 'admin', password: adminPassword, rememberMe: true })).json()) as { token: string }).token;
    const result = await collector.db.query({
      query: `SELECT token_hash AS hash, toUnixTimestamp64Milli(expires_at) - toUnixTimestamp64Milli(created_at) AS lifetime
        FROM auth_tokens FINAL WHERE token_hash IN ({hashes:Array(String)})`,
      query_params: { hashes: [sha256(day), sha256(month)] },
      format: 'JSONEachRow',
    });
    const lifetimes = Object.fromEntries((await result.json<{ hash: string; lifetime: number }>()).map((r) => [r.hash, r.lifetime]));
    expect(lifetimes).toEqual({ [sha256(day)]: 24 * 3600_000, [sha256(month)]: 30 * 24 * 3600_000 });
    const all = await collector.db.query({ query: 'SELECT token_hash FROM auth_tokens', format: 'JSONEachRow' });
    expect(JSON.stringify(await all.json())).not.toContain(day);
  });

  it('answers a wrong password and an unknown user alike, after the same work', async () => {
    // CPU time of this process (the collector runs in it, scrypt on its thread pool), not the
    // wall clock: a busy machine stretches the wall clock but not the work done.
    const work = async (username: string) => {
      const started = process.cpuUsage();
      const response = await login({ username, password: 'not-the-password' });
      const body = await response.json();
      const { user, system } = process.cpuUsage(started);
      return { cpuMs: (user + system) / 1000, status: response.status, body };
    };
    const wrong: Awaited<ReturnType<typeof work>>[] = [];
    const unknown: typeof wrong = [];
    // 16 of each (8 let an engine merge in this process tip the least of one side over, once in CI).
    for (let i = 0; i < 16; i++) {
      wrong.push(await work('admin'));
      unknown.push(await work('nobody'));
    }
    expect(new Set([...wrong, ...unknown].map((r) => r.status))).toEqual(new Set([401]));
    expect(unknown[0]!.body).toEqual(wrong[0]!.body);
    // Both pay for one scrypt: an early exit for unknown users would make them cheaper by one
    // hash. The least of several runs leaves out what other work (a merge, the JIT) added.
    const least = (values: number[]) => Math.min(...values);
    const oneHash: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = process.cpuUsage();
      await new Passwords(testPasswordCost).hash('a password');
      const { user, system } = process.cpuUsage(started);
      oneHash.push((user + system) / 1000);
    }
    const saved = least(wrong.map((r) => r.cpuMs)) - least(unknown.map((r) => r.cpuMs));
    expect(saved).toBeLessThan(least(oneHash) / 2);
  });

  it('refuses a login body of the wrong shape with 400', async () => {
    const response = await login({ username: 'admin' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('bad-request');
  });

  it('revokes a token at logout, at once', async () => {
    const token = await collector.login();
    expect((await collector.request('/api/websites', { token })).status).toBe(200);
    expect(await (await collector.request('/api/auth/logout', { method: 'POST', token })).json()).toEqual({ ok: true });
    expect((await collector.request('/api/websites', { token })).status).toBe(401);
    expect((await collector.request('/api/auth/verify', { method: 'POST', token })).status).toBe(401);
  });

  it('refuses an expired token', async () => {
    const token = await collector.login();
    // Age the token in storage: a newer version of its row with an expiry in the past.
    await collector.db.command({
      query: `INSERT INTO auth_tokens SELECT token_hash, user_id, created_at, now64(3) - INTERVAL 1 SECOND, revoked, version + 1
        FROM auth_tokens FINAL WHERE token_hash = {hash:String}`,
      query_params: { hash: sha256(token) },
    });
    expect((await collector.request('/api/auth/verify', { method: 'POST', token })).status).toBe(401);
  });
});

describe('accounts', () => {
  it('GET /api/me tells who is asking and how', async () => {
    const token = await collector.login();
    const me = await collector.request('/api/me', { token });
    expect(await me.json()).toMatchObject({ authType: 'session', user: { username: 'admin', isAdmin: true } });
  });

  it("a password change ends the user's other sessions, keeps this one, and the new password works", async () => {
    await collector.users.create('pat', 'pat-password-1', 'user');
    const other = await collector.login('pat', 'pat-password-1');
    const current = await collector.login('pat', 'pat-password-1');
    const wrong = await collector.request('/api/me/password', {
      method: 'POST',
      token: current,
      json: { currentPassword: 'not-it-at-all', newPassword: 'orange tulip garden' },
    });
    expect(wrong.status).toBe(401);
    const short = await collector.request('/api/me/password', {
      method: 'POST',
      token: current,
      json: { currentPassword: 'pat-password-1', newPassword: 'short' },
    });
    expect(short.status).toBe(400);
    const changed = await collector.request('/api/me/password', {
      method: 'POST',
      token: current,
      json: { currentPassword: 'pat-password-1', newPassword: 'orange tulip garden' },
    });
    expect(changed.status).toBe(200);
    expect(await changed.text()).not.toMatch(/scrypt|password/i);
    expect((await collector.request('/api/me', { token: other })).status).toBe(401);
    expect((await collector.request('/api/me', { token: current })).status).toBe(200);
    expect((await login({ username: 'pat', password: 'pat-password-1' })).status).toBe(401);
    expect((await login({ username: 'pat', password: 'orange tulip garden' })).status).toBe(200);
  });
});

describe('login limits', () => {
  it(`answers 429 with Retry-After after ${loginLimits.perAccountAndIp} failures for an account from one IP, without locking the user out elsewhere`, async () => {
    await collector.users.create('target', 'target-password', 'user');
    const attacker = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < loginLimits.perAccountAndIp + 2; i++) {
      statuses.push((await login({ username: 'target', password: `guess-${i}-xx` }, attacker)).status);
    }
    expect(statuses).toEqual([...Array(loginLimits.perAccountAndIp).fill(401), 429, 429]);
    const blocked = await login({ username: 'target', password: 'target-password' }, attacker);
    expect(blocked.status).toBe(429);
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(loginLimits.windowMs / 1000);
    expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe('too-many-attempts');
    // The real user, from their own address, is not locked out.
    expect((await login({ username: 'target', password: 'target-password' })).status).toBe(200);
  });

  it(`limits one IP to ${loginLimits.perIp} failed attempts across accounts, and counts parallel guesses`, async () => {
    const attacker = freshIp();
    const responses = await Promise.all(
      Array.from({ length: loginLimits.perIp + 5 }, (_, i) => login({ username: `user-${i}`, password: 'guess-guess' }, attacker)),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(loginLimits.perIp);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
  });

  it('does not count successful logins against anyone', async () => {
    const office = freshIp();
    // In rounds of four: attempts count while they run, and five at once would hit the limit.
    const statuses: number[] = [];
    for (let round = 0; round < Math.ceil((loginLimits.perIp + 2) / 4); round++) {
      const logins = Array.from({ length: 4 }, () => login({ username: 'admin', password: adminPassword }, office));
      statuses.push(...(await Promise.all(logins)).map((r) => r.status));
    }
    expect(statuses.length).toBeGreaterThan(loginLimits.perIp);
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});

describe('@umami/api-client', () => {
  it('drives login, verify, websites and logout unchanged', async () => {
    const anonymous = new UmamiClient({ baseUrl: `${collector.url}/api` });
    const session = (await anonymous.login({ username: 'admin', password: adminPassword })) as { token: string; user: { username: string } };
    expect(session.user.username).toBe('admin');
    const client = anonymous.withToken(session.token);
    expect(await client.verify()).toMatchObject({ username: 'admin', role: 'admin' });
    const created = (await client.createWebsite({ name: 'From the client', domain: 'client.example' })) as { id: string };
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    const list = (await client.getWebsites()) as { data: { id: string }[] };
    expect(list.data.map((w) => w.id)).toContain(created.id);
    expect(await client.getWebsite(created.id)).toMatchObject({ id: created.id, name: 'From the client' });
    expect(await client.logout()).toEqual({ ok: true });
    await expect(client.verify()).rejects.toMatchObject({ status: 401 });
  });

  it("works with an API key as Umami's self-hosted keys do", async () => {
    const token = await collector.login();
    const created = (await (await collector.request('/api/me/api-keys', { method: 'POST', token, json: { name: 'dashboard' } })).json()) as { key: string };
    const client = new UmamiClient({ baseUrl: `${collector.url}/api`, apiKey: created.key });
    expect(await client.getMe()).toMatchObject({ authType: 'api-key', user: { username: 'admin' }, apiKey: { name: 'dashboard' } });
  });
});
