import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';

let collector: TestCollector;
let admin: string;

beforeAll(async () => {
  collector = await startTestCollector();
  admin = await collector.login();
});
afterAll(() => collector?.destroy());

const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as any });

/** A password the account rules take (not made from the username). */
const passwordOf = (username: string) => `tulip ${username.length} garden lamp`;

async function createUser(username: string, role: string, password = passwordOf(username)) {
  return json(await collector.request('/api/users', { method: 'POST', token: admin, json: { username, password, role, mustChangePassword: false } }));
}

describe('admin user management', () => {
  it('creates, lists, reads and changes users, never showing password material', async () => {
    const created = await createUser('carol', 'user');
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      id: expect.any(String),
      username: 'carol',
      role: 'user',
      createdAt: expect.any(String),
      isAdmin: false,
      email: null,
      name: null,
      emailVerified: false,
    });
    expect((await createUser('carol', 'user')).body.error.code).toBe('username-taken');
    expect((await createUser('dave', 'superuser')).status).toBe(400);
    // Without a role: the least privileged one, never an admin.
    const unnamed = await json(
      await collector.request('/api/users', { method: 'POST', token: admin, json: { username: 'no-role', password: passwordOf('x') } }),
    );
    expect([unnamed.status, unnamed.body.role]).toEqual([200, 'view-only']);
    expect((await createUser('erin', 'user', 'short')).status).toBe(400);

    for (const path of ['/api/users', '/api/admin/users']) {
      const list = await collector.request(`${path}?pageSize=100`, { token: admin });
      const text = await list.text();
      expect(text).not.toMatch(/scrypt|password/i);
      const body = JSON.parse(text);
      expect(body).toMatchObject({ page: 1, pageSize: 100 });
      expect(body.data.map((u: { username: string }) => u.username)).toEqual(expect.arrayContaining(['admin', 'carol']));
      expect(body.count).toBe(body.data.length);
    }
    const read = await json(await collector.request(`/api/users/${created.body.id}`, { token: admin }));
    expect(read.body).toMatchObject({ username: 'carol', role: 'user', twoFactorEnabled: false });

    const renamed = await json(await collector.request(`/api/users/${created.body.id}`, { method: 'POST', token: admin, json: { username: 'caroline' } }));
    expect(renamed.body).toMatchObject({ username: 'caroline', role: 'user' });
    expect((await collector.request('/api/auth/login', { method: 'POST', json: { username: 'caroline', password: passwordOf('carol') } })).status).toBe(200);
  });

  it('deleting a user ends their sessions and API keys at once', async () => {
    const { body: user } = await createUser('frank', 'user');
    const token = await collector.login('frank', passwordOf('frank'));
    const key = (await json(await collector.request('/api/me/api-keys', { method: 'POST', token, json: { name: 'k' } }))).body.key;
    expect((await collector.request('/api/me', { headers: { 'x-umami-api-key': key } })).status).toBe(200);
    expect(await (await collector.request(`/api/users/${user.id}`, { method: 'DELETE', token: admin })).json()).toEqual({ ok: true });
    expect((await collector.request('/api/me', { token })).status).toBe(401);
    expect((await collector.request('/api/me', { headers: { 'x-umami-api-key': key } })).status).toBe(401);
    expect((await collector.request(`/api/users/${user.id}`, { token: admin })).status).toBe(404);
    expect((await collector.request('/api/auth/login', { method: 'POST', json: { username: 'frank', password: passwordOf('frank') } })).status).toBe(401);
  });

  it('demoting a user ends their sessions and API keys at once', async () => {
    const { body: user } = await createUser('grace', 'admin');
    const token = await collector.login('grace', passwordOf('grace'));
    const key = (await json(await collector.request('/api/me/api-keys', { method: 'POST', token, json: { name: 'k' } }))).body.key;
    const demoted = await json(await collector.request(`/api/users/${user.id}`, { method: 'POST', token: admin, json: { role: 'view-only' } }));
    expect(demoted.body).toMatchObject({ role: 'view-only', isAdmin: false });
    expect((await collector.request('/api/me', { token })).status).toBe(401);
    expect((await collector.request('/api/me', { headers: { 'x-umami-api-key': key } })).status).toBe(401);
    const again = await collector.login('grace', passwordOf('grace'));
    expect((await collector.request('/api/users', { token: again })).status).toBe(403);
  });

  it('keeps at least one admin, and an admin cannot delete themselves', async () => {
    const me = (await json(await collector.request('/api/me', { token: admin }))).body.user;
    expect((await collector.request(`/api/users/${me.id}`, { method: 'DELETE', token: admin })).status).toBe(400);
    const demote = await collector.request(`/api/users/${me.id}`, { method: 'POST', token: admin, json: { role: 'user' } });
    expect(demote.status).toBe(400);
  });
});

