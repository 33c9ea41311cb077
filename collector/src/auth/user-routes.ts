import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors';
import { uuidPattern } from '../shared/ids';
import type { AuthDeps } from './auth-deps';
import { currentUser } from './guard';
import { passwordSchema } from './passwords';
import { publicUser, roles, type Role, type StoredUser } from './users';
import { noBody, pagingProperties } from '../validation';
import { passwordProblem, usernameProblem } from './account-rules';

const userParams = { type: 'object', required: ['userId'], properties: { userId: { type: 'string', pattern: uuidPattern } } } as const;
const username = { type: 'string', minLength: 1, maxLength: 255, pattern: '^\\S(.*\\S)?$' } as const;
const role = { type: 'string', enum: roles } as const;
const adminOnly = { admin: true } as const;

const listed = (user: StoredUser) => ({ ...publicUser(user), twoFactorEnabled: user.totpEnabled });

/** User management, for admins: list, create, read, change, delete. */
export async function userRoutes(app: FastifyInstance, { users, tokens, apiKeys }: AuthDeps) {
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
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(change: () => Promise<T>): Promise<T> => {
    const run = queue.then(change, change);
    queue = run.catch(() => {});
    return run;
  };
  const checkAccount = (name: string | undefined, password: string | undefined, currentName: string) => {
    const problem = (name !== undefined ? usernameProblem(name) : null) ?? (password !== undefined ? passwordProblem(password, name ?? currentName) : null);
    if (problem) throw new ApiError('badRequest', problem);
  };

  const list = async (request: { query: { page: number; pageSize: number } }) => {
    const { page, pageSize } = request.query;
    const { data, count } = await users.list(page, pageSize);
    return { data: data.map(listed), count, page, pageSize };
  };
  const pageQuery = {
    type: 'object',
    properties: pagingProperties,
  } as const;
  app.get<{ Querystring: { page: number; pageSize: number } }>('/api/users', { schema: { querystring: pageQuery }, config: adminOnly }, list);
  app.get<{ Querystring: { page: number; pageSize: number } }>('/api/admin/users', { schema: { querystring: pageQuery }, config: adminOnly }, list);

  app.post<{ Body: { username: string; password: string; role: Role } }>(
    '/api/users',
    {
      schema: { body: { type: 'object', required: ['username', 'password', 'role'], properties: { username, password: passwordSchema, role } } },
      config: adminOnly,
    },
    async (request) => {
      const { username: name, password, role: newRole } = request.body;
      checkAccount(name, password, name);
      return oneAtATime(async () => {
        if (await users.findByUsername(name)) throw new ApiError('usernameTaken');
        return publicUser(await users.create(name.normalize('NFKC'), password, newRole));
      });
    },
  );

  app.get<{ Params: { userId: string } }>('/api/users/:userId', { schema: { params: userParams }, config: adminOnly }, async (request) =>
    listed(await find(request.params.userId)),
  );

  app.post<{ Params: { userId: string }; Body: { username?: string; password?: string; role?: Role } }>(
    '/api/users/:userId',
    {
      schema: { params: userParams, body: { type: 'object', properties: { username, password: passwordSchema, role } } },
      config: adminOnly,
    },
    async (request) => {
      const { username: name, password, role: newRole } = request.body;
      return oneAtATime(async () => {
        const user = await find(request.params.userId);
        checkAccount(name, password, user.username);
        const other = name ? await users.findByUsername(name) : null;
        if (other && other.id !== user.id) throw new ApiError('usernameTaken');
        if (newRole) await keepAnAdmin(user, newRole);
        const updated = await users.update(user, { username: name?.normalize('NFKC'), password, role: newRole });
        const demoted = newRole !== undefined && newRole !== user.role && (user.role === 'admin' || newRole === 'view-only');
        if (demoted || password) await revokeAll(user.id);
        return publicUser(updated);
      });
    },
  );

  app.delete<{ Params: { userId: string } }>('/api/users/:userId', { schema: { params: userParams, body: noBody }, config: adminOnly }, async (request) =>
    oneAtATime(async () => {
      const user = await find(request.params.userId);
      if (user.id === currentUser(request).id) throw new ApiError('badRequest', 'You cannot delete yourself');
      await keepAnAdmin(user, null);
      await users.delete(user);
      await revokeAll(user.id);
      return { ok: true };
    }),
  );

  // An admin clears a user's two-factor sign-in (a lost phone); the user sets it up again.
  app.delete<{ Params: { userId: string } }>('/api/users/:userId/2fa', { schema: { params: userParams, body: noBody }, config: adminOnly }, async (request) => {
    const user = await find(request.params.userId);
    await users.update(user, { totpSecret: '', totpEnabled: false });
    return { ok: true };
  });
}
