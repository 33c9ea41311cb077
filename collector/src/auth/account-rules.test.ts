import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';
import { passwordProblem, usernameKey, usernameProblem } from './account-rules';

describe('account rules', () => {
  it('compare usernames by case and Unicode form, and refuse invisible characters', () => {
    expect(usernameKey('Admin')).toBe(usernameKey('admin'));
    expect(usernameKey('ａｄｍｉｎ')).toBe(usernameKey('admin'));
    expect(usernameKey('Zoe\u0308')).toBe(usernameKey('zo\u00eb'));
    for (const name of ['ad\u200bmin', 'a\u202eb', 'tab\there', 'nb\u00a0sp', 'zw\u2060j', 'soft\u00adhyphen', 'x\u2028y'])
      expect(usernameProblem(name), JSON.stringify(name)).not.toBeNull();
    for (const name of ['admin', 'Zoë', 'ana maria', 'José', '山田']) expect(usernameProblem(name), name).toBeNull();
  });

  it('refuse common passwords and ones made from the username', () => {
    for (const [password, user] of [
      ['password123', 'x'],
      ['Passw0rd', 'x'],
      ['QWERTYUIOP', 'x'],
      ['carol-2024!', 'carol'],
      ['lorac-lorac', 'carol'],
      ['aaaaaaaaaaa', 'x'],
      ['abababab', 'x'],
      ['my-ADMIN-pw', 'admin'],
    ]) {
      expect(passwordProblem(password!, user!), password).not.toBeNull();
    }
    for (const [password, user] of [
      ['correct horse battery', 'carol'],
      ['tulip 5 garden lamp', 'al'],
      ['Zx9!qLm2#', 'admin'],
    ])
      expect(passwordProblem(password!, user!), password).toBeNull();
  });

  it('never take a password holding the username, whatever surrounds it', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{3,10}$/), fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), (name, before, after) => {
        expect(passwordProblem(`${before}${name.toUpperCase()}${after}`, name)).not.toBeNull();
      }),
    );
  });
});

describe('users under concurrent changes', () => {
  let collector: TestCollector;
  let admin: string;
  beforeAll(async () => {
    collector = await startTestCollector();
    admin = await collector.login();
  });
  afterAll(() => collector?.destroy());

  const createUser = (username: string, role = 'user') =>
    collector.request('/api/users', { method: 'POST', token: admin, json: { username, password: 'tulip garden lamp', role } });

  it('give a username to one request only, in any case or form', async () => {
    const statuses = await Promise.all(['sam', 'Sam', 'SAM', 'ｓａｍ', 'sam', 'sAm'].map(async (name) => (await createUser(name)).status));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(5);
    expect((await createUser('ADMIN')).status).toBe(400);
    expect((await createUser('s\u200bam')).status).toBe(400);
    // Sign-in finds the user whatever the case.
    expect((await collector.request('/api/auth/login', { method: 'POST', json: { username: 'SAM', password: 'tulip garden lamp' } })).status).toBe(200);
  });

  it('refuse weak passwords at every route that sets one', async () => {
    const weak = await collector.request('/api/users', { method: 'POST', token: admin, json: { username: 'tess', password: 'password123', role: 'user' } });
    expect(weak.status).toBe(400);
    const tess = (await (await createUser('tess')).json()) as { id: string };
    expect((await collector.request(`/api/users/${tess.id}`, { method: 'POST', token: admin, json: { password: 'tess-tess-tess' } })).status).toBe(400);
    const token = await collector.login('tess', 'tulip garden lamp');
    const own = await collector.request('/api/me/password', {
      method: 'POST',
      token,
      json: { currentPassword: 'tulip garden lamp', newPassword: 'iloveyou1' },
    });
    expect(own.status).toBe(400);
  });

  it('keep an admin when two admins demote each other at once', async () => {
    const other = (await (await createUser('second-admin', 'admin')).json()) as { id: string };
    const otherToken = await collector.login('second-admin', 'tulip garden lamp');
    const me = (await (await collector.request('/api/me', { token: admin })).json()) as { user: { id: string } };
    await Promise.all([
      collector.request(`/api/users/${other.id}`, { method: 'POST', token: admin, json: { role: 'user' } }),
      collector.request(`/api/users/${me.user.id}`, { method: 'POST', token: otherToken, json: { role: 'user' } }),
    ]);
    expect(await collector.users.count('admin')).toBeGreaterThanOrEqual(1);
  });
});
