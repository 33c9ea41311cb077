import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../errors';
import { oneAtATime } from '../shared/one-at-a-time';
import { NoBody, Ok, PageQuery, StringEnum, Uuid } from '../shared/schema';
import { passwordProblem, usernameProblem } from './account-rules';
import type { AuthDeps } from './auth-deps';
import { ListedUserSchema, PublicUserSchema, UsersPage } from './auth-schemas';
import { currentUser } from './guard';
import { passwordSchema } from './passwords';
import { emailKey, publicUser, roles, type Role, type StoredUser } from './users';
import { EmailSchema, NameSchema } from './account-routes';

const userParams = Type.Object({ userId: Uuid });
const username = Type.String({ minLength: 1, maxLength: 255, pattern: '^\\S(.*\\S)?$' });
const role = StringEnum(roles);
const adminOnly = { admin: true } as const;
const done = { 200: Ok };

const listed = (user: StoredUser) => ({ ...publicUser(user), twoFactorEnabled: user.totpEnabled });

/** User management, for admins: list, create, read, change, delete. */
export const userRoutes: FastifyPluginAsyncTypebox<AuthDeps> = async (app, { users, tokens, apiKeys }) => {
  const find = async (id: string) => {
    const user = await users.findById(id);
    if (!user) throw new ApiError('notFound', 'User not found');
    return user;
  };
  /** Ends every session and key of a user at once (deleted, demoted, or password reset by an admin). */
  const revokeAll = (userId: string) => Promise.all([tokens.revokeAllOf(userId), apiKeys.revokeAllOf(userId)]);
  const keepAnAdmin = async (user: StoredUser, newRole: Role | null) => {
    if (user.role === 'admin' && newRole !== 'admin' && (await users.count('admin')) <= 1) {
      throw new ApiError('badRequest', 'The last admin cannot be removed or demoted');
    }
  };

  /**
   * User changes run one at a time in this process, so two concurrent requests cannot both take
   * a username nor both remove the last admin (collectors sharing a database each have their own).
   */
  const inTurn = oneAtATime();
  const checkAccount = (name: string | undefined, password: string | undefined, currentName: string) => {
    const problem = (name !== undefined ? usernameProblem(name) : null) ?? (password !== undefined ? passwordProblem(password, name ?? currentName) : null);
    if (problem) throw new ApiError('badRequest', problem);
  };

  const list = async (request: { query: { page: number; pageSize: number } }) => {
    const { page, pageSize } = request.query;
    const { data, count } = await users.list(page, pageSize);
    return { data: data.map(listed), count, page, pageSize };
  };
  const listing = { querystring: PageQuery, response: { 200: UsersPage } };
  app.get('/api/users', { schema: listing, config: adminOnly }, list);
  app.get('/api/admin/users', { schema: listing, config: adminOnly }, list);

  app.post(
    '/api/users',
    {
      // Without a role, the least privileged one: an omission must never make an admin.
      // The admin chose the password: the user chooses their own at first sign-in, unless told otherwise (a service account).
      schema: {
        body: Type.Object({
          username,
          password: passwordSchema,
          role: Type.Optional(role),
          email: Type.Optional(Type.Union([EmailSchema, Type.Literal('')])),
          name: Type.Optional(NameSchema),
          mustChangePassword: Type.Optional(Type.Boolean()),
        }),
        response: { 200: PublicUserSchema },
      },
      config: adminOnly,
    },
    async (request) => {
      const { username: name, password, role: newRole = 'view-only', email = '', mustChangePassword = true } = request.body;
      checkAccount(name, password, name);
      return inTurn(async () => {
        if (await users.findByUsername(name)) throw new ApiError('usernameTaken');
        if (email && (await users.findByEmail(email))) throw new ApiError('emailTaken');
        return publicUser(await users.create(name.normalize('NFKC'), password, newRole, { email, name: request.body.name?.trim(), mustChangePassword }));
      });
    },
  );

  app.get('/api/users/:userId', { schema: { params: userParams, response: { 200: ListedUserSchema } }, config: adminOnly }, async (request) =>
    listed(await find(request.params.userId)),
  );

  app.post(
    '/api/users/:userId',
    {
      schema: {
        params: userParams,
        body: Type.Object({
          username: Type.Optional(username),
          password: Type.Optional(passwordSchema),
          role: Type.Optional(role),
          email: Type.Optional(Type.Union([EmailSchema, Type.Literal('')])),
          name: Type.Optional(NameSchema),
        }),
        response: { 200: PublicUserSchema },
      },
      config: adminOnly,
    },
    async (request) => {
      const { username: name, password, role: newRole } = request.body;
      return inTurn(async () => {
        const user = await find(request.params.userId);
        checkAccount(name, password, user.username);
        const other = name ? await users.findByUsername(name) : null;
        if (other && other.id !== user.id) throw new ApiError('usernameTaken');
        if (newRole) await keepAnAdmin(user, newRole);
        const { email, name: displayName } = request.body;
        const owner = email ? await users.findByEmail(email) : null;
        if (owner && owner.id !== user.id) throw new ApiError('emailTaken');
        const newEmail = email === undefined ? {} : { email, emailVerified: emailKey(email) === user.email && user.emailVerified };
        const updated = await users.update(user, {
          username: name?.normalize('NFKC'),
          password,
          role: newRole,
          ...newEmail,
          name: displayName?.trim(),
          // A password an admin chose is replaced by the user's own at their next sign-in.
          ...(password ? { mustChangePassword: true } : {}),
        });
        const demoted = newRole !== undefined && newRole !== user.role && (user.role === 'admin' || newRole === 'view-only');
        if (demoted || password) await revokeAll(user.id);
        return publicUser(updated);
      });
    },
  );

  app.delete('/api/users/:userId', { schema: { params: userParams, body: NoBody, response: done }, config: adminOnly }, async (request) =>
    inTurn(async () => {
      const user = await find(request.params.userId);
      if (user.id === currentUser(request).id) throw new ApiError('badRequest', 'You cannot delete yourself');
      await keepAnAdmin(user, null);
      await users.delete(user);
      await revokeAll(user.id);
      return { ok: true } as const;
    }),
  );

  // An admin clears a user's two-factor sign-in (a lost phone); the user sets it up again.
  app.delete('/api/users/:userId/2fa', { schema: { params: userParams, body: NoBody, response: done }, config: adminOnly }, async (request) => {
    const user = await find(request.params.userId);
    await users.update(user, { totpSecret: '', totpEnabled: false });
    return { ok: true } as const;
  });
};
