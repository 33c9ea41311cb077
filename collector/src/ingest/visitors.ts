import { createHmac, randomUUID } from 'node:crypto';
import { SignedTokens } from '../signed-token';

/** A visit ends after this long without an event from its session (Umami and Plausible: 30 min). */
export const visitTimeoutMs = 30 * 60 * 1000;
const visitCacheLimit = 200_000;

export interface VisitorIds {
  sessionId: string;
  visitId: string;
  /** The `cache` value for the answer, which clients send back as the `x-umami-cache` header. */
  cache: string;
}

function asUuid(digest: Buffer): string {
  const hex = digest.subarray(0, 16).toString('hex');
  // Shaped as an RFC 9562 version-8 (custom) UUID so ClickHouse's UUID type and Umami clients accept it.
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Session and visit ids without cookies. The session id is a keyed hash of website, IP and
 * User-Agent under a salt that changes every UTC day, so nothing stored can be reversed or linked
 * across days. A visit continues while its session sends events less than 30 minutes apart.
 */
export class VisitorIdentifier {
  readonly #secret: string;
  readonly #tokens: SignedTokens<{ w: string; s: string; v: string; t: number }>;
  #saltDay = '';
  #salt: Buffer = Buffer.alloc(0);
  /** session id → current visit, least recently seen first. */
  readonly #visits = new Map<string, { visitId: string; lastSeen: number }>();

  constructor(secret: string) {
    this.#secret = secret;
    this.#tokens = new SignedTokens(secret, 'x-umami-cache');
  }

  #dailySalt(now: number): Buffer {
    const day = new Date(now).toISOString().slice(0, 10);
    if (day !== this.#saltDay) {
      this.#saltDay = day;
      this.#salt = createHmac('sha256', this.#secret).update(`session-salt:${day}`).digest();
    }
    return this.#salt;
  }

  /** Ids for one event; `cacheHeader` is the client's x-umami-cache value, ignored unless ours and valid. */
  identify(websiteId: string, ip: string, userAgent: string, cacheHeader: string | undefined, now: number): VisitorIds {
    const token = cacheHeader ? this.#readToken(cacheHeader, websiteId, now) : null;
    const sessionId =
      token?.s ?? asUuid(createHmac('sha256', this.#dailySalt(now)).update(`${websiteId}\n${ip}\n${userAgent}`).digest());
    let visit = this.#visits.get(sessionId);
    if (visit) this.#visits.delete(sessionId);
    if (!visit && token && now - token.t < visitTimeoutMs) visit = { visitId: token.v, lastSeen: token.t };
    if (!visit || now - visit.lastSeen >= visitTimeoutMs) visit = { visitId: randomUUID(), lastSeen: now };
    visit.lastSeen = now;
    this.#visits.set(sessionId, visit);
    if (this.#visits.size > visitCacheLimit) this.#visits.delete(this.#visits.keys().next().value!);
    return { sessionId, visitId: visit.visitId, cache: this.#writeToken(websiteId, sessionId, visit.visitId, now) };
  }

  #writeToken(w: string, s: string, v: string, t: number): string {
    return this.#tokens.sign({ w, s, v, t });
  }

  #readToken(header: string, websiteId: string, now: number): { s: string; v: string; t: number } | null {
    const token = this.#tokens.read(header, 512);
    if (!token || token.w !== websiteId || typeof token.s !== 'string' || typeof token.v !== 'string') return null;
    if (typeof token.t !== 'number' || token.t > now) return null;
    // A session lasts one UTC day at most, like the salted hash it stands in for.
    const sameDay = new Date(token.t).toISOString().slice(0, 10) === new Date(now).toISOString().slice(0, 10);
    return sameDay ? { s: token.s, v: token.v, t: token.t } : null;
  }
}
