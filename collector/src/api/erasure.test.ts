import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTime, chromeUA, pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';
import { VisitRollups } from '../storage/visit-rollups';

/**
 * Erasing one visitor (DELETE …/sessions/:sessionId): gone from every answer at once, whole days
 * from the rollups included, and every other visitor's figures as a plain reading of the remaining
 * rows gives them.
 */
let collector: TestCollector;
let token: string;

beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '60000', TRUST_PROXY: 'true' });
  token = await collector.login();
});
afterAll(() => collector?.destroy());

const day = 86_400_000;
const today = Math.floor(Date.now() / day) * day;

const api = (path: string, method = 'GET') => collector.call(path, { token, method });

interface Row {
  session_id: string;
  visit_id: string;
  created_at: number;
  event_type: number;
  event_name: string;
  url_path: string;
  event_data: string;
  visit_pageview: number;
  visit_gap_ms: number;
  visit_start: number;
}

const visitArb = fc.record({
  session: fc.nat({ max: 4 }),
  daysAgo: fc.integer({ min: 1, max: 4 }),
  minute: fc.integer({ min: 60, max: 1200 }),
  steps: fc.array(fc.record({ path: fc.constantFrom('/', '/a', '/b'), event: fc.constantFrom('', '', 'buy') }), { minLength: 1, maxLength: 4 }),
});

function rowsOf(sessions: string[], visits: (typeof visitArb extends fc.Arbitrary<infer T> ? T : never)[]): Row[] {
  return visits.flatMap((visit) => {
    const visitId = randomUUID();
    const start = today - visit.daysAgo * day + visit.minute * 60_000;
    let pageviews = 0;
    let last = start;
    return [{ path: visit.steps[0]!.path, event: '' }, ...visit.steps].map((step, i) => {
      const at = start + i * 20_000;
      const isPageview = step.event === '';
      if (isPageview) pageviews += 1;
      const row = {
        session_id: sessions[visit.session]!,
        visit_id: visitId,
        created_at: at,
        event_type: isPageview ? 1 : 2,
        event_name: step.event,
        url_path: step.path,
        event_data: isPageview ? '' : JSON.stringify({ amount: 1 + (i % 2) }),
        visit_pageview: isPageview ? pageviews : 0,
        visit_gap_ms: isPageview && pageviews > 1 ? at - last : 0,
        visit_start: start,
      };
      if (isPageview) last = at;
      return row;
    });
  });
}

