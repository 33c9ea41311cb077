import { describe, expect, it } from 'vitest';
import { visitTimeoutMs, VisitorIdentifier } from './visitors';

const site = '11111111-1111-4111-8111-111111111111';
const other = '22222222-2222-4222-8222-222222222222';
const ua = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const t0 = Date.UTC(2026, 10, 25, 12, 0, 0);

describe('VisitorIdentifier', () => {
  it('keeps a visit while events come less than 30 minutes apart, and numbers its pageviews', () => {
    const ids = new VisitorIdentifier('a-secret-of-at-least-thirty-two-characters');
    const first = ids.idsFor(site, '192.0.2.1', ua, undefined, t0, true);
    const event = ids.idsFor(site, '192.0.2.1', ua, undefined, t0 + 10_000, false);
    const second = ids.idsFor(site, '192.0.2.1', ua, undefined, t0 + 60_000, true);
    const late = ids.idsFor(site, '192.0.2.1', ua, undefined, t0 + 60_000 + visitTimeoutMs, true);
    expect(event.visitId).toBe(first.visitId);
    expect(second.visitId).toBe(first.visitId);
    expect(late.visitId).not.toBe(first.visitId);
    expect(late.sessionId).toBe(first.sessionId);
    expect([first, event, second, late].map((v) => v.pageview)).toEqual([
      { index: 1, gapMs: 0, visitStart: t0 },
      { index: 0, gapMs: 0, visitStart: t0 },
      { index: 2, gapMs: 60_000, visitStart: t0 },
      { index: 1, gapMs: 0, visitStart: t0 + 60_000 + visitTimeoutMs },
    ]);
  });

  it('gives another session to another browser, address or website, and a new one the next UTC day', () => {
    const ids = new VisitorIdentifier('a-secret-of-at-least-thirty-two-characters');
    const base = ids.idsFor(site, '192.0.2.1', ua, undefined, t0).sessionId;
    expect(ids.idsFor(site, '192.0.2.2', ua, undefined, t0).sessionId).not.toBe(base);
    expect(ids.idsFor(site, '192.0.2.1', ua + ' x', undefined, t0).sessionId).not.toBe(base);
    expect(ids.idsFor(other, '192.0.2.1', ua, undefined, t0).sessionId).not.toBe(base);
    expect(ids.idsFor(site, '192.0.2.1', ua, undefined, t0 + 12 * 3600_000).sessionId).not.toBe(base);
    // The same inputs always give the same id: it is a keyed hash, not random.
    const again = new VisitorIdentifier('a-secret-of-at-least-thirty-two-characters');
    expect(again.idsFor(site, '192.0.2.1', ua, undefined, t0).sessionId).toBe(base);
  });

  it('continues a visit from a token issued by another collector, ignoring tokens for other websites', () => {
    const a = new VisitorIdentifier('a-secret-of-at-least-thirty-two-characters');
    const b = new VisitorIdentifier('a-secret-of-at-least-thirty-two-characters');
    const first = a.idsFor(site, '192.0.2.1', ua, undefined, t0);
    const carried = b.idsFor(site, '198.51.100.9', ua, first.cache, t0 + 120_000);
    expect(carried).toMatchObject({ sessionId: first.sessionId, visitId: first.visitId });
    expect(carried.pageview.index).toBe(2);
    expect(b.idsFor(other, '198.51.100.9', ua, first.cache, t0 + 120_000).sessionId).not.toBe(first.sessionId);
  });
});
