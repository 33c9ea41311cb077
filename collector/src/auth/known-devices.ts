import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SignedTokens } from '../signed-token';

/** How long a device stays known after a successful sign-in on it. */
export const knownDeviceLifetimeMs = 180 * 24 * 3600_000;
export const knownDeviceCookie = 'umami-device';
export const knownDeviceHeader = 'x-umami-device';

interface DeviceClaims {
  /** The user who signed in on the device. */
  u: string;
  /** The device's id: its failed attempts are counted under it. */
  d: string;
  /** When it expires (Unix ms). */
  e: number;
}

/**
 * Devices a user has signed in on before (OWASP's "device cookie"): after a successful sign-in
 * the answer carries a signed token naming the user and a random device id, as an HttpOnly
 * cookie and as `deviceToken` in the body (for API clients, sent back as `x-umami-device`).
 * A sign-in from a known device is not held back by the limit on the account's failures from
 * everywhere, so strangers guessing from many addresses cannot lock its owner out; it has a
 * limit of its own instead (see LoginLimiter), so a stolen device token buys an attacker no more
 * guesses than one address has.
 */
export class KnownDevices {
  readonly #tokens: SignedTokens<DeviceClaims>;

  constructor(appSecret: string) {
    this.#tokens = new SignedTokens<DeviceClaims>(appSecret, 'known-device');
  }

  /** The device id a request presents for `userId`, or null when it presents none that is valid for that user. */
  deviceOf(request: FastifyRequest, userId: string, now = Date.now()): string | null {
    const header = request.headers[knownDeviceHeader];
    const token = (typeof header === 'string' ? header : null) ?? cookieValue(request.headers.cookie, knownDeviceCookie);
    if (!token) return null;
    const claims = this.#tokens.read(token);
    if (!claims || claims.u !== userId || typeof claims.d !== 'string' || typeof claims.e !== 'number' || claims.e < now) return null;
    return claims.d;
  }

  /** Marks the device as known for `userId` (keeping its id when it was known already); returns the token. */
  remember(request: FastifyRequest, reply: FastifyReply, userId: string, now = Date.now()): string {
    const token = this.#tokens.sign({ u: userId, d: this.deviceOf(request, userId, now) ?? randomUUID(), e: now + knownDeviceLifetimeMs });
    const secure = request.protocol === 'https' ? '; Secure' : '';
    reply.header('set-cookie', `${knownDeviceCookie}=${token}; Path=/api; Max-Age=${knownDeviceLifetimeMs / 1000}; HttpOnly; SameSite=Strict${secure}`);
    return token;
  }
}

/** One cookie's value from a Cookie header (RFC 6265), or null. */
function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
