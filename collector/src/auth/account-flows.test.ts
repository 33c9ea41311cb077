import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';
import { linkSecret, Mailbox, mailedCode } from '../../../test-support/mailbox';
import { requestTimer } from '../../../test-support/request-timer';

/**
 * Reference document 002's account flows against a real collector that sends real mail over SMTP
 * to a server in this process: invitations, password reset, email codes, user tokens.
 */
let collector: TestCollector;
let mailbox: Mailbox;
let admin: string;

beforeAll(async () => {
  mailbox = await new Mailbox().start();
  collector = await startTestCollector({
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    TRUST_PROXY: 'true',
    SMTP_URL: mailbox.url,
    PUBLIC_URL: 'https://analytics.example',
    MAIL_FROM: 'Analytics <robot@analytics.example>',
  });
  admin = await collector.login();
});
afterAll(async () => {
  await collector?.destroy();
  await mailbox?.stop();
});

type Answer = { status: number; body: any };
async function call(
  method: string,
  path: string,
  { token, json, headers }: { token?: string; json?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const { status, body } = await collector.call(path, { method, token, json, headers });
  return { status, body };
}

let client = 0;
/** A fresh client address (behind TRUST_PROXY), so per-client limits do not mix the cases below. */
const fromNewClient = () => ({ 'x-forwarded-for': `198.51.100.${++client}` });

describe('invitations', () => {
  it('invite by mail → signup → signed in and in the team; the link works once', async () => {
    const [team] = (await call('POST', '/api/teams', { token: admin, json: { name: 'Growth' } })).body;
    const created = await call('POST', `/api/teams/${team.id}/invitations`, { token: admin, json: { email: 'Nina@Example.org', teamRole: 'team-manager' } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ email: 'nina@example.org', role: 'user', teamId: team.id, teamRole: 'team-manager', sent: true });
    expect(created.body.url).toMatch(/^https:\/\/analytics\.example\/#\/signup\/[A-Za-z0-9_-]{43}$/);

    const mail = await mailbox.waitFor('nina@example.org');
    expect(mail.subject).toBe('You are invited to the team Growth');
    const token = linkSecret(mail, 'signup');
    expect(created.body.url).toContain(token);
    expect((await call('POST', '/api/auth/invitation', { json: { token } })).body).toMatchObject({
      email: 'nina@example.org',
      teamName: 'Growth',
      role: 'user',
    });
    expect((await call('GET', '/api/invitations', { token: admin })).body.data.map((i: { id: string }) => i.id)).toContain(created.body.id);

    // Another address than the invited one is refused.
    const other = await call('POST', '/api/auth/signup', { json: { referrerToken: token, email: 'mallory@example.org', password: 'a long enough password' } });
    expect([other.status, other.body.error.message]).toEqual([400, 'This invitation is for nina@example.org']);

    const signup = await call('POST', '/api/auth/signup', {
      json: { referrerToken: token, email: 'nina@example.org', password: 'nina long password', name: 'Nina' },
    });
    expect(signup.status).toBe(200);
    expect(signup.body.user).toMatchObject({ username: 'nina@example.org', email: 'nina@example.org', name: 'Nina', role: 'user', emailVerified: false });
    expect(signup.body.user.teams).toEqual([expect.objectContaining({ id: team.id, role: 'team-manager' })]);
    // Signed in at once: the token works on a guarded route.
    expect((await call('GET', '/api/me/teams', { token: signup.body.token })).status).toBe(200);
    // Sign-in by email address works too.
    expect((await call('POST', '/api/auth/login', { json: { username: 'NINA@example.org', password: 'nina long password' } })).status).toBe(200);

    const again = await call('POST', '/api/auth/signup', { json: { referrerToken: token, email: 'nina@example.org', password: 'another long password' } });
    expect([again.status, again.body.error.code]).toEqual([400, 'invalid-invitation']);
    expect((await call('GET', '/api/invitations', { token: admin })).body.data.map((i: { id: string }) => i.id)).not.toContain(created.body.id);
  });

  it('without an address is a link to hand over; revoked, it is refused; only admins and team managers invite', async () => {
    const created = await call('POST', '/api/invitations', { token: admin, json: { role: 'view-only' } });
    expect(created.body).toMatchObject({ email: null, role: 'view-only', teamId: null, sent: false });
    const token = created.body.url.split('/').pop();
    expect((await call('DELETE', `/api/invitations/${created.body.id}`, { token: admin })).status).toBe(200);
    const refused = await call('POST', '/api/auth/signup', { json: { referrerToken: token, email: 'late@example.org', password: 'a long enough password' } });
    expect(refused.body.error.code).toBe('invalid-invitation');

    await call('POST', '/api/users', {
      token: admin,
      json: { username: 'plain-user', password: 'quiet river stone', role: 'user', mustChangePassword: false },
    });
    const user = await collector.login('plain-user', 'quiet river stone');
    expect((await call('POST', '/api/invitations', { token: user, json: {} })).status).toBe(403);
  });

  it('expires after 7 days', async () => {
    const created = await call('POST', '/api/invitations', { token: admin, json: { send: false } });
    const token = created.body.url.split('/').pop();
    await collector.db.command({
      query: `INSERT INTO auth_tickets SELECT * REPLACE (now64(3) - INTERVAL 1 SECOND AS expires_at, version + 1 AS version)
        FROM auth_tickets FINAL WHERE id = toUUID({id:String})`,
      query_params: { id: created.body.id },
    });
    expect((await call('POST', '/api/auth/invitation', { json: { token } })).body.error.code).toBe('invalid-invitation');
  });
});

describe('password reset by mail', () => {
  it('mails a one-hour link; the new password ends every session and API key; the link works once', async () => {
    await collector.users.create('olga', 'olga old password', 'user', { email: 'olga@example.org' });
    const session = await collector.login('olga', 'olga old password');
    const key = (await call('POST', '/api/me/api-keys', { token: session, json: { name: 'script', keepAfterSession: true } })).body.key;
    expect((await call('GET', '/api/websites', { token: key })).status).toBe(200);

    expect(await call('POST', '/api/auth/send-password-reset-link', { json: { email: 'OLGA@example.org' }, headers: fromNewClient() })).toEqual({
      status: 200,
      body: true,
    });
    const mail = await mailbox.waitFor('olga@example.org');
    expect(mail.subject).toBe('Reset your password');
    const token = linkSecret(mail, 'reset');
    const stored = await collector.db.query({
      query: 'SELECT toUnixTimestamp64Milli(expires_at) - toUnixTimestamp64Milli(created_at) AS life FROM auth_tickets FINAL WHERE token_hash = {hash:String}',
      query_params: { hash: createHash('sha256').update(token).digest('hex') },
      format: 'JSONEachRow',
    });
    expect(await stored.json()).toEqual([{ life: 3600_000 }]);

    const weak = await call('POST', '/api/auth/reset-password-with-token', { token, json: { password: 'password123' } });
    expect(weak.status).toBe(400);
    expect(await call('POST', '/api/auth/reset-password-with-token', { token, json: { password: 'violet harbour lamp' } })).toEqual({
      status: 200,
      body: true,
    });
    expect((await call('GET', '/api/websites', { token: session })).status).toBe(401);
    expect((await call('GET', '/api/websites', { token: key })).status).toBe(401);
    expect((await call('POST', '/api/auth/login', { json: { username: 'olga', password: 'olga old password' } })).status).toBe(401);
    expect((await call('POST', '/api/auth/login', { json: { username: 'olga', password: 'violet harbour lamp' } })).status).toBe(200);
    const second = await call('POST', '/api/auth/reset-password-with-token', { token, json: { password: 'amber forest gate' } });
    expect([second.status, second.body.error.code]).toEqual([401, 'invalid-reset-link']);
  });

  it('answers true alike for known and unknown addresses, in the same time, and limits each address and client', { timeout: 120_000 }, async () => {
    const rounds = 40;
    for (let i = 0; i < rounds; i++) await collector.users.create(`known-${i}`, 'known user password', 'user', { email: `known-${i}@example.org` });
    // Timed from a process of its own: in this one, the work the collector does after answering a
    // known address (look-up, ticket, mail) would delay the reading of the answer, not the answer.
    const timer = requestTimer();
    const timed = async (email: string) => {
      const { status, body, ms } = await timer.time(`${collector.url}/api/auth/send-password-reset-link`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...fromNewClient() },
        body: JSON.stringify({ email }),
      });
      return { answer: { status, body: JSON.parse(body) }, ms };
    };
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, in alternating order, so a slow moment of the machine (or the work one request
    // leaves behind) falls on both sides alike; a known address's mail is awaited before the next
    // request is timed, so its sending never slows the one that follows.
    for (let i = 0; i < rounds; i++) {
      const timeKnown = async () => {
        const answer = await timed(`known-${i}@example.org`);
        await mailbox.waitFor(`known-${i}@example.org`);
        return answer;
      };
      const timeUnknown = () => timed(`nobody-${i}@example.org`);
      const [a, b] = i % 2 === 0 ? [await timeKnown(), await timeUnknown()] : await timeUnknown().then(async (b) => [await timeKnown(), b] as const);
      expect([a.answer, b.answer]).toEqual([
        { status: 200, body: true },
        { status: 200, body: true },
      ]);
      known.push(a.ms);
      unknown.push(b.ms);
    }
    timer.close();
    const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
    // Each pair ran side by side: the median of their differences is what the address changes.
    const difference = median(known.map((ms, i) => ms - unknown[i]!));
    console.log(
      `reset-link answers, median of ${rounds}: known ${median(known).toFixed(2)} ms, unknown ${median(unknown).toFixed(2)} ms, paired difference ${difference.toFixed(2)} ms`,
    );
    // The answer is sent before the address is looked up: nothing in its time depends on it.
    expect(Math.abs(difference)).toBeLessThan(Math.max(2, 0.25 * median(unknown)));
    expect(mailbox.received.filter((mail) => mail.to.startsWith('nobody-'))).toEqual([]);

    // Per address: 3 an hour, from any client; per client: 10 an hour, for any addresses.
    const address = 'known-0@example.org';
    const answers = [];
    for (let i = 0; i < 3; i++)
      answers.push((await call('POST', '/api/auth/send-password-reset-link', { json: { email: address }, headers: fromNewClient() })).status);
    expect(answers).toEqual([200, 200, 429]);
    const oneClient = fromNewClient();
    const fromOne = [];
    for (let i = 0; i < 11; i++)
      fromOne.push((await call('POST', '/api/auth/send-password-reset-link', { json: { email: `x${i}@example.org` }, headers: oneClient })).status);
    expect(fromOne.slice(0, 10).every((status) => status === 200)).toBe(true);
    expect(fromOne[10]).toBe(429);
  });

  it('an admin makes a reset link for a user, mailed when the user has an address', async () => {
    const user = await collector.users.create('petra', 'petra old password', 'user', { email: 'petra@example.org' });
    const link = await call('POST', `/api/users/${user.id}/reset-link`, { token: admin });
    expect(link.body).toMatchObject({ sent: true, url: expect.stringMatching(/^https:\/\/analytics\.example\/#\/reset\//) });
    expect(linkSecret(await mailbox.waitFor('petra@example.org'), 'reset')).toBe(link.body.url.split('/').pop());
  });
});

describe('email verification by code', () => {
  it('mails a six-digit code; a wrong one is refused, the right one verifies once; five wrong ones spend it', async () => {
    await collector.users.create('quinn', 'quinn long password', 'user', { email: 'quinn@example.org' });
    const token = await collector.login('quinn', 'quinn long password');
    const session = (await call('POST', '/api/auth/me/send-otp', { token })).body as string;
    const code = mailedCode(await mailbox.waitFor('quinn@example.org'));
    expect(code).toMatch(/^\d{6}$/);
    const verify = async (otp: string, otpToken = session) => {
      const form = new FormData();
      form.set('otp', otp);
      form.set('token', otpToken);
      const response = await collector.request('/api/auth/verify-otp', { method: 'POST', body: form });
      return { status: response.status, body: await response.json() };
    };
    const wrong = code === '000000' ? '111111' : '000000';
    expect((await verify(wrong)).status).toBe(401);
    expect(await verify(code)).toEqual({ status: 200, body: true });
    expect((await call('GET', '/api/auth/me', { token })).body.emailVerified).toBe(true);
    expect((await verify(code)).status).toBe(401);

    const second = (await call('POST', '/api/auth/me/send-otp', { token })).body as string;
    const secondCode = mailedCode(await mailbox.waitFor('quinn@example.org', 2));
    const otherWrong = secondCode === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) expect((await verify(otherWrong, second)).status).toBe(401);
    expect((await verify(secondCode, second)).status).toBe(401);
  });

  it('expires after 10 minutes', async () => {
    await collector.users.create('rosa', 'rosa long password', 'user', { email: 'rosa@example.org' });
    const token = await collector.login('rosa', 'rosa long password');
    const session = (await call('POST', '/api/auth/me/send-otp', { token })).body as string;
    const code = mailedCode(await mailbox.waitFor('rosa@example.org'));
    await collector.db.command({
      query: `INSERT INTO auth_tickets SELECT * REPLACE (now64(3) - INTERVAL 1 SECOND AS expires_at, version + 1 AS version)
        FROM auth_tickets FINAL WHERE token_hash = {hash:String}`,
      query_params: { hash: createHash('sha256').update(session).digest('hex') },
    });
    const form = new FormData();
    form.set('otp', code);
    form.set('token', session);
    expect((await collector.request('/api/auth/verify-otp', { method: 'POST', body: form })).status).toBe(401);
  });
});

describe('the own account and user tokens', () => {
  it('name and password as document 002 has them; long-lived tokens are API keys, shown once, listed, verifiable', async () => {
    await collector.users.create('sven', 'sven long password', 'user');
    const token = await collector.login('sven', 'sven long password');
    expect(await call('PUT', '/api/auth/me/name', { token, json: { name: 'Sven S.' } })).toEqual({ status: 200, body: true });
    expect((await call('GET', '/api/auth/me', { token })).body).toMatchObject({ username: 'sven', name: 'Sven S.', teams: [] });
    expect(await call('PUT', '/api/auth/me/password', { token, json: { currentPassword: 'sven long password', newPassword: 'copper meadow kite' } })).toEqual({
      status: 200,
      body: true,
    });

    const userToken = (await call('POST', '/api/auth/me/create-token', { token })).body as string;
    expect(userToken).toMatch(/^umami_/);
    const listed = (await call('POST', '/api/auth/me/tokens', { token })).body;
    expect(listed).toEqual([expect.objectContaining({ token: userToken.slice(0, 10), userId: expect.any(String), expiry: expect.any(Number) })]);
    expect(listed[0].expiry).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    expect((await call('GET', `/api/auth/verify-token?token=${userToken}`)).body).toBe(true);
    expect((await call('GET', '/api/auth/verify-token?token=umami_not-a-real-token-at-all')).body).toBe(false);
    expect((await call('GET', '/api/websites', { token: userToken })).status).toBe(200);
    const user = (await call('GET', '/api/auth/me', { token })).body;
    await call('DELETE', `/api/users/${user.id}`, { token: admin });
    expect((await call('GET', `/api/auth/verify-token?token=${userToken}`)).body).toBe(false);
  });
});
