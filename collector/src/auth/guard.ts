import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors';
import type { Tokens } from './tokens';
import { type User, type Users } from './users';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Routes are guarded unless they say `public: true` (the beacon, the script, heartbeat, login). */
    public?: boolean;
  }
  interface FastifyRequest {
    /** The signed-in user on guarded routes. */
    user: User | null;
    /** The bearer token the request came with, on guarded routes. */
    token: string | null;
  }
}

/** The bearer token of a request, or null when there is none or it is malformed. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(header);
  return match ? match[1]! : null;
}

/**
 * Installs the guard once, for every route: a route is public only when it says so, so a route
 * added later cannot be left open by accident.
 */
export function installGuard(app: FastifyInstance, users: Users, tokens: Tokens): void {
  app.decorateRequest('user', null);
  app.decorateRequest('token', null);
  app.addHook('onRequest', async (request) => {
    if (request.is404 || request.routeOptions.config.public) return;
    const token = bearerToken(request);
    if (!token) throw new ApiError('unauthorized');
    const userId = await tokens.userIdOf(token);
    const user = userId ? await users.findById(userId) : null;
    if (!user) throw new ApiError('unauthorized');
    request.user = { id: user.id, username: user.username, role: user.role, createdAt: user.createdAt };
    request.token = token;
  });
}

/** The signed-in user; guarded routes always have one. */
export function currentUser(request: FastifyRequest): User {
  if (!request.user) throw new ApiError('unauthorized');
  return request.user;
}
