import { randomInt } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../errors';
import { RateLimiter } from '../shared/rate-limiter';
import { codeMail, resetMail } from '../mail/messages';
import { Nullable } from '../shared/schema';
import type { Teams } from '../teams/teams';
import { passwordProblem, usernameProblem } from './account-rules';
import type { AuthDeps } from './auth-deps';
import { LoginUserSchema, SignedInAnswer } from './auth-schemas';
import { currentUser } from './guard';
import { dashboardLink } from './links';
import { changeOwnPassword, signedInWithPassword } from './own-password';
import { passwordLimits, passwordSchema } from './passwords';
import { loginUser, startSession } from './sign-in';
import { emailKey, requestUser } from './users';

/** An email address as the API takes it: a light check; the mail server is the real one. */
export const EmailSchema = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
export const NameSchema = Type.String({ maxLength: 100 });

/** How long a long-lived user token (`/api/auth/me/create-token`, an API key underneath) lives. */
export const userTokenLifetimeMs = 365 * 24 * 3600_000;

/** Reset-link requests: per address and per client, each window an hour (README, Limits). */
export const resetLimits = { perAddress: 3, perClient: 10, windowMs: 3600_000 } as const;

/** A bare JSON string as the answer (document 002 answers tokens so); Fastify would send a returned string as plain text. */
const jsonText = (reply: FastifyReply, value: string) => reply.type('application/json; charset=utf-8').send(JSON.stringify(value));

