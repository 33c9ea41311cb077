import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors';
import { passwordProblem } from './account-rules';
import type { AuthDeps } from './auth-deps';
import { authOf } from './guard';
import type { StoredUser } from './users';

/**
 * The signed-in user, once `currentPassword` proved to be theirs (401 when not). Guessing it here
 * is a login attempt like any other: the same limits.
 */
export async function signedInWithPassword(
  { users, passwords, limiter }: Pick<AuthDeps, 'users' | 'passwords' | 'limiter'>,
  request: FastifyRequest,
  currentPassword: string,
): Promise<StoredUser> {
  const user = await users.findById(authOf(request).user.id);
  if (!user) throw new ApiError('unauthorized');
  const attempt = limiter.start(user.username, request.ip);
  if (!(await limiter.check(attempt, () => passwords.verify(currentPassword, user.passwordHash)))) {
    throw new ApiError('badCredentials', 'The current password is not correct');
  }
  limiter.succeeded(attempt);
  return user;
}

/**
 * A signed-in user changes their own password (Umami's `/api/me/password`, document 002's
 * `PUT /api/auth/me/password`, the first-sign-in step): the current password is checked as a
 * login attempt, the new one by the account rules; every other session and every API key end.
 */
export async function changeOwnPassword(
  { users, passwords, tokens, apiKeys, limiter }: Pick<AuthDeps, 'users' | 'passwords' | 'tokens' | 'apiKeys' | 'limiter'>,
  request: FastifyRequest,
  currentPassword: string,
  newPassword: string,
): Promise<StoredUser> {
  const auth = authOf(request);
  const user = await signedInWithPassword({ users, passwords, limiter }, request, currentPassword);
  const problem = passwordProblem(newPassword, user.username);
  if (problem) throw new ApiError('badRequest', problem);
  if (user.mustChangePassword && (await passwords.verify(newPassword, user.passwordHash))) {
    throw new ApiError('badRequest', 'Choose a password other than the one you were given');
  }
  const updated = await users.update(user, { password: newPassword, mustChangePassword: false });
  await tokens.revokeAllOf(user.id, auth.token);
  await apiKeys.revokeAllOf(user.id);
  return updated;
}
