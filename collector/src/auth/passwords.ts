import { Type } from 'typebox';
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ApiError } from '../errors';

/** scrypt's cost parameters. */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt parameters: N=2^17, r=8, p=1 (128 MiB of memory per hash). */
export const owaspCost: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };
// Room for the cost above; a stored hash asking for more is refused rather than computed.
const maxmem = 256 * 1024 * 1024;
const keyLength = 32;

export const passwordLimits = { min: 8, max: 256 } as const;

/** A new password in a route's body schema. */
export const passwordSchema = Type.String({ minLength: passwordLimits.min, maxLength: passwordLimits.max });

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/**
 * How many scrypt computations may run at once. They run on libuv's thread pool (4 threads),
 * which the embedded engine's queries and file writes share: 20 parallel wrong logins once held
 * another user's request for 7–31 s. Past this, a request is answered 429 at once, not queued.
 */
export const hashingCapacity = 2;

/**
 * Password hashing with scrypt. The cost is OWASP's; tests may construct it with a cheaper one
 * (nothing in the environment can), and since every hash records its own parameters, a hash
 * verifies whatever cost it was made with.
 */
export class Passwords {
  #decoy: Promise<string> | null = null;
  #running = 0;

  constructor(
    private readonly cost: ScryptCost = owaspCost,
    private readonly capacity = hashingCapacity,
  ) {}

  /**
   * Runs one scrypt computation if there is room (else 429 `busy`, with Retry-After 1). `room`
   * `'reserved'` may also take the one slot kept beyond the capacity for owners signing in on a
   * device they used before, so that a storm of strangers' logins cannot keep them out.
   */
  async #derive(password: string, salt: Buffer, options: ScryptOptions, room: 'shared' | 'reserved' | 'unbounded' = 'shared'): Promise<Buffer> {
    const limit = room === 'unbounded' ? Number.POSITIVE_INFINITY : this.capacity + (room === 'reserved' ? 1 : 0);
    if (this.#running >= limit) throw new ApiError('busy');
    this.#running += 1;
    try {
      return await derive(password, salt, options);
    } finally {
      this.#running -= 1;
    }
  }

  /** Hashes a password as `scrypt$N$r$p$salt$key` (base64url), so parameters can change later. */
  async hash(password: string, bounded = true): Promise<string> {
    const salt = randomBytes(16);
    const { N, r, p } = this.cost;
    const key = await this.#derive(password, salt, { N, r, p, maxmem }, bounded ? 'shared' : 'unbounded');
    return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  /**
   * True when `password` matches `stored`; the comparison takes constant time. `knownDevice`:
   * the sign-in comes from a device of the user's (see KnownDevices) and may use the reserved slot.
   */
  async verify(password: string, stored: string, knownDevice = false): Promise<boolean> {
    const [scheme, n, r, p, salt, key] = stored.split('$');
    if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
    const expected = Buffer.from(key, 'base64url');
    const options = { N: Number(n), r: Number(r), p: Number(p), maxmem };
    const actual = await this.#derive(password, Buffer.from(salt, 'base64url'), options, knownDevice ? 'reserved' : 'shared');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  /** A hash of nothing anyone knows: verified against for unknown users, so they cost the same work. */
  decoy(): Promise<string> {
    // Made once, outside the bound, so that a busy moment cannot leave a failed decoy behind.
    this.#decoy ??= this.hash(randomBytes(16).toString('hex'), false);
    return this.#decoy;
  }
}
