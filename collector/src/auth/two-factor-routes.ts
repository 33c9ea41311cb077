import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../errors';
import { NoBody, Ok } from '../shared/schema';
import type { AuthDeps } from './auth-deps';
import { TwoFactorSetup, TwoFactorStatus } from './auth-schemas';
import { currentUser } from './guard';
import { base32Encode, newTotpSecret, otpauthUri } from './totp';
import type { StoredUser } from './users';

const issuer = 'Analytics';

/** Turning two-factor sign-in on or off: the current password and a code from the authenticator. */
const codeBody = Type.Object({
  token: Type.Optional(Type.String({ maxLength: 16 })),
  code: Type.Optional(Type.String({ maxLength: 16 })),
  password: Type.String({ maxLength: 256 }),
});

type CodeBody = { token?: string; code?: string; password: string };
const done = { 200: Ok };

const session = { session: true } as const;
/** Open while the account must still turn on two-factor sign-in (FORCE: the admin setting). */
const setupStep = { session: true, setup: true } as const;

/** Two-factor sign-in for the signed-in user, at Umami's paths: status, set up, confirm, cancel, disable. */
export const twoFactorRoutes: FastifyPluginAsyncTypebox<AuthDeps> = async (app, { users, passwords, twoFactor, limiter, settings }) => {
  /**
   * The password and the code, checked as a login attempt is (counted, limited), with one answer
   * for either being wrong, so neither can be guessed apart from the other.
   */
  const checkPasswordAndCode = async (request: FastifyRequest & { body: CodeBody }, user: StoredUser) => {
    const attempt = limiter.start(user.username, request.ip);
    const passwordRight = await limiter.check(attempt, () => passwords.verify(request.body.password, user.passwordHash));
    // A code is spent only with the right password (a stranger's try does not use up the owner's code).
    const codeRight = passwordRight && (await twoFactor.check(user, request.body.token ?? request.body.code ?? ''));
    if (!passwordRight || !codeRight) throw new ApiError('badCredentials', 'The password or the code is not correct');
    limiter.succeeded(attempt);
  };

  const me = async (userId: string): Promise<StoredUser> => {
    const user = await users.findById(userId);
    if (!user) throw new ApiError('unauthorized');
    return user;
  };

  app.get('/api/2fa/status', { schema: { response: { 200: TwoFactorStatus } }, config: { setup: true } }, async (request) => {
    const user = await me(currentUser(request).id);
    const required = (await settings.get()).forceTwoFactor;
    return { isEnabled: user.totpEnabled, isConfigured: user.totpSecret !== '', isRequired: required, globalRequired: required, requiredReason: null };
  });

  app.post('/api/2fa/setup/initiate', { schema: { body: NoBody, response: { 200: TwoFactorSetup } }, config: setupStep }, async (request) => {
    const user = await me(currentUser(request).id);
    if (user.totpEnabled) throw new ApiError('badRequest', 'Two-factor sign-in is already on; disable it first');
    const secret = newTotpSecret();
    await users.update(user, { totpSecret: twoFactor.box.seal(secret), totpEnabled: false });
    // No QR image: any QR library can draw otpauthUri; manualKey is for typing it in.
    return { manualKey: base32Encode(secret), otpauthUri: otpauthUri(issuer, user.username, secret) };
  });

  app.post('/api/2fa/setup/confirm', { schema: { body: codeBody, response: done }, config: setupStep }, async (request) => {
    const user = await me(currentUser(request).id);
    if (user.totpEnabled || !user.totpSecret) throw new ApiError('badRequest', 'Start the setup first');
    await checkPasswordAndCode(request, user);
    await users.update(user, { totpEnabled: true });
    return { ok: true } as const;
  });

  app.post('/api/2fa/setup/cancel', { schema: { body: NoBody, response: done }, config: setupStep }, async (request) => {
    const user = await me(currentUser(request).id);
    if (!user.totpEnabled && user.totpSecret) await users.update(user, { totpSecret: '' });
    return { ok: true } as const;
  });

  app.post('/api/2fa/disable', { schema: { body: codeBody, response: done }, config: session }, async (request) => {
    const user = await me(currentUser(request).id);
    if (!user.totpEnabled) throw new ApiError('badRequest', 'Two-factor sign-in is off');
    await checkPasswordAndCode(request, user);
    await users.update(user, { totpSecret: '', totpEnabled: false });
    return { ok: true } as const;
  });
};
