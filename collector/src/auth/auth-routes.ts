import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors';
import { decoyHash, passwordLimits, verifyPassword } from './passwords';
import { currentUser } from './guard';
import type { Tokens } from './tokens';
import { publicUser, type Users } from './users';

const loginBody = {
  type: 'object',
  required: ['username', 'password'],
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 255 },
    password: { type: 'string', minLength: 1, maxLength: passwordLimits.max },
  },
} as const;

/** `/api/auth/login`, `/verify` and `/logout`, in Umami's shapes. */
export async function authRoutes(app: FastifyInstance, { users, tokens }: { users: Users; tokens: Tokens }) {
  app.post<{ Body: { username: string; password: string } }>(
    '/api/auth/login',
    { schema: { body: loginBody }, config: { public: true } },
    async (request) => {
      const { username, password } = request.body;
      const user = await users.findByUsername(username);
      // An unknown user costs the same scrypt work as a wrong password, so timing shows nothing.
      const valid = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
      if (!user || !valid) throw new ApiError('badCredentials');
      const { token } = await tokens.issue(user.id);
      return { token, user: publicUser(user) };
    },
  );

  app.post('/api/auth/verify', async (request) => publicUser(currentUser(request)));

  app.post('/api/auth/logout', async (request, reply) => {
    if (request.token) await tokens.revoke(request.token);
    return reply.send({ ok: true });
  });
}
