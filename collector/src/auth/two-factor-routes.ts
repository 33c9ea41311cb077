import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors';
import type { AuthDeps } from './auth-deps';
import { currentUser } from './guard';
import { base32Encode, newTotpSecret, otpauthUri } from './totp';
import type { StoredUser } from './users';
import { noBody } from '../validation';

const issuer = 'Analytics';

const codeBody = {
  type: 'object',
  properties: {
    token: { type: 'string', maxLength: 16 },
    code: { type: 'string', maxLength: 16 },
    password: { type: 'string', maxLength: 256 },
  },
} as const;

type CodeBody = { token?: string; code?: string; password?: string };

/** Two-factor sign-in for the signed-in user, at Umami's paths: status, set up, confirm, cancel, disable. */
export async function twoFactorRoutes(app: FastifyInstance, { users, passwords, twoFactor }: AuthDeps) {
  const me = async (userId: string): Promise<StoredUser> => {
    const user = await users.findById(userId);
    if (!user) throw new ApiError('unauthorized');
    return user;
  };

  app.get('/api/2fa/status', async (request) => {
    const user = await me(currentUser(request).id);
    return { isEnabled: user.totpEnabled, isConfigured: user.totpSecret !== '', isRequired: false, globalRequired: false, requiredReason: null };
  });

  app.post('/api/2fa/setup/initiate', { schema: { body: noBody } }, async (request) => {
    const user = await me(currentUser(request).id);
    if (user.totpEnabled) throw new ApiError('badRequest', 'Two-factor sign-in is already on; disable it first');
    const secret = newTotpSecret();
    await users.update(user, { totpSecret: twoFactor.box.seal(secret), totpEnabled: false });
    // No QR image: any QR library can draw otpauthUri; manualKey is for typing it in.
    return { manualKey: base32Encode(secret), otpauthUri: otpauthUri(issuer, user.username, secret) };
  });

  app.post<{ Body: CodeBody }>('/api/2fa/setup/confirm', { schema: { body: codeBody } }, async (request) => {
    const user = await me(currentUser(request).id);
    if (user.totpEnabled || !user.totpSecret) throw new ApiError('badRequest', 'Start the setup first');
    if (!twoFactor.check(user, request.body.token ?? request.body.code ?? '')) throw new ApiError('invalidCode');
    await users.update(user, { totpEnabled: true });
    return { ok: true };
  });

  app.post('/api/2fa/setup/cancel', { schema: { body: noBody } }, async (request) => {
    const user = await me(currentUser(request).id);
    if (!user.totpEnabled && user.totpSecret) await users.update(user, { totpSecret: '' });
    return { ok: true };
  });

  app.post<{ Body: CodeBody }>('/api/2fa/disable', { schema: { body: codeBody } }, async (request) => {
    const user = await me(currentUser(request).id);
    if (!user.totpEnabled) throw new ApiError('badRequest', 'Two-factor sign-in is off');
    const { password } = request.body;
    if (password !== undefined && !(await passwords.verify(password, user.passwordHash))) throw new ApiError('badCredentials');
    if (!twoFactor.check(user, request.body.token ?? request.body.code ?? '')) throw new ApiError('invalidCode');
    await users.update(user, { totpSecret: '', totpEnabled: false });
    return { ok: true };
  });
}
