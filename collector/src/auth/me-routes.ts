import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../errors';
import { NoBody, Ok, Uuid } from '../shared/schema';
import { changeOwnPassword } from './own-password';
import type { AuthDeps } from './auth-deps';
import { ApiKeySchema, MeAnswer, NewApiKeySchema, PublicUserSchema } from './auth-schemas';
import { authOf, currentUser } from './guard';
import { passwordLimits, passwordSchema } from './passwords';
import { publicUser } from './users';

/** The signed-in user's own account: `/api/me`, password, API keys. */
export const meRoutes: FastifyPluginAsyncTypebox<AuthDeps> = async (app, deps) => {
  const { apiKeys, settings } = deps;
  app.get('/api/me', { schema: { response: { 200: MeAnswer } }, config: { setup: true } }, async (request) => {
    const auth = authOf(request);
    // What the account must do before anything else (the dashboard shows that step).
    const setupRequired: 'password' | 'two-factor' | null = auth.user.mustChangePassword
      ? 'password'
      : auth.type !== 'share' && !auth.user.totpEnabled && (await settings.get()).forceTwoFactor
        ? 'two-factor'
        : null;
    return { authType: auth.type, user: publicUser(auth.user), setupRequired, ...(auth.apiKey ? { apiKey: auth.apiKey } : {}) };
  });

  app.post(
    '/api/me/password',
    {
      schema: {
        body: Type.Object({ currentPassword: Type.String({ maxLength: passwordLimits.max }), newPassword: passwordSchema }),
        response: { 200: PublicUserSchema },
      },
      config: { session: true, setup: true },
    },
    async (request) => publicUser(await changeOwnPassword(deps, request, request.body.currentPassword, request.body.newPassword)),
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
