import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../errors';
import { NoBody, Ok, Uuid } from '../shared/schema';
import { passwordProblem } from './account-rules';
import type { AuthDeps } from './auth-deps';
import { ApiKeySchema, MeAnswer, NewApiKeySchema, PublicUserSchema } from './auth-schemas';
import { authOf, currentUser } from './guard';
import { passwordLimits, passwordSchema } from './passwords';
import { publicUser } from './users';

/** The signed-in user's own account: `/api/me`, password, API keys. */
export const meRoutes: FastifyPluginAsyncTypebox<AuthDeps> = async (app, { users, passwords, tokens, apiKeys, limiter }) => {
  app.get('/api/me', { schema: { response: { 200: MeAnswer } } }, async (request) => {
    const auth = authOf(request);
    return { authType: auth.type, user: publicUser(auth.user), ...(auth.apiKey ? { apiKey: auth.apiKey } : {}) };
  });

  app.post(
    '/api/me/password',
    {
      schema: {
        body: Type.Object({ currentPassword: Type.String({ maxLength: passwordLimits.max }), newPassword: passwordSchema }),
        response: { 200: PublicUserSchema },
      },
      config: { session: true },
    },
    async (request) => {
      const auth = authOf(request);
      const user = await users.findById(auth.user.id);
      if (!user) throw new ApiError('unauthorized');
      // Guessing the current password here is a login attempt like any other.
      const attempt = limiter.start(user.username, request.ip);
      if (!(await limiter.check(attempt, () => passwords.verify(request.body.currentPassword, user.passwordHash))))
        throw new ApiError('badCredentials', 'The current password is not correct');
      limiter.succeeded(attempt);
      const problem = passwordProblem(request.body.newPassword, user.username);
      if (problem) throw new ApiError('badRequest', problem);
      const updated = await users.update(user, { password: request.body.newPassword });
      // Every other session ends, and every API key; the session that changed the password goes on.
      await tokens.revokeAllOf(user.id, auth.token);
      await apiKeys.revokeAllOf(user.id);
      return publicUser(updated);
    },
  );

  app.get('/api/me/api-keys', { schema: { response: { 200: Type.Array(ApiKeySchema) } } }, async (request) => apiKeys.list(currentUser(request).id));

  app.post(
    '/api/me/api-keys',
    {
      schema: {
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 100 }),
          expiresAt: Type.Optional(Type.String({ maxLength: 40 })),
          keepAfterSession: Type.Optional(Type.Boolean()),
        }),
        response: { 200: NewApiKeySchema },
      },
      config: { session: true },
    },
    async (request) => {
      const { name, expiresAt } = request.body;
      let expires: number | null = null;
      if (expiresAt !== undefined) {
        expires = Date.parse(expiresAt);
        if (Number.isNaN(expires) || expires <= Date.now()) throw new ApiError('badRequest', 'expiresAt must be a date-time in the future');
      }
      // A key ends with the session that made it, unless the owner asks to keep it.
      const { token } = authOf(request);
      return apiKeys.create(currentUser(request).id, name, expires, request.body.keepAfterSession ? null : (token ?? null));
    },
  );

  // Revoking is session-only, like creating: a leaked key must not be able to revoke its owner's other keys.
  app.delete(
    '/api/me/api-keys/:keyId',
    { schema: { params: Type.Object({ keyId: Uuid }), body: NoBody, response: { 200: Ok } }, config: { session: true } },
    async (request) => {
      if (!(await apiKeys.revoke(currentUser(request).id, request.params.keyId))) throw new ApiError('notFound', 'API key not found');
      return { ok: true } as const;
    },
  );
};
