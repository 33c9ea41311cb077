import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../errors';
import { NoBody, Ok } from '../shared/schema';
import type { Teams } from '../teams/teams';
import type { AuthDeps } from './auth-deps';
import { LoginAnswer, LoginUserSchema, SignedInAnswer } from './auth-schemas';
import type { Attempt } from './login-limiter';
import { authOf, currentUser } from './guard';
import { passwordLimits } from './passwords';
import { checkPassword, checkSecondFactor, loginUser, startSession } from './sign-in';
import { requestUser, type StoredUser } from './users';

const code = Type.Optional(Type.String({ maxLength: 16 }));

const loginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 255 }),
  password: Type.String({ minLength: 1, maxLength: passwordLimits.max }),
  rememberMe: Type.Optional(Type.Boolean()),
  code,
});

/** `/api/auth/login`, `/verify`, `/logout` and `/api/2fa/verify`, in Umami's shapes. */
export const authRoutes: FastifyPluginAsyncTypebox<AuthDeps & { teams: Teams }> = async (app, deps) => {
  const { users, tokens, limiter, twoFactor, devices, teams } = deps;
  /** An attempt: counted for (account, IP) or for a known device of the user, or refused with 429 when a limit is reached. */
  const beginAttempt = (request: FastifyRequest, username: string, user: StoredUser | null): Attempt & { knownDevice: boolean } => {
    const device = user ? devices.deviceOf(request, user.id) : null;
    return { ...limiter.start(username, request.ip, device), knownDevice: device !== null };
  };

  const signIn = async (request: FastifyRequest, reply: FastifyReply, user: StoredUser, rememberMe: boolean, attempt: Attempt) => {
    limiter.succeeded(attempt);
    const { token, user: answer, deviceToken } = await startSession({ tokens, devices, teams }, request, reply, requestUser(user), rememberMe);
    return { token, user: answer, deviceToken };
  };

  app.post('/api/auth/login', { schema: { body: loginBody, response: { 200: LoginAnswer } }, config: { public: true } }, async (request, reply) => {
    const { username, password, rememberMe = false, code } = request.body;
    const { user, attempt } = await checkPassword(deps, request, username, password);
    if ((await checkSecondFactor(deps, user, attempt, code)) === 'needed') {
      // Umami's answer when a second factor is needed; the client then posts /api/2fa/verify.
      return { requiresTwoFactor: true as const, partialToken: twoFactor.partialToken(user.id, rememberMe) };
    }
    return signIn(request, reply, user, rememberMe, attempt);
  });

  app.post(
    '/api/2fa/verify',
    {
      schema: {
        body: Type.Object({ token: code, code, partialToken: Type.Optional(Type.String({ maxLength: 1024 })) }),
        response: { 200: SignedInAnswer },
      },
      // Public to the guard: it checks the partial token from the password step itself.
      config: { public: true },
    },
    async (request, reply) => {
      const bearer = /^bearer +(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const partial = await twoFactor.readPartialToken(request.body.partialToken ?? bearer ?? '');
      if (!partial) throw new ApiError('unauthorized', 'The sign-in step before this one is missing or has expired');
      const user = await users.findById(partial.userId);
      if (!user) throw new ApiError('unauthorized');
      const attempt = beginAttempt(request, user.username, user);
      const code = request.body.token ?? request.body.code ?? '';
      if (!(await twoFactor.check(user, code))) throw new ApiError('invalidCode');
      await twoFactor.spendPartialToken(partial.id);
      return signIn(request, reply, user, partial.rememberMe, attempt);
    },
  );

  app.post('/api/auth/verify', { schema: { body: NoBody, response: { 200: LoginUserSchema } }, config: { setup: true } }, async (request) =>
    loginUser(teams, currentUser(request)),
  );

  app.post('/api/auth/logout', { schema: { body: NoBody, response: { 200: Ok } }, config: { setup: true } }, async (request) => {
    const auth = authOf(request);
    if (auth.type === 'api-key')
      throw new ApiError('badRequest', 'An API key is not signed in: its owner revokes it, signed in, with DELETE /api/me/api-keys/:keyId');
    if (auth.token) await tokens.revoke(auth.token);
    return { ok: true } as const;
  });
};
