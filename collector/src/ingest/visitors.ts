import { createHmac, randomUUID } from 'node:crypto';
import { FastHmac, SignedTokens } from '../signed-token';

/** A visit ends after this long without an event from its session (Umami and Plausible: 30 min). */
export const visitTimeoutMs = 30 * 60 * 1000;
const visitCacheLimit = 200_000;
const sessionCacheLimit = 100_000;

export interface VisitorIds {
  sessionId: string;
  visitId: string;
  /** The `cache` value for the answer, which clients send back as the `x-umami-cache` header. */
  cache: string;
}

interface Visit {
  visitId: string;
  lastSeen: number;
  /** The cache token last issued for this visit, and the minute it was issued in. */
  token?: string;
  tokenMinute?: number;
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
  #saltDay = -1;
  #salt: FastHmac | null = null;
  /** (day, website, IP, User-Agent) → session id, so repeat beacons skip the hash. */
  readonly #sessions = new Map<string, string>();
  /** session id → current visit, least recently seen first. */
  readonly #visits = new Map<string, Visit>();

  constructor(secret: string) {
    this.#secret = secret;
    this.#tokens = new SignedTokens(secret, 'x-umami-cache');
  }

  #sessionId(websiteId: string, ip: string, userAgent: string, now: number): string {
    const day = Math.floor(now / 86_400_000);
    if (day !== this.#saltDay) {
      this.#saltDay = day;
      const date = new Date(day * 86_400_000).toISOString().slice(0, 10);
      this.#salt = new FastHmac(createHmac('sha256', this.#secret).update(`session-salt:${date}`).digest());
      this.#sessions.clear();
    }
    const key = `${websiteId}\n${ip}\n${userAgent}`;
    let id = this.#sessions.get(key);
    if (id === undefined) {
      id = asUuid(this.#salt!.digest(key));
      if (this.#sessions.size >= sessionCacheLimit) this.#sessions.clear();
      this.#sessions.set(key, id);
    }
    return id;
  }

  /** Ids for one event; `cacheHeader` is the client's x-umami-cache value, ignored unless ours and valid. */
  identify(websiteId: string, ip: string, userAgent: string, cacheHeader: string | undefined, now: number): VisitorIds {
    const token = cacheHeader ? this.#readToken(cacheHeader, websiteId, now) : null;
    const sessionId = token?.s ?? this.#sessionId(websiteId, ip, userAgent, now);
    let visit = this.#visits.get(sessionId);
    if (visit) this.#visits.delete(sessionId);
    if (!visit && token && now - token.t < visitTimeoutMs) visit = { visitId: token.v, lastSeen: token.t };
    if (!visit || now - visit.lastSeen >= visitTimeoutMs) visit = { visitId: randomUUID(), lastSeen: now };
    visit.lastSeen = now;
    this.#visits.set(sessionId, visit);
    if (this.#visits.size > visitCacheLimit) this.#visits.delete(this.#visits.keys().next().value!);
    // The token carries time to the minute, so beacons of one visit within a minute share one
    // token and the signature is computed once.
    const minute = Math.floor(now / 60_000);
    if (visit.tokenMinute !== minute || !visit.token) {
      visit.token = this.#tokens.sign({ w: websiteId, s: sessionId, v: visit.visitId, t: minute * 60_000 });
      visit.tokenMinute = minute;
    }
    return { sessionId, visitId: visit.visitId, cache: visit.token };
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
