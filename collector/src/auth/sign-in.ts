import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors';
import type { Attempt } from './login-limiter';
import type { Teams } from '../teams/teams';
import type { AuthDeps } from './auth-deps';
import { tokenLifetimeMs } from './tokens';
import { publicUser, type StoredUser, type User } from './users';

/** Umami's login user: with the teams the user is in and their role in each (access codes stay on the team pages). */
export async function loginUser(teams: Teams, user: User) {
  const { data } = await teams.list(user.id, 1, 100);
  const withRoles = await Promise.all(
    data.map(async ({ accessCode: _hidden, ...team }) => ({ ...team, role: (await teams.member(team.id, user.id))?.role ?? null })),
  );
  return { ...publicUser(user), teams: withRoles };
}

/**
 * Starts a session for a user whose credentials were checked: a login token (a day, or 30 days
 * when remembered), Umami's login answer, and this device remembered for the login limiter.
 * Every sign-in form (Umami's, signup, Rocket.Chat's, UTMStack's) ends here.
 */
export async function startSession(
  { tokens, devices, teams }: Pick<AuthDeps, 'tokens' | 'devices'> & { teams: Teams },
  request: FastifyRequest,
  reply: FastifyReply,
  user: User,
  rememberMe: boolean,
) {
  const lifetime = rememberMe ? tokenLifetimeMs.rememberMe : tokenLifetimeMs.standard;
  const { token, expiresAt } = await tokens.issue(user.id, lifetime);
  return { token, expiresAt, user: await loginUser(teams, user), deviceToken: devices.remember(request, reply, user.id) };
}

/**
 * The password step of every sign-in form: the account by username or email, the attempt counted
 * (for the account and address, or for a known device), and the password checked. An unknown
 * user costs the same scrypt work as a wrong password, so timing shows nothing. 401 when wrong.
 */
export async function checkPassword(
  { users, passwords, limiter, devices }: Pick<AuthDeps, 'users' | 'passwords' | 'limiter' | 'devices'>,
  request: FastifyRequest,
  nameOrEmail: string,
  password: string,
): Promise<{ user: StoredUser; attempt: Attempt }> {
  const user = await users.findForSignIn(nameOrEmail);
  const stored = user?.passwordHash ?? (await passwords.decoy());
  const device = user ? devices.deviceOf(request, user.id) : null;
  const attempt = limiter.start(nameOrEmail, request.ip, device);
  const valid = await limiter.check(attempt, () => passwords.verify(password, stored, device !== null));
  if (!user || !valid) throw new ApiError('badCredentials');
  return { user, attempt };
}

/**
 * The second step, when the account has two-factor sign-in: `needed` without a code (the right
 * password is not a failure, but not a sign-in either: the failures before it stay until the
 * code succeeds, else each password step would buy fresh code guesses); 401 for a wrong code.
 */
export async function checkSecondFactor(
  { limiter, twoFactor }: Pick<AuthDeps, 'limiter' | 'twoFactor'>,
  user: StoredUser,
  attempt: Attempt,
  code: string | undefined,
): Promise<'passed' | 'needed'> {
  if (!user.totpEnabled) return 'passed';
  if (!code) {
    limiter.forget(attempt);
    return 'needed';
  }
  if (!(await twoFactor.check(user, code))) throw new ApiError('invalidCode');
  return 'passed';
}