describe('erasing one visitor', () => {
  it('removes them from every answer, rollups included, and leaves every other figure as a plain reading gives it', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(visitArb, { minLength: 1, maxLength: 10 }), fc.nat({ max: 4 }), async (visits, chosen) => {
        const site = await collector.createWebsite(token, 'erasure');
        const sessions = Array.from({ length: 5 }, () => randomUUID());
        const rows = rowsOf(sessions, visits);
        await collector.db.insert({
          table: 'website_event',
          values: rows.map((r) => ({ ...r, website_id: site, event_id: randomUUID() })),
          format: 'JSONEachRow',
        });
        await collector.db.insert({
          table: 'session_data',
          values: sessions.map((session_id) => ({ website_id: site, session_id, distinct_id: '', data: '{"plan":"pro"}', created_at: today - day })),
          format: 'JSONEachRow',
        });
        await new VisitRollups(collector.db).runOnce({ settleMs: 0 });
        const erased = sessions[chosen]!;
        const answer = await api(`/api/websites/${site}/sessions/${erased}`, 'DELETE');
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({ ok: true });

        const kept = rows.filter((r) => r.session_id !== erased);
        const pageviews = kept.filter((r) => r.event_type === 1);
        // Whole days: the rollups answer these.
        const range = `startAt=${today - 6 * day}&endAt=${today - 1}`;
        const stats = await api(`/api/websites/${site}/stats?${range}`);
        expect(stats.body).toMatchObject({
          pageviews: pageviews.length,
          visitors: new Set(pageviews.map((r) => r.session_id)).size,
          visits: new Set(pageviews.map((r) => r.visit_id)).size,
        });
        const byPath = new Map<string, Set<string>>();
        for (const r of pageviews) byPath.set(r.url_path, (byPath.get(r.url_path) ?? new Set()).add(r.session_id));
        const metric = await api(`/api/websites/${site}/metrics?${range}&type=path`);
        expect(new Map(metric.body.map((p: any) => [p.x, p.y]))).toEqual(new Map([...byPath].map(([path, who]) => [path, who.size])));
        const series = await api(`/api/websites/${site}/pageviews?${range}&unit=day&timezone=UTC`);
        expect(series.body.pageviews.reduce((n: number, p: any) => n + p.y, 0)).toBe(pageviews.length);
        const data = await api(`/api/websites/${site}/event-data/events?${range}`);
        expect(data.body.reduce((n: number, p: any) => n + p.total, 0)).toBe(kept.filter((r) => r.event_type === 2).length);
        const custom = kept.filter((r) => r.event_type === 2);
        const eventStats = await api(`/api/websites/${site}/events/stats?${range}`);
        expect(eventStats.body.data).toMatchObject({
          events: custom.length,
          visitors: new Set(custom.map((r) => r.session_id)).size,
          visits: new Set(custom.map((r) => r.visit_id)).size,
          uniqueEvents: new Set(custom.map((r) => r.event_name)).size,
        });
        const expanded = await api(`/api/websites/${site}/metrics/expanded?${range}&type=path`);
        expect(new Map(expanded.body.map((p: any) => [p.name, p.visitors]))).toEqual(new Map([...byPath].map(([path, who]) => [path, who.size])));
        expect(expanded.body.reduce((n: number, p: any) => n + p.pageviews, 0)).toBe(pageviews.length);
        const exits = await api(`/api/websites/${site}/metrics?${range}&type=exit`);
        expect(exits.body.reduce((n: number, p: any) => n + p.y, 0)).toBeLessThanOrEqual(new Set(pageviews.map((r) => r.session_id)).size * 3);
        const exitVisitors = new Set<string>();
        for (const p of exits.body) exitVisitors.add(p.x);
        const lastPages = new Map<string, Row>();
        for (const r of pageviews) if ((lastPages.get(r.visit_id)?.created_at ?? -1) < r.created_at) lastPages.set(r.visit_id, r);
        expect(exitVisitors).toEqual(new Set([...lastPages.values()].map((r) => r.url_path)));
        const listed = await api(`/api/websites/${site}/sessions?${range}&pageSize=50`);
        expect(listed.body.data.map((s: any) => s.id).sort()).toEqual([...new Set(kept.map((r) => r.session_id))].sort());
        expect((await api(`/api/websites/${site}/sessions/${erased}`)).status).toBe(404);
        expect((await api(`/api/websites/${site}/sessions/${erased}/properties`)).body).toEqual([]);
        expect((await api(`/api/websites/${site}/sessions/${erased}`, 'DELETE')).status).toBe(404);
      }),
      { numRuns: 12 },
    );
  });

  it('erases what the visitor sent moments before (still in the spool), and only changes what one may change', { timeout: 60_000 }, async () => {
    const site = await collector.createWebsite(token, 'erasure-spool');
    const send = (ip: string, path: string) => collector.send(pageview(site, path), { 'x-forwarded-for': ip, 'user-agent': chromeUA });
    const first = (await (await send('192.0.2.40', '/secret')).json()) as { sessionId: string };
    await send('192.0.2.41', '/public');
    // Not flushed: the erasure inserts what is spooled first, then deletes it.
    expect((await api(`/api/websites/${site}/sessions/${first.sessionId}`, 'DELETE')).status).toBe(200);
    await collector.flush();
    const paths = await api(`/api/websites/${site}/metrics?${allTime}&type=path`);
    expect(paths.body).toEqual([{ x: '/public', y: 1 }]);

    await collector.request('/api/users', {
      method: 'POST',
      token,
      json: { username: 'erasure-viewer', password: 'a-long-password-1', role: 'view-only', mustChangePassword: false },
    });
    const viewer = await collector.login('erasure-viewer', 'a-long-password-1');
    const other = (await (await send('192.0.2.42', '/x')).json()) as { sessionId: string };
    const refused = await collector.request(`/api/websites/${site}/sessions/${other.sessionId}`, { method: 'DELETE', token: viewer });
    expect(refused.status).toBe(403);
    expect((await api(`/api/websites/${site}/sessions/${randomUUID()}`, 'DELETE')).status).toBe(404);
  });
});