describe('API keys', () => {
  it('are shown once, stored hashed, accepted as x-umami-api-key or Bearer, and revocable', async () => {
    const created = await json(await collector.request('/api/me/api-keys', { method: 'POST', token: admin, json: { name: 'grafana' } }));
    expect(created.status).toBe(200);
    const { key, id } = created.body;
    expect(key).toMatch(/^umami_[A-Za-z0-9_-]{43}$/);
    expect(created.body).toMatchObject({ name: 'grafana', keyPrefix: key.slice(0, 12), expiresAt: null });

    const list = await collector.request('/api/me/api-keys', { token: admin });
    const listed = await list.text();
    expect(listed).not.toContain(key);
    expect(JSON.parse(listed)).toEqual(expect.arrayContaining([expect.objectContaining({ id, name: 'grafana', keyPrefix: key.slice(0, 12) })]));
    const stored = await collector.db.query({ query: 'SELECT key_hash FROM api_keys', format: 'JSONEachRow' });
    const storedText = JSON.stringify(await stored.json());
    expect(storedText).not.toContain(key);
    expect(storedText).toContain(createHash('sha256').update(key).digest('hex'));

    expect((await collector.request('/api/websites', { headers: { 'x-umami-api-key': key } })).status).toBe(200);
    expect((await collector.request('/api/websites', { token: key })).status).toBe(200);

    expect((await collector.request(`/api/me/api-keys/${id}`, { method: 'DELETE', token: admin })).status).toBe(200);
    expect((await collector.request('/api/websites', { headers: { 'x-umami-api-key': key } })).status).toBe(401);
    expect((await collector.request(`/api/me/api-keys/${id}`, { method: 'DELETE', token: admin })).status).toBe(404);
  });

  it('stop working when they expire', async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const { body } = await json(await collector.request('/api/me/api-keys', { method: 'POST', token: admin, json: { name: 'short', expiresAt } }));
    expect(body.expiresAt).toBe(expiresAt);
    // Each answer is checked against the clock when it came: valid before expiresAt, refused
    // after; on a busy machine the first may already come after it.
    const statuses: { status: number; expired: boolean }[] = [];
    for (;;) {
      const status = (await collector.request('/api/me', { headers: { 'x-umami-api-key': body.key } })).status;
      const expired = Date.now() >= Date.parse(expiresAt);
      statuses.push({ status, expired });
      if (status === 401 || statuses.length > 200) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const { status, expired } of statuses) if (!expired) expect(status).toBe(200);
    expect(statuses.at(-1)).toEqual({ status: 401, expired: true });
    const past = await collector.request('/api/me/api-keys', { method: 'POST', token: admin, json: { name: 'past', expiresAt: '2000-01-01T00:00:00Z' } });
    expect(past.status).toBe(400);
  });

  it('cannot be revoked by another user', async () => {
    const { body } = await json(await collector.request('/api/me/api-keys', { method: 'POST', token: admin, json: { name: 'mine' } }));
    await createUser('henry', 'user');
    const henry = await collector.login('henry', passwordOf('henry'));
    expect((await collector.request(`/api/me/api-keys/${body.id}`, { method: 'DELETE', token: henry })).status).toBe(404);
    expect((await collector.request('/api/me', { headers: { 'x-umami-api-key': body.key } })).status).toBe(200);
  });
});
