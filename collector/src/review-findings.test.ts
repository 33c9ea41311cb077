import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesFor } from '../../test-support/totp-codes';
import { allTime, pageview, startTestCollector, type TestCollector } from '../../test-support/collector';

/**
 * The security review of 2026-12 (issue 31), findings 3 and 5–11, each as it was reproduced
 * against main; 1, 2 and 4 have files of their own (login-storm, json-body, reads-per-client).
 */
let collector: TestCollector;
let admin: string;
const password = 'tulip garden lamp';

beforeAll(async () => {
  // Sign-in tests each come from an address of their own (X-Forwarded-For), so the per-IP login limit is theirs.
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '20', TRUST_PROXY: 'true' });
  admin = await collector.login();
});
afterAll(() => collector?.destroy());

const call = async (token: string | undefined, method: string, path: string, json?: unknown, headers: Record<string, string> = {}) => {
  const response = await collector.request(path, { method, token, headers, ...(json === undefined ? {} : { json }) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
};

/** A user of `role`, signed in: their id and token. */
async function person(name: string, role: 'admin' | 'user' | 'view-only' = 'user') {
  const user = await collector.users.create(name, password, role);
  return { id: user.id, token: await collector.login(name, password) };
}

describe('3: a view-only user never writes through a team, whatever the team role', () => {
  it('every team route, for an owner and a manager of each global role', async () => {
    // Owners who were made view-only after creating their teams, and managers given the role: each in a team of their own.
    const cast = {} as Record<string, { token: string; team: string }>;
    for (const globalRole of ['admin', 'user', 'view-only'] as const) {
      for (const teamRole of ['owner', 'manager'] as const) {
        const who = `${teamRole}-${globalRole}`;
        const owner = await person(`t3-owner-of-${who}`);
        const team = (await call(owner.token, 'POST', '/api/teams', { name: `T3 ${who}` })).body[0].id as string;
        const subject = teamRole === 'owner' ? owner : await person(`t3-${who}`);
        if (teamRole === 'manager') {
          expect((await call(owner.token, 'POST', `/api/teams/${team}/users`, { userId: subject.id, role: 'team-manager' })).status).toBe(200);
        }
        if (globalRole !== 'user') await collector.users.update((await collector.users.findById(subject.id))!, { role: globalRole });
        cast[who] = { token: subject.token, team };
      }
    }
    const outcomes: Record<string, Record<string, number>> = {};
    for (const [who, { token, team }] of Object.entries(cast)) {
      const extra = await person(`t3-extra-${who}`);
      const member = await person(`t3-member-${who}`);
      const admitted = await call(admin, 'POST', `/api/teams/${team}/users`, { userId: member.id, role: 'team-member' });
      expect(admitted.status).toBe(200);
      const site = (await call(admin, 'POST', '/api/websites', { name: 'T3 site', domain: 't3.example', teamId: team })).body.id;
      const status = async (method: string, path: string, json?: unknown) => (await call(token, method, path, json)).status;
      outcomes[who] = {
        'GET team': await status('GET', `/api/teams/${team}`),
        'GET members': await status('GET', `/api/teams/${team}/users`),
        'GET member': await status('GET', `/api/teams/${team}/users/${member.id}`),
        'GET websites': await status('GET', `/api/teams/${team}/websites`),
        'POST team (rename)': await status('POST', `/api/teams/${team}`, { name: 'renamed' }),
        'POST team (access code)': await status('POST', `/api/teams/${team}`, { accessCode: `team_${who}-code-123` }),
        'POST members (add)': await status('POST', `/api/teams/${team}/users`, { userId: extra.id, role: 'team-member' }),
        'POST member (role)': await status('POST', `/api/teams/${team}/users/${member.id}`, { role: 'team-view-only' }),
        'DELETE member (remove)': await status('DELETE', `/api/teams/${team}/users/${member.id}`),
        'POST website (rename)': await status('POST', `/api/websites/${site}`, { name: 'x' }),
        'DELETE team': await status('DELETE', `/api/teams/${team}`),
      };
    }
    const allowed = (code: number) => ({
      'GET team': 200,
      'GET members': 200,
      'GET member': 200,
      'GET websites': 200,
      'POST team (rename)': code,
      'POST team (access code)': code,
      'POST members (add)': code,
      'POST member (role)': code,
      'DELETE member (remove)': code,
      'POST website (rename)': code,
    });
    expect(outcomes).toEqual({
      // An admin acts as every team's owner.
      'owner-admin': { ...allowed(200), 'DELETE team': 200 },
      'manager-admin': { ...allowed(200), 'DELETE team': 200 },
      'owner-user': { ...allowed(200), 'DELETE team': 200 },
      'manager-user': { ...allowed(200), 'DELETE team': 403 },
      'owner-view-only': { ...allowed(403), 'DELETE team': 403 },
      'manager-view-only': { ...allowed(403), 'DELETE team': 403 },
    });
  });

  it('every team route the guard does not close to view-only users is a read, joining, or leaving', () => {
    const open = collector.routes
      .filter((r) => r.url.startsWith('/api/teams') && r.method !== 'GET' && !r.write)
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    expect(open).toEqual(['DELETE /api/teams/:teamId/users/:userId', 'POST /api/teams/join']);
  });

  it('lets a view-only member leave, but not remove anyone else', async () => {
    const owner = await person('t3b-owner');
    const reader = await person('t3b-reader', 'view-only');
    const other = await person('t3b-other');
    const team = (await call(owner.token, 'POST', '/api/teams', { name: 'T3b' })).body[0].id;
    for (const { id } of [reader, other]) await call(owner.token, 'POST', `/api/teams/${team}/users`, { userId: id, role: 'team-manager' });
    expect((await call(reader.token, 'DELETE', `/api/teams/${team}/users/${other.id}`)).status).toBe(403);
    expect((await call(reader.token, 'DELETE', `/api/teams/${team}/users/${reader.id}`)).status).toBe(200);
    expect((await call(owner.token, 'GET', `/api/teams/${team}/users`)).body.count).toBe(2);
  });
});

describe('5: every spelling of a username is one account to the login limits', () => {
  it('failures under fullwidth, bold and upper-case spellings lock the plain name, and the plain lock holds for them', async () => {
    await collector.users.create('kate', password, 'user');
    const login = (username: string, pass: string) =>
      call(undefined, 'POST', '/api/auth/login', { username, password: pass }, { 'x-forwarded-for': '198.51.100.5' });
    for (const spelling of ['ｋａｔｅ', '𝐤𝐚𝐭𝐞', 'ＫＡＴＥ', 'Kate', 'kate']) expect((await login(spelling, 'wrong password')).status).toBe(401);
    // Five failures from this address, whatever the spelling: the sixth is refused, in every spelling.
    for (const spelling of ['kate', 'ｋａｔｅ', '𝐤𝐚𝐭𝐞', 'ＫＡＴＥ']) {
      const answer = await login(spelling, password);
      expect([spelling, answer.status, answer.body.error?.code]).toEqual([spelling, 429, 'too-many-attempts']);
    }
  });
});

describe('6: share ids are unique', () => {
  it("refuses another website's share id with 409, and a link never answers another website", async () => {
    const alice = await person('share-alice');
    const mallory = await person('share-mallory');
    const hers = await collector.createWebsite(alice.token, 'Alice');
    const his = await collector.createWebsite(mallory.token, 'Mallory');
    expect((await call(alice.token, 'POST', `/api/websites/${hers}`, { shareId: 'alice-share-1' })).status).toBe(200);
    const taken = await call(mallory.token, 'POST', `/api/websites/${his}`, { shareId: 'alice-share-1' });
    expect([taken.status, taken.body.error.code]).toEqual([409, 'share-id-taken']);
    // Setting one's own id again is no conflict; two sites racing for one free id: one wins.
    expect((await call(alice.token, 'POST', `/api/websites/${hers}`, { shareId: 'alice-share-1', name: 'Alice again' })).status).toBe(200);
    const race = await Promise.all([
      call(alice.token, 'POST', `/api/websites/${hers}`, { shareId: 'contested-id' }),
      call(mallory.token, 'POST', `/api/websites/${his}`, { shareId: 'contested-id' }),
    ]);
    expect(race.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = race[0]!.status === 200 ? hers : his;
    for (let i = 0; i < 10; i++) expect((await call(undefined, 'GET', '/api/share/contested-id')).body.websiteId).toBe(winner);
  });
});

describe('7: a team-member cannot take a team website away', () => {
  it('only the team owner (and admins) move a team website out, to a user or another team', async () => {
    const owner = await person('t7-owner');
    const manager = await person('t7-manager');
    const member = await person('t7-member');
    const team = (await call(owner.token, 'POST', '/api/teams', { name: 'T7' })).body[0].id;
    const elsewhere = (await call(member.token, 'POST', '/api/teams', { name: 'T7 member team' })).body[0].id;
    await call(owner.token, 'POST', `/api/teams/${team}/users`, { userId: manager.id, role: 'team-manager' });
    await call(owner.token, 'POST', `/api/teams/${team}/users`, { userId: member.id, role: 'team-member' });
    const site = (await call(owner.token, 'POST', '/api/websites', { name: 'T7 site', domain: 't7.example', teamId: team })).body.id;
    expect((await call(member.token, 'POST', `/api/websites/${site}/transfer`, { userId: member.id })).status).toBe(403);
    expect((await call(member.token, 'POST', `/api/websites/${site}/transfer`, { teamId: elsewhere })).status).toBe(403);
    expect((await call(manager.token, 'POST', `/api/websites/${site}/transfer`, { userId: manager.id })).status).toBe(403);
    expect((await call(owner.token, 'GET', `/api/websites/${site}`)).body).toMatchObject({ teamId: team, userId: null });
    const moved = await call(owner.token, 'POST', `/api/websites/${site}/transfer`, { userId: owner.id });
    expect(moved.body).toMatchObject({ teamId: null, userId: owner.id });
    expect((await call(member.token, 'GET', `/api/websites/${site}`)).status).toBe(404);
  });
});

describe('8: a successful password step does not count against the second', () => {
  const login = (username: string, pass: string, ip: string) =>
    call(undefined, 'POST', '/api/auth/login', { username, password: pass }, { 'x-forwarded-for': ip });
  const verify = (partialToken: string, code: string, ip: string) =>
    call(undefined, 'POST', '/api/2fa/verify', { partialToken, code }, { 'x-forwarded-for': ip });
  const withTwoFactor = async (name: string) => {
    const { token } = await person(name);
    const { manualKey } = (await call(token, 'POST', '/api/2fa/setup/initiate', {})).body;
    const codes = await codesFor(manualKey);
    expect((await call(token, 'POST', '/api/2fa/setup/confirm', { password, code: codes.current })).status).toBe(200);
    return codes;
  };

  it('after four wrong passwords, the right one and the right code sign in, and that clears the failures', { timeout: 60_000 }, async () => {
    const ip = '198.51.100.8';
    const codes = await withTwoFactor('t8-ivy');
    for (let i = 0; i < 4; i++) expect((await login('t8-ivy', 'wrong password', ip)).status).toBe(401);
    const step = await login('t8-ivy', password, ip);
    expect(step.body).toMatchObject({ requiresTwoFactor: true });
    expect((await verify(step.body.partialToken, codes.next, ip)).status).toBe(200);
    // The sign-in cleared them: four more wrong passwords are answered 401, not 429.
    for (let i = 0; i < 4; i++) expect((await login('t8-ivy', 'wrong password', ip)).status).toBe(401);
  });

  it('but wrong codes stay counted, so password steps buy no new code guesses', { timeout: 60_000 }, async () => {
    const ip = '198.51.100.9';
    await withTwoFactor('t8-jay');
    const guesses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const step = await login('t8-jay', password, ip);
      guesses.push((await verify(step.body.partialToken, '000000', ip)).status);
    }
    expect(guesses).toEqual([401, 401, 401, 401, 401]);
    const sixth = await login('t8-jay', password, ip);
    expect([sixth.status, sixth.body.error?.code]).toEqual([429, 'too-many-attempts']);
  });
});

describe('9: an API key cannot revoke keys', () => {
  it("answers 403 to a key revoking its owner's other key (or itself); a session revokes", async () => {
    const { token } = await person('t9-kay');
    const make = async (name: string) => (await call(token, 'POST', '/api/me/api-keys', { name, keepAfterSession: true })).body;
    const first = await make('first');
    const second = await make('second');
    const byKey = (path: string, method = 'GET') => call(undefined, method, path, undefined, { 'x-umami-api-key': first.key });
    expect((await byKey(`/api/me/api-keys/${second.id}`, 'DELETE')).status).toBe(403);
    expect((await byKey(`/api/me/api-keys/${first.id}`, 'DELETE')).status).toBe(403);
    expect((await call(undefined, 'GET', '/api/me', undefined, { 'x-umami-api-key': second.key })).status).toBe(200);
    expect((await call(token, 'DELETE', `/api/me/api-keys/${second.id}`)).status).toBe(200);
    expect((await call(undefined, 'GET', '/api/me', undefined, { 'x-umami-api-key': second.key })).status).toBe(401);
  });
});

/** A raw request, for answers Node writes before Fastify sees the request. */
function raw(text: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { hostname, port } = new URL(collector.url);
  return new Promise((resolve, reject) => {
    import('node:net').then(({ connect }) => {
      const socket = connect(Number(port), hostname, () => socket.write(text));
      let received = '';
      socket.on('data', (chunk) => (received += chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        const [head = '', body = ''] = received.split('\r\n\r\n');
        const [statusLine = '', ...lines] = head.split('\r\n');
        const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
        resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
      });
    }, reject);
  });
}

describe('10: answers written outside Fastify carry the security headers', () => {
  const expectHeaders = (headers: Record<string, string | undefined>) =>
    expect({
      nosniff: headers['x-content-type-options'],
      referrer: headers['referrer-policy'],
      frame: headers['x-frame-options'],
      csp: headers['content-security-policy'],
    }).toEqual({ nosniff: 'nosniff', referrer: 'no-referrer', frame: 'DENY', csp: "frame-ancestors 'none'" });

  it('431 (headers too large)', async () => {
    const answer = await new Promise<{ status: number; headers: Record<string, string | undefined> }>((resolve, reject) => {
      const req = httpRequest(`${collector.url}/api/me`, { headers: { 'x-padding': 'p'.repeat(20_000) } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string | undefined> }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(431);
    expectHeaders(answer.headers);
  });

  it('400 (not HTTP)', async () => {
    const answer = await raw('THIS IS NOT HTTP\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error.code).toBe('bad-request');
    expectHeaders(answer.headers);
  });
});

describe('11: removed members and share readers', () => {
  it('a removed member cannot rejoin with the old access code; the new code works', async () => {
    const owner = await person('t11-owner');
    const leaver = await person('t11-leaver');
    const team = (await call(owner.token, 'POST', '/api/teams', { name: 'T11' })).body[0].id;
    const oldCode = (await call(owner.token, 'GET', `/api/teams/${team}`)).body.accessCode;
    expect((await call(leaver.token, 'POST', '/api/teams/join', { accessCode: oldCode })).status).toBe(200);
    expect((await call(owner.token, 'DELETE', `/api/teams/${team}/users/${leaver.id}`)).status).toBe(200);
    expect((await call(leaver.token, 'POST', '/api/teams/join', { accessCode: oldCode })).status).toBe(404);
    const newCode = (await call(owner.token, 'GET', `/api/teams/${team}`)).body.accessCode;
    expect(newCode).not.toBe(oldCode);
    expect((await call(leaver.token, 'POST', '/api/teams/join', { accessCode: newCode })).status).toBe(200);
  });

  it("a share token's website answer names no owner", async () => {
    const { id: ownerId, token } = await person('t11-sharer');
    const site = await collector.createWebsite(token, 'Shared T11');
    expect((await collector.send(pageview(site))).status).toBe(200);
    await call(token, 'POST', `/api/websites/${site}`, { shareId: 't11-share-link' });
    const link = (await call(undefined, 'GET', '/api/share/t11-share-link')).body;
    const asReader = await call(undefined, 'GET', `/api/websites/${site}`, undefined, { 'x-umami-share-token': link.token });
    expect(asReader.status).toBe(200);
    expect(asReader.body).toMatchObject({ id: site, name: 'Shared T11', shareId: 't11-share-link' });
    expect(JSON.stringify(asReader.body)).not.toContain(ownerId);
    for (const field of ['userId', 'createdBy', 'teamId']) expect(Object.keys(asReader.body)).not.toContain(field);
    // The owner still sees them, and the share token still reads the figures.
    expect((await call(token, 'GET', `/api/websites/${site}`)).body).toMatchObject({ userId: ownerId, createdBy: ownerId });
    expect((await call(undefined, 'GET', `/api/websites/${site}/stats?${allTime}`, undefined, { 'x-umami-share-token': link.token })).status).toBe(200);
  });
});
