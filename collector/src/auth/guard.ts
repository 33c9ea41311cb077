import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors';
import { apiKeyPrefix, type ApiKeys } from './api-keys';
import type { SharedWebsite, ShareLinks } from '../websites/share-links';
import type { Tokens } from './tokens';
import { requestUser, type User, type Users } from './users';
import type { AppSettings } from './app-settings';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Open to anyone: the beacon, the script, heartbeat, login. Every other route needs credentials. */
    public?: boolean;
    /** Admins only (403 for others). */
    admin?: boolean;
    /** Changes websites or their data: not for view-only users (403). */
    write?: boolean;
    /** Needs a signed-in session: an API key cannot do it (403): passwords, API keys, two-factor sign-in. */
    session?: boolean;
    /** Also open to a website's share token (`x-umami-share-token`), for that website only, read-only. */
    share?: boolean;
    /**
     * Open to an account that must first choose its own password or turn on two-factor sign-in
     * (every other route answers 403 until it has): who am I, sign out, the password and two-factor setup routes.
     */
    setup?: boolean;
  }
  interface FastifyRequest {
    /** Who is asking, on guarded routes. */
    auth: Auth | null;
  }
}

export interface Auth {
  user: User;
  type: 'session' | 'api-key' | 'share';
  /** The shared website, for a share token (no user behind it). */
  share?: SharedWebsite;
  /** The login token, for a session. */
  token?: string;
  /** The key's id and name, for an API key. */
  apiKey?: { id: string; name: string };
}

const credential = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The credential a request carries: x-umami-api-key, else Rocket.Chat's X-Auth-Token (with
 * X-User-Id, checked in authenticate), else a Bearer token or key.
 */
function credentialOf(request: FastifyRequest): { kind: 'token' | 'key'; value: string; userId?: string } | null {
  const key = request.headers['x-umami-api-key'];
  if (typeof key === 'string' && key) return credential.test(key) ? { kind: 'key', value: key } : null;
  const authToken = request.headers['x-auth-token'];
  if (typeof authToken === 'string' && authToken) {
    const userId = request.headers['x-user-id'];
    if (!credential.test(authToken) || typeof userId !== 'string') return null;
    return { kind: authToken.startsWith(apiKeyPrefix) ? 'key' : 'token', value: authToken, userId: userId.toLowerCase() };
  }
  // The scheme is case-insensitive (RFC 9110 §11.1).
  const match = /^bearer +(\S+)$/i.exec(request.headers.authorization ?? '');
  if (!match || !credential.test(match[1]!)) return null;
  return { kind: match[1]!.startsWith(apiKeyPrefix) ? 'key' : 'token', value: match[1]! };
}

/**
 * Installs the guard once, for every route: a route is open only when it says `public: true`, so a
 * route added later cannot be left open by accident. 401 for missing, malformed, expired, revoked
 * or forged credentials and for deleted users; 403 when the role does not allow the route.
 */
export function installGuard(app: FastifyInstance, deps: GuardDeps): void {
  app.decorateRequest('auth', null);
  // A callback hook, so a public route (the beacon) pays no promise for the guard.
  app.addHook('onRequest', (request, _reply, done) => {
    const config = request.routeOptions.config;
    if (request.is404 || config.public) return done();
    admit(request, config, deps).then(() => done(), done);
  });
}

/** Checks a guarded request's credentials and role; sets request.auth or throws (401 or 403). */
async function admit(request: FastifyRequest, config: FastifyRequest['routeOptions']['config'], deps: GuardDeps): Promise<void> {
  const auth = (await authenticate(request, deps)) ?? (config.share ? sharedAuth(request, deps) : null);
  if (!auth) throw new ApiError('unauthorized');
  if (config.admin && auth.user.role !== 'admin') throw new ApiError('forbidden');
  if (config.write && auth.user.role === 'view-only') throw new ApiError('forbidden');
  if (config.session && auth.type === 'api-key') throw new ApiError('forbidden', 'An API key cannot do this; sign in with your password');
  if (!config.setup && auth.type !== 'share') await deps.settings.checkSetUp(auth.user);
  request.auth = auth;
  if (auth.apiKey) void deps.apiKeys.touch(auth.apiKey.id).catch((error) => request.log.warn({ err: error }, 'could not record the API key use'));
}

type GuardDeps = { users: Users; tokens: Tokens; apiKeys: ApiKeys; shareLinks: ShareLinks; settings: AppSettings };

/** A share token's reader: no user, a view-only stand-in, one website (checked by permittedWebsite). */
function sharedAuth(request: FastifyRequest, { shareLinks }: GuardDeps): Auth | null {
  const header = request.headers['x-umami-share-token'];
  const share = typeof header === 'string' ? shareLinks.read(header) : null;
  if (!share) return null;
  return {
    type: 'share',
    share,
    user: { id: '', username: '', role: 'view-only', createdAt: '', email: '', name: '', emailVerified: false, mustChangePassword: false, totpEnabled: false },
  };
}

/** Who a request's credential names, or null (none, malformed, expired, revoked, forged, or a deleted user). */
export async function authenticate(request: FastifyRequest, { users, tokens, apiKeys }: Pick<GuardDeps, 'users' | 'tokens' | 'apiKeys'>): Promise<Auth | null> {
  const given = credentialOf(request);
  if (!given) return null;
  let userId: string | null = null;
  let apiKey: Auth['apiKey'];
  if (given.kind === 'key') {
    const found = await apiKeys.find(given.value);
    if (found) {
      userId = found.userId;
      apiKey = { id: found.id, name: found.name };
    }
  } else {
    userId = await tokens.userIdOf(given.value);
  }
  // Rocket.Chat's pair: the token must be the named user's.
  if (given.userId !== undefined && given.userId !== userId) return null;
  const user = userId ? await users.findById(userId) : null;
  if (!user) return null;
  return {
    user: requestUser(user),
    ...(given.kind === 'key' ? { type: 'api-key', apiKey } : { type: 'session', token: given.value }),
  };
}

/** Who is asking; guarded routes always have someone. */
export function authOf(request: FastifyRequest): Auth {
  if (!request.auth) throw new ApiError('unauthorized');
  return request.auth;
}

/** The signed-in user; guarded routes always have one. */
export function currentUser(request: FastifyRequest): User {
  return authOf(request).user;
}
