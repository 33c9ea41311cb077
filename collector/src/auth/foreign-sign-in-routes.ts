import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../errors';
import { RateLimiter } from '../shared/rate-limiter';
import { Nullable } from '../shared/schema';
import type { Teams } from '../teams/teams';
import type { AuthDeps } from './auth-deps';
import { currentUser } from './guard';
import { passwordLimits } from './passwords';
import { checkPassword, checkSecondFactor, startSession } from './sign-in';
import { requestUser, type User } from './users';

/** How long the step between password and code may take (the partial token's life). */
const codeStepSeconds = 300;

/** Rocket.Chat's roles and UTMStack's authorities for ours. */
const rocketChatRoles = { admin: ['admin'], user: ['user'], 'view-only': ['user'] } as const;
const authorities = { admin: ['ROLE_ADMIN', 'ROLE_USER'], user: ['ROLE_USER'], 'view-only': ['ROLE_USER', 'ROLE_VIEW_ONLY'] } as const;

/** Rocket.Chat's `me`, with the fields we can fill (no avatar, presence or time zone of ours). */
const rocketChatMe = (user: User) => ({
  _id: user.id,
  name: user.name || user.username,
  emails: user.email ? [{ address: user.email, verified: user.emailVerified }] : [],
  status: 'online',
  statusConnection: 'online',
  username: user.username,
  utcOffset: 0,
  active: true,
  roles: [...rocketChatRoles[user.role]],
  settings: { preferences: {} },
});

const RocketChatAnswer = Type.Object({
  status: Type.Literal('success'),
  data: Type.Object({
    authToken: Type.String(),
    userId: Type.String(),
    me: Type.Object({
      _id: Type.String(),
      name: Type.String(),
      emails: Type.Array(Type.Object({ address: Type.String(), verified: Type.Boolean() })),
      status: Type.String(),
      statusConnection: Type.String(),
      username: Type.String(),
      utcOffset: Type.Integer(),
      active: Type.Boolean(),
      roles: Type.Array(Type.String()),
      settings: Type.Object({ preferences: Type.Object({}) }),
    }),
  }),
});

/** Rocket.Chat's error answer: `{status: "error", error, message}` (and `details` for a missing code). */
function rocketChatError(reply: FastifyReply, error: unknown): FastifyReply {
  if (!(error instanceof ApiError)) throw error;
  const known: Record<string, [string, string]> = {
    'bad-credentials': ['Unauthorized', 'Unauthorized'],
    unauthorized: ['Unauthorized', 'Unauthorized'],
    'invalid-code': ['totp-invalid', 'TOTP Invalid [totp-invalid]'],
  };
  const [code, message] = known[error.code] ?? [error.code, error.message];
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
  return reply.code(error.status).send({ status: 'error', error: code, message });
}

/**
 * Sign-in as Rocket.Chat's and UTMStack's clients do it (reference documents 003 and 004), on
 * the same users, passwords, limiter, two-factor and tokens as Umami's login. Their tokens then
 * work on every route: `X-Auth-Token` with `X-User-Id` (see guard.ts), or `Authorization: Bearer`.
 */
