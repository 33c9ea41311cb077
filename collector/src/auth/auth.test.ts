import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPassword, allTime, startTestCollector, type TestCollector } from '../../../test-support/collector';

let collector: TestCollector;

beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(() => collector?.destroy());

describe('login, verify, logout', () => {
  it('logs in with Umami\'s {token, user} and never returns password material', async () => {
    const response = await collector.request('/api/auth/login', { method: 'POST', json: { username: 'admin', password: adminPassword } });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toMatch(/scrypt|password/i);
    const body = JSON.parse(text);
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.user).toEqual({ id: expect.any(String), username: 'admin', role: 'admin', createdAt: expect.any(String), isAdmin: true });
    expect(new Date(body.user.createdAt).getTime()).toBeGreaterThan(0);

    const verify = await collector.request('/api/auth/verify', { method: 'POST', token: body.token });
    expect(verify.status).toBe(200);
    expect(await verify.json()).toEqual(body.user);
  });

  it('stores tokens only as their SHA-256', async () => {
    const token = await collector.login();
    const result = await collector.db.query({ query: 'SELECT token_hash FROM auth_tokens', format: 'JSONEachRow' });
    const hashes = (await result.json<{ token_hash: string }>()).map((r) => r.token_hash);
    expect(hashes).toContain(createHash('sha256').update(token).digest('hex'));
    expect(hashes).not.toContain(token);
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const wrong = await collector.request('/api/auth/login', { method: 'POST', json: { username: 'admin', password: 'not-the-password' } });
    const unknown = await collector.request('/api/auth/login', { method: 'POST', json: { username: 'nobody', password: 'not-the-password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  it('refuses a login body of the wrong shape with 400', async () => {
    const response = await collector.request('/api/auth/login', { method: 'POST', json: { username: 'admin' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('bad-request');
  });

  it('revokes a token at logout, at once', async () => {
    const token = await collector.login();
    expect((await collector.request('/api/websites', { token })).status).toBe(200);
    expect((await collector.request('/api/auth/logout', { method: 'POST', token })).status).toBe(200);
    expect((await collector.request('/api/websites', { token })).status).toBe(401);
    expect((await collector.request('/api/auth/verify', { method: 'POST', token })).status).toBe(401);
  });

  it('refuses an expired token', async () => {
    const token = await collector.login();
    // Age the token in storage: a newer version of its row with an expiry in the past.
    await collector.db.command({
      query: `INSERT INTO auth_tokens SELECT token_hash, user_id, created_at, now64(3) - INTERVAL 1 SECOND, revoked, version + 1
        FROM auth_tokens FINAL WHERE token_hash = {hash:String}`,
      query_params: { hash: createHash('sha256').update(token).digest('hex') },
    });
    expect((await collector.request('/api/auth/verify', { method: 'POST', token })).status).toBe(401);
  });
});

describe('the guard', () => {
  it('refuses every read route without a valid token, with a JSON 401', async () => {
    const token = await collector.login();
    const site = await collector.createWebsite(token);
    const routes: [string, string][] = [
      ['POST', '/api/auth/verify'],
      ['POST', '/api/auth/logout'],
      ['GET', '/api/websites'],
      ['POST', '/api/websites'],
      ['GET', `/api/websites/${site}`],
      ['GET', `/api/websites/${site}/stats?${allTime}`],
      ['GET', `/api/websites/${site}/metrics?${allTime}&type=path`],
    ];
    const forged = 'A'.repeat(43);
    for (const [method, path] of routes) {
      for (const authorization of [undefined, 'Bearer', `Bearer ${forged}`, `Basic ${forged}`, `Bearer ${token}x`]) {
        const response = await collector.request(path, { method, headers: authorization ? { authorization } : {} });
        expect(response.status, `${method} ${path} with ${authorization}`).toBe(401);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
    }
  });

  it('hides another user\'s website: 404, as if it did not exist', async () => {
    const adminToken = await collector.login();
    const site = await collector.createWebsite(adminToken, 'admin-site');
    await collector.users.create('alice', 'alice-password', 'user');
    const alice = await collector.login('alice', 'alice-password');
    const own = await collector.createWebsite(alice, 'alice-site');

    for (const path of [`/api/websites/${site}`, `/api/websites/${site}/stats?${allTime}`, `/api/websites/${site}/metrics?${allTime}&type=path`]) {
      expect((await collector.request(path, { token: alice })).status).toBe(404);
    }
    const list = (await (await collector.request('/api/websites', { token: alice })).json()) as { data: { id: string }[]; count: number };
    expect(list.data.map((w) => w.id)).toEqual([own]);
    expect(list.count).toBe(1);
    // Admins see every website.
    expect((await collector.request(`/api/websites/${own}`, { token: adminToken })).status).toBe(200);
  });

  it('lets a view-only user read but not create websites', async () => {
    await collector.users.create('viewer', 'viewer-password', 'view-only');
    const viewer = await collector.login('viewer', 'viewer-password');
    expect((await collector.request('/api/websites', { token: viewer })).status).toBe(200);
    const create = await collector.request('/api/websites', { method: 'POST', token: viewer, json: { name: 'x', domain: 'x.com' } });
    expect(create.status).toBe(403);
  });
});