const bearerOf = (request: FastifyRequest) => /^bearer +(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';

/** A multipart/form-data body's text fields, parsed by Node's own fetch implementation (no dependency). */
async function formFields(body: Buffer, contentType: string): Promise<Record<string, string>> {
  const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  const fields: Record<string, string> = {};
  for (const [name, value] of form) if (typeof value === 'string') fields[name] = value;
  return fields;
}

/**
 * The account routes of reference document 002, on the same auth core as Umami's: signup by
 * invitation, the own account (`/api/auth/me…`), password reset by mail, email verification by
 * code, and long-lived user tokens (API keys underneath: one store, one guard).
 */
export const accountRoutes: FastifyPluginAsyncTypebox<AuthDeps & { teams: Teams }> = async (app, deps) => {
  const { users, tokens, apiKeys, tickets, mailer, teams, publicUrl } = deps;
  const resetsPerAddress = new RateLimiter(resetLimits.perAddress, resetLimits.windowMs);
  const resetsPerClient = new RateLimiter(resetLimits.perClient, resetLimits.windowMs);
  const tokenChecksPerClient = new RateLimiter(60);

  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: 4096 }, (request, body, done) => {
    formFields(body as Buffer, request.headers['content-type'] ?? '').then(
      (fields) => done(null, fields),
      () => done(new ApiError('badRequest', 'The form could not be read'), undefined),
    );
  });

  app.post(
    '/api/auth/signup',
    {
      schema: {
        body: Type.Object({
          referrerToken: Type.Optional(Type.String({ maxLength: 256 })),
          token: Type.Optional(Type.String({ maxLength: 256 })),
          email: EmailSchema,
          password: passwordSchema,
          name: Type.Optional(NameSchema),
        }),
        response: { 200: SignedInAnswer },
      },
      config: { public: true },
      bodyLimit: 4096,
    },
    async (request, reply) => {
      const { email, password, name = '' } = request.body;
      const invitation = await tickets.find('invite', request.body.referrerToken ?? request.body.token ?? '');
      if (!invitation) throw new ApiError('invalidInvitation');
      const address = emailKey(email);
      if (invitation.email && invitation.email !== address) throw new ApiError('badRequest', `This invitation is for ${invitation.email}`);
      const problem = usernameProblem(address) ?? passwordProblem(password, address);
      if (problem) throw new ApiError('badRequest', problem);
      if ((await users.findByUsername(address)) || (await users.findByEmail(address))) throw new ApiError('emailTaken');
      if (!(await tickets.use(invitation))) throw new ApiError('invalidInvitation');
      const role = invitation.role === 'admin' || invitation.role === 'view-only' ? invitation.role : 'user';
      const user = await users.create(address, password, role, { email: address, name });
      if (invitation.teamId && (await teams.get(invitation.teamId))) {
        await teams.setMember(
          invitation.teamId,
          user.id,
          invitation.teamRole === 'team-manager' || invitation.teamRole === 'team-view-only' ? invitation.teamRole : 'team-member',
        );
      }
      const { token, user: answer, deviceToken } = await startSession(deps, request, reply, requestUser(user), false);
      return { token, user: answer, deviceToken };
    },
  );

  app.get('/api/auth/me', { schema: { response: { 200: LoginUserSchema } }, config: { setup: true } }, async (request) =>
    loginUser(teams, currentUser(request)),
  );

  app.put('/api/auth/me/name', { schema: { body: Type.Object({ name: NameSchema }), response: { 200: Type.Boolean() } } }, async (request) => {
    const user = await users.findById(currentUser(request).id);
    if (!user) throw new ApiError('unauthorized');
    await users.update(user, { name: request.body.name.trim() });
    return true;
  });

  // An address is a way into the account (reset links go there): changing it takes the password.
  app.put(
    '/api/auth/me/email',
    {
      schema: {
        body: Type.Object({ email: Type.Union([EmailSchema, Type.Literal('')]), currentPassword: Type.String({ maxLength: passwordLimits.max }) }),
        response: { 200: Type.Boolean() },
      },
      config: { session: true },
    },
    async (request) => {
      const user = await signedInWithPassword(deps, request, request.body.currentPassword);
      const email = emailKey(request.body.email);
      const owner = email ? await users.findByEmail(email) : null;
      if (owner && owner.id !== user.id) throw new ApiError('emailTaken');
      if (email !== user.email) await users.update(user, { email, emailVerified: false });
      return true;
    },
  );

  app.put(
    '/api/auth/me/password',
    {
      schema: {
        body: Type.Object({ currentPassword: Type.String({ maxLength: passwordLimits.max }), newPassword: passwordSchema }),
        response: { 200: Type.Boolean() },
      },
      config: { session: true, setup: true },
    },
    async (request) => {
      await changeOwnPassword(deps, request, request.body.currentPassword, request.body.newPassword);
      return true;
    },
  );

  app.post(
    '/api/auth/send-password-reset-link',
    { schema: { body: Type.Object({ email: Type.String({ maxLength: 254 }) }), response: { 200: Type.Boolean() } }, config: { public: true }, bodyLimit: 4096 },
    async (request) => {
      const address = emailKey(request.body.email);
      const wait = Math.max(resetsPerClient.hit(request.ip), resetsPerAddress.hit(address));
      if (wait > 0) throw new ApiError('tooManyAttempts', undefined, wait);
      // The answer goes before the address is even looked up, so neither it nor its timing says
      // whether an account has this address; the look-up and the mail happen afterwards.
      void (async () => {
        const user = address ? await users.findByEmail(address) : null;
        if (!user || !mailer.configured) return;
        const { token } = await tickets.create('reset', { userId: user.id, email: address });
        await mailer.send(resetMail(address, dashboardLink(request, publicUrl, `reset/${token}`)));
      })().catch((error: unknown) => request.log.error({ err: error }, 'could not send a password reset link'));
      return true;
    },
  );

  app.post(
    '/api/auth/reset-password-with-token',
    {
      schema: { body: Type.Object({ password: Type.Optional(passwordSchema), newPassword: Type.Optional(passwordSchema) }), response: { 200: Type.Boolean() } },
      // Public to the guard: the bearer is a reset token, checked here.
      config: { public: true },
      bodyLimit: 4096,
    },
    async (request) => {
      const ticket = await tickets.find('reset', bearerOf(request));
      const user = ticket?.userId ? await users.findById(ticket.userId) : null;
      if (!ticket || !user) throw new ApiError('invalidResetLink');
      const password = request.body.password ?? request.body.newPassword;
      if (!password) throw new ApiError('badRequest', 'Send the new password as password');
      const problem = passwordProblem(password, user.username);
      if (problem) throw new ApiError('badRequest', problem);
      if (!(await tickets.use(ticket))) throw new ApiError('invalidResetLink');
      await users.update(user, { password, mustChangePassword: false });
      // Whoever held the account before the reset is out: every session, every API key, every other reset link.
      await tokens.revokeAllOf(user.id);
      await apiKeys.revokeAllOf(user.id);
      await tickets.revokeAllOf('reset', user.id);
      return true;
    },
  );

  app.post('/api/auth/me/send-otp', { schema: { response: { 200: Type.String() } }, config: { session: true } }, async (request, reply) => {
    const user = currentUser(request);
    if (!user.email) throw new ApiError('badRequest', 'Your account has no email address to verify');
    if (!mailer.configured) throw new ApiError('mailNotConfigured');
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const { token } = await tickets.create('otp', { userId: user.id, email: user.email, code });
    await mailer.send(codeMail(user.email, code));
    return jsonText(reply, token);
  });

  app.post(
    '/api/auth/verify-otp',
    {
      schema: {
        body: Type.Object({
          otp: Type.Optional(Type.String({ maxLength: 16 })),
          code: Type.Optional(Type.String({ maxLength: 16 })),
          token: Type.Optional(Type.String({ maxLength: 256 })),
          otpToken: Type.Optional(Type.String({ maxLength: 256 })),
        }),
        response: { 200: Type.Boolean() },
      },
      // The OTP session token says whose address this is; no login token is needed.
      config: { public: true },
      bodyLimit: 4096,
    },
    async (request) => {
      const ticket = await tickets.find('otp', request.body.token ?? request.body.otpToken ?? '');
      if (!ticket?.userId) throw new ApiError('invalidCode', 'The code has expired or was already used; ask for a new one');
      const result = await tickets.useCode(ticket, (request.body.otp ?? request.body.code ?? '').trim());
      if (result !== 'ok') throw new ApiError('invalidCode');
      const user = await users.findById(ticket.userId);
      // Verified only if the account still has the address the code went to.
      if (!user || user.email !== ticket.email) throw new ApiError('invalidCode', 'The account’s address changed since the code was sent');
      await users.update(user, { emailVerified: true });
      return true;
    },
  );

  const UserToken = Type.Object({ token: Type.String(), userId: Type.String(), expiry: Nullable(Type.Number()), id: Type.String(), name: Type.String() });

  app.post('/api/auth/me/create-token', { schema: { response: { 200: Type.String() } }, config: { session: true } }, async (request, reply) => {
    const created = await apiKeys.create(
      currentUser(request).id,
      `User token ${new Date().toISOString().slice(0, 10)}`,
      Date.now() + userTokenLifetimeMs,
      null,
    );
    return jsonText(reply, created.key);
  });

  app.post('/api/auth/me/tokens', { schema: { response: { 200: Type.Array(UserToken) } } }, async (request) => {
    const user = currentUser(request);
    return (await apiKeys.list(user.id)).map((key) => ({
      token: key.keyPrefix.slice(0, 10),
      userId: user.id,
      expiry: key.expiresAt === null ? null : Date.parse(key.expiresAt),
      id: key.id,
      name: key.name,
    }));
  });

  app.get(
    '/api/auth/verify-token',
    { schema: { querystring: Type.Object({ token: Type.String({ maxLength: 256 }) }), response: { 200: Type.Boolean() } }, config: { public: true } },
    async (request) => {
      const wait = tokenChecksPerClient.hit(request.ip);
      if (wait > 0) throw new ApiError('tooManyAttempts', undefined, wait);
      const key = await apiKeys.find(request.query.token);
      return key !== null && (await users.findById(key.userId)) !== null;
    },
  );
};