export const foreignSignInRoutes: FastifyPluginAsyncTypebox<AuthDeps & { teams: Teams }> = async (app, deps) => {
  const { users, tokens, twoFactor, limiter, settings } = deps;
  const resumesPerClient = new RateLimiter(60);

  app.post(
    '/api/v1/login',
    {
      schema: {
        body: Type.Object({
          user: Type.Optional(Type.String({ maxLength: 255 })),
          username: Type.Optional(Type.String({ maxLength: 255 })),
          password: Type.Optional(Type.String({ maxLength: passwordLimits.max })),
          resume: Type.Optional(Type.String({ maxLength: 256 })),
          code: Type.Optional(Type.String({ maxLength: 16 })),
        }),
        response: {
          200: RocketChatAnswer,
          401: Type.Object({
            status: Type.Literal('error'),
            error: Type.String(),
            message: Type.String(),
            details: Type.Optional(Type.Object({ method: Type.String(), codeGenerated: Type.Boolean() })),
          }),
        },
      },
      config: { public: true },
      bodyLimit: 4096,
      // Rocket.Chat's clients read its own error shape, so this route answers its errors itself.
      errorHandler: (error, _request, reply) => rocketChatError(reply, error),
    },
    async (request, reply) => {
      const { resume, password, code } = request.body;
      const name = request.body.user ?? request.body.username;
      let user: User;
      if (resume !== undefined) {
        // A still-valid token yields a fresh one; guessing tokens is limited per client.
        const wait = resumesPerClient.hit(request.ip);
        if (wait > 0) throw new ApiError('tooManyAttempts', undefined, wait);
        const userId = await tokens.userIdOf(resume);
        const found = userId ? await users.findById(userId) : null;
        if (!found) throw new ApiError('unauthorized');
        user = requestUser(found);
      } else {
        if (!name || !password) throw new ApiError('badRequest', 'Send user and password, or resume');
        const checked = await checkPassword(deps, request, name, password);
        if ((await checkSecondFactor(deps, checked.user, checked.attempt, code)) === 'needed') {
          return reply
            .code(401)
            .send({ status: 'error' as const, error: 'totp-required', message: 'TOTP Required', details: { method: 'totp', codeGenerated: false } });
        }
        limiter.succeeded(checked.attempt);
        user = requestUser(checked.user);
      }
      const session = await startSession(deps, request, reply, user, false);
      return { status: 'success' as const, data: { authToken: session.token, userId: user.id, me: rocketChatMe(user) } };
    },
  );

  app.post(
    '/api/authenticate',
    {
      schema: {
        body: Type.Object({
          username: Type.String({ minLength: 1, maxLength: 255 }),
          password: Type.String({ minLength: 1, maxLength: passwordLimits.max }),
          rememberMe: Type.Optional(Type.Boolean()),
          code: Type.Optional(Type.String({ maxLength: 16 })),
        }),
        response: {
          200: Type.Object({
            token: Type.String(),
            success: Type.Boolean(),
            method: Nullable(Type.String()),
            tfaConfigured: Type.Boolean(),
            forceTfa: Type.Boolean(),
            tfaExpiresInSeconds: Type.Integer(),
            firstLogin: Type.Boolean(),
          }),
        },
      },
      config: { public: true },
      bodyLimit: 4096,
    },
    async (request, reply) => {
      const { username, password, rememberMe = false, code } = request.body;
      const { user, attempt } = await checkPassword(deps, request, username, password);
      const { forceTwoFactor } = await settings.get();
      const answer = { tfaConfigured: user.totpEnabled, forceTfa: forceTwoFactor, firstLogin: user.mustChangePassword };
      if ((await checkSecondFactor(deps, user, attempt, code)) === 'needed') {
        // The second step: POST /api/2fa/verify with this token as the bearer and {code} (docs/api.md).
        return { ...answer, token: twoFactor.partialToken(user.id, rememberMe), success: true, method: 'totp', tfaExpiresInSeconds: codeStepSeconds };
      }
      limiter.succeeded(attempt);
      const session = await startSession(deps, request, reply, requestUser(user), rememberMe);
      return { ...answer, token: session.token, success: true, method: null, tfaExpiresInSeconds: 0 };
    },
  );

  // UTMStack answers the username as text.
  app.get('/api/authenticate', { schema: { response: { 200: Type.String() } }, config: { setup: true } }, async (request, reply) =>
    reply.type('text/plain; charset=utf-8').send(currentUser(request).username),
  );

  app.get(
    '/api/account',
    {
      schema: {
        response: {
          200: Type.Object({
            id: Type.String(),
            login: Type.String(),
            firstName: Nullable(Type.String()),
            lastName: Nullable(Type.String()),
            email: Nullable(Type.String()),
            imageUrl: Type.Null(),
            activated: Type.Boolean(),
            langKey: Type.String(),
            authorities: Type.Array(Type.String()),
          }),
        },
      },
      config: { setup: true },
    },
    async (request) => {
      const user = currentUser(request);
      const [firstName = '', ...rest] = user.name.trim().split(/\s+/);
      return {
        id: user.id,
        login: user.username,
        firstName: firstName || null,
        lastName: rest.join(' ') || null,
        email: user.email || null,
        imageUrl: null,
        activated: true,
        langKey: 'en',
        authorities: [...authorities[user.role]],
      };
    },
  );
};
