import { createHmac, randomUUID } from 'node:crypto';
import { FastHmac, SignedTokens } from '../signed-token';
import { dayMs, isoDay } from '../shared/time';

/** A visit ends after this long without an event from its session (Umami and Plausible: 30 min). */
export const visitTimeoutMs = 30 * 60 * 1000;
const visitCacheLimit = 200_000;
const sessionCacheLimit = 100_000;

export interface VisitorIds {
  sessionId: string;
  visitId: string;
  /** The `cache` value for the answer, which clients send back as the `x-umami-cache` header. */
  cache: string;
  /** For a pageview: its place in the visit, so visit figures can be read without grouping by visit. */
  pageview: VisitPageview;
}

export interface VisitPageview {
  /** 1 for the visit's first pageview, 2 for the second, …; 0 for other events. */
  index: number;
  /** Milliseconds since the visit's previous pageview (0 for the first). */
  gapMs: number;
  /** When the visit's first pageview happened (before it: this event's time). */
  visitStart: number;
}

interface Visit {
  visitId: string;
  lastSeen: number;
  pageviews: number;
  firstPageviewAt: number;
  lastPageviewAt: number;
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
  #visitsStarted = 0;

  /** Visits begun since start (for /metrics). */
  get visitsStarted(): number {
    return this.#visitsStarted;
  }

  /** Sessions seen within the visit timeout, among those held in memory (at most visitCacheLimit; for /metrics). */
  activeSessions(now = Date.now()): number {
    let active = 0;
    for (const visit of this.#visits.values()) if (now - visit.lastSeen < visitTimeoutMs) active++;
    return active;
  }

  constructor(secret: string) {
    this.#secret = secret;
    this.#tokens = new SignedTokens(secret, 'x-umami-cache');
  }

  #sessionId(websiteId: string, ip: string, userAgent: string, now: number): string {
    const day = Math.floor(now / dayMs);
    if (day !== this.#saltDay) {
      this.#saltDay = day;
      const date = isoDay(day * dayMs);
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

  /**
   * Ids for one event; `cacheHeader` is the client's x-umami-cache value, ignored unless ours and
   * valid. Pageviews are counted into their visit. The count lives in this process: several
   * collectors behind a load balancer need it to route each client to one of them (sticky by IP).
   */
  idsFor(websiteId: string, ip: string, userAgent: string, cacheHeader: string | undefined, now: number, isPageview = true): VisitorIds {
    const token = cacheHeader ? this.#readToken(cacheHeader, websiteId, now) : null;
    const sessionId = token?.s ?? this.#sessionId(websiteId, ip, userAgent, now);
    let visit = this.#visits.get(sessionId);
    if (visit) this.#visits.delete(sessionId);
    // A visit carried over by a token (another collector, or a restart) had at least one pageview.
    if (!visit && token && now - token.t < visitTimeoutMs) {
      visit = { visitId: token.v, lastSeen: token.t, pageviews: 1, firstPageviewAt: token.t, lastPageviewAt: token.t };
    }
    if (!visit || now - visit.lastSeen >= visitTimeoutMs) {
      this.#visitsStarted++;
      visit = { visitId: randomUUID(), lastSeen: now, pageviews: 0, firstPageviewAt: now, lastPageviewAt: now };
    }
    visit.lastSeen = now;
    let pageview: VisitPageview = { index: 0, gapMs: 0, visitStart: visit.pageviews > 0 ? visit.firstPageviewAt : now };
    if (isPageview) {
      visit.pageviews += 1;
      if (visit.pageviews === 1) visit.firstPageviewAt = now;
      pageview = { index: visit.pageviews, gapMs: visit.pageviews > 1 ? Math.max(0, now - visit.lastPageviewAt) : 0, visitStart: visit.firstPageviewAt };
      visit.lastPageviewAt = now;
    }
    this.#visits.set(sessionId, visit);
    if (this.#visits.size > visitCacheLimit) this.#visits.delete(this.#visits.keys().next().value!);
    // The token carries time to the minute, so beacons of one visit within a minute share one
    // token and the signature is computed once.
    const minute = Math.floor(now / 60_000);
    if (visit.tokenMinute !== minute || !visit.token) {
      visit.token = this.#tokens.sign({ w: websiteId, s: sessionId, v: visit.visitId, t: minute * 60_000 });
      visit.tokenMinute = minute;
    }
    return { sessionId, visitId: visit.visitId, cache: visit.token, pageview };
  }

  #readToken(header: string, websiteId: string, now: number): { s: string; v: string; t: number } | null {
    const token = this.#tokens.read(header, 512);
    if (!token || token.w !== websiteId || typeof token.s !== 'string' || typeof token.v !== 'string') return null;
    if (typeof token.t !== 'number' || token.t > now) return null;
    // A session lasts one UTC day at most, like the salted hash it stands in for.
    const sameDay = isoDay(token.t) === isoDay(now);
    return sameDay ? { s: token.s, v: token.v, t: token.t } : null;
  }
}
