import { randomUUID } from 'node:crypto';
import { UmamiClient } from '@umami/api-client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';
import { hostileText } from '../../../test-support/hostile-strings';

/** Annotations: saved, listed by date range and text as a plain filter lists them, and changed only by those who may. */
let collector: TestCollector;
let token: string;
let client: UmamiClient;

beforeAll(async () => {
  collector = await startTestCollector();
  token = await collector.login();
  client = new UmamiClient({ baseUrl: `${collector.url}/api` }).withToken(token);
});
afterAll(() => collector?.destroy());

const api = (path: string, init: { method?: string; json?: unknown; token?: string } = {}) => collector.call(path, { token, ...init });

describe('annotations', () => {
  it('are created, read, changed and deleted through @umami/api-client 0.81', async () => {
    const site = await collector.createWebsite(token, 'annotated');
    const created = (await client.createWebsiteAnnotation({ websiteId: site, date: '2026-11-02', note: 'Launched v2', allDay: true })) as any;
    expect(created).toMatchObject({ websiteId: site, date: '2026-11-02T00:00:00.000Z', note: 'Launched v2', allDay: true });
    expect(await client.getWebsiteAnnotation({ websiteId: site, annotationId: created.id })).toEqual(created);
    const updated = (await client.updateWebsiteAnnotation({
      websiteId: site,
      annotationId: created.id,
      date: '2026-11-02T09:30:00+01:00',
      note: 'Launched v2.1',
    })) as any;
    expect(updated).toMatchObject({ id: created.id, date: '2026-11-02T08:30:00.000Z', note: 'Launched v2.1', allDay: false });
    expect(((await client.getWebsiteAnnotations({ websiteId: site })) as any).data).toEqual([updated]);
    await client.deleteWebsiteAnnotation({ websiteId: site, annotationId: created.id });
    expect((await api(`/api/websites/${site}/annotations/${created.id}`)).status).toBe(404);
    expect((await client.getWebsiteAnnotations({ websiteId: site })) as any).toMatchObject({ count: 0, data: [] });
  });

  it('are listed as a plain filter lists them: in the range, containing the search, newest first, a page at a time', { timeout: 120_000 }, async () => {
    const base = Date.UTC(2026, 0, 1);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ day: fc.integer({ min: 0, max: 60 }), note: fc.constantFrom('release', 'Newsletter', 'outage', 'release notes') }), {
          minLength: 0,
          maxLength: 12,
        }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 30 }),
        fc.constantFrom('', 'release', 'NEWS'),
        fc.integer({ min: 1, max: 5 }),
        async (notes, from, length, search, pageSize) => {
          const site = await collector.createWebsite(token, 'annotation-list');
          const saved = [];
          for (const { day, note } of notes) {
            const answer = await api(`/api/websites/${site}/annotations`, {
              method: 'POST',
              json: { date: new Date(base + day * 86_400_000).toISOString(), note },
            });
            expect(answer.status).toBe(200);
            saved.push(answer.body);
          }
          const startAt = base + from * 86_400_000;
          const endAt = startAt + length * 86_400_000;
          const expected = saved
            .filter((a) => Date.parse(a.date) >= startAt && Date.parse(a.date) <= endAt && a.note.toLowerCase().includes(search.toLowerCase()))
            .sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : a.id < b.id ? -1 : 1));
          const query = `startAt=${startAt}&endAt=${endAt}&search=${search}&pageSize=${pageSize}`;
          const first = await api(`/api/websites/${site}/annotations?${query}&page=1`);
          const second = await api(`/api/websites/${site}/annotations?${query}&page=2`);
          expect(first.body.count).toBe(expected.length);
          expect([...first.body.data, ...second.body.data]).toEqual(expected.slice(0, 2 * pageSize));
        },
      ),
      { numRuns: 15 },
    );
  });

  it('refuse bad dates and notes with a 400 naming them, never fail on hostile text, and are changed only by those who may change the website', async () => {
    const site = await collector.createWebsite(token, 'annotation-refusals');
    for (const [json, message] of [
      [{ date: 'yesterday', note: 'x' }, /date/],
      [{ date: '2026-13-45', note: 'x' }, /date/],
      [{ date: '1969-12-31', note: 'x' }, /date/],
      [{ date: '2026-01-01', note: '' }, /note/],
      [{ date: '2026-01-01', note: 'x'.repeat(1001) }, /note/],
    ] as const) {
      const answer = await api(`/api/websites/${site}/annotations`, { method: 'POST', json });
      expect(answer.status, JSON.stringify(json)).toBe(400);
      expect(answer.body.error.message).toMatch(message);
    }
    await fc.assert(
      fc.asyncProperty(hostileText(), async (note) => {
        const answer = await api(`/api/websites/${site}/annotations`, { method: 'POST', json: { date: '2026-01-01', note } });
        expect([200, 400]).toContain(answer.status);
        if (answer.status === 200) expect((await api(`/api/websites/${site}/annotations/${answer.body.id}`)).body.note).toBe(answer.body.note);
      }),
      { numRuns: 30 },
    );
    await api('/api/users', {
      method: 'POST',
      json: { username: 'annotation-viewer', password: 'a-long-password-1', role: 'view-only', mustChangePassword: false },
    });
    const viewer = await collector.login('annotation-viewer', 'a-long-password-1');
    // Another user's website is not there at all; a view-only user changes nothing anywhere (403).
    expect((await api(`/api/websites/${site}/annotations`, { token: viewer })).status).toBe(404);
    expect((await api(`/api/websites/${site}/annotations`, { method: 'POST', token: viewer, json: { date: '2026-01-01', note: 'x' } })).status).toBe(403);
    expect((await api(`/api/websites/${site}/annotations/${randomUUID()}`)).status).toBe(404);
  });
});
