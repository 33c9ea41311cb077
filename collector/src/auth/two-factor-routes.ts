import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors';
import type { AuthDeps } from './auth-deps';
import { currentUser } from './guard';
import { base32Encode, newTotpSecret, otpauthUri } from './totp';
import type { StoredUser } from './users';
import { noBody } from '../validation';

const issuer = 'Analytics';

/** Turning two-factor sign-in on or off: the current password and a code from the authenticator. */
const codeBody = {
  type: 'object',
  required: ['password'],
  properties: {
    token: { type: 'string', maxLength: 16 },
    code: { type: 'string', maxLength: 16 },
    password: { type: 'string', maxLength: 256 },
  },
} as const;

type CodeBody = { token?: string; code?: string; password: string };

const session = { session: true } as const;

/** Two-factor sign-in for the signed-in user, at Umami's paths: status, set up, confirm, cancel, disable. */
export async function twoFactorRoutes(app: FastifyInstance, { users, passwords, twoFactor, limiter }: AuthDeps) {
  /**
   * The password and the code, checked as a login attempt is (counted, limited), with one answer
   * for either being wrong, so neither can be guessed apart from the other.
   */
  const checkPasswordAndCode = async (request: FastifyRequest<{ Body: CodeBody }>, user: StoredUser) => {
    const { retryAfter, at } = limiter.begin(user.username, request.ip);
    if (retryAfter > 0) throw new ApiError('tooManyAttempts', undefined, retryAfter);
    const passwordRight = await passwords.verify(request.body.password, user.passwordHash);
    // A code is spent only with the right password (a stranger's try does not use up the owner's code).
    const codeRight = passwordRight && (await twoFactor.check(user, request.body.token ?? request.body.code ?? ''));
    if (!passwordRight || !codeRight) throw new ApiError('badCredentials', 'The password or the code is not correct');
    limiter.succeeded(user.username, request.ip, at);
  };

  const me = async (userId: string): Promise<StoredUser> => {
    const user = await users.findById(userId);
    if (!user) throw new ApiError('unauthorized');
    return user;
  };

  app.get('/api/2fa/status', async (request) => {
    const user = await me(currentUser(request).id);
    return { isEnabled: user.totpEnabled, isConfigured: user.totpSecret !== '', isRequired: false, globalRequired: false, requiredReason: null };
  });

  app.post('/api/2fa/setup/initiate', { schema: { body: noBody }, config: session }, async (request) => {
    const user = await me(currentUser(request).id);
    if (user.totpEnabled) throw new ApiError('badRequest', 'Two-factor sign-in is already on; disable it first');
    const secret = newTotpSecret();
    await users.update(user, { totpSecret: twoFactor.box.seal(secret), totpEnabled: false });
    // No QR image: any QR library can draw otpauthUri; manualKey is for typing it in.
    return { manualKey: base32Encode(secret), otpauthUri: otpauthUri(issuer, user.username, secret) };
  });

  app.post<{ Body: CodeBody }>('/api/2fa/setup/confirm', { schema: { body: codeBody }, config: session }, async (request) => {
    const user = await me(currentUser(request).id);
    if (user.totpEnabled || !user.totpSecret) throw new ApiError('badRequest', 'Start the setup first');
    await checkPasswordAndCode(request, user);
    await users.update(user, { totpEnabled: true });
    return { ok: true };
  });

  app.post('/api/2fa/setup/cancel', { schema: { body: noBody }, config: session }, async (request) => {
    const user = await me(currentUser(request).id);
    if (!user.totpEnabled && user.totpSecret) await users.update(user, { totpSecret: '' });
    return { ok: true };
  });

  app.post<{ Body: CodeBody }>('/api/2fa/disable', { schema: { body: codeBody }, config: session }, async (request) => {
    const user = await me(currentUser(request).id);
    if (!user.totpEnabled) throw new ApiError('badRequest', 'Two-factor sign-in is off');
    await checkPasswordAndCode(request, user);
    await users.update(user, { totpSecret: '', totpEnabled: false });
    return { ok: true };
  });
}
