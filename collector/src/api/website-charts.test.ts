import { randomUUID } from 'node:crypto';
import { UmamiClient } from '@umami/api-client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';
import { localDates } from './charts-route';

/** Several websites' trends from one /websites/charts call, against a plain reading of their events. */
let collector: TestCollector;
let token: string;

beforeAll(async () => {
  collector = await startTestCollector();
  token = await collector.login();
});
afterAll(() => collector?.destroy());

const hour = 3600_000;

describe('/api/websites/charts', () => {
  it("gives each website's visitors per local day and over the range, as a plain reading does", { timeout: 120_000 }, async () => {
    const end = Math.floor(Date.now() / hour) * hour;
    const startAt = end - 10 * 24 * hour;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ site: fc.nat({ max: 2 }), session: fc.nat({ max: 4 }), offset: fc.integer({ min: -48 * hour, max: 11 * 24 * hour }) }), {
          maxLength: 40,
        }),
        fc.constantFrom('UTC', 'America/New_York', 'Asia/Kathmandu', 'Australia/Adelaide'),
        async (events, timezone) => {
          const sites = [await collector.createWebsite(token, 'a'), await collector.createWebsite(token, 'b'), await collector.createWebsite(token, 'c')];
          const sessions = Array.from({ length: 5 }, () => randomUUID());
          const rows = events.map((e) => ({ website_id: sites[e.site]!, session_id: sessions[e.session]!, created_at: startAt + e.offset }));
          if (rows.length > 0) {
            await collector.db.insert({
              table: 'website_event',
              values: rows.map((r) => ({ ...r, visit_id: randomUUID(), event_id: randomUUID(), event_type: 1, url_path: '/' })),
              format: 'JSONEachRow',
            });
          }
          const endAt = end + hour - 1;
          const response = await collector.request(`/api/websites/charts?ids=${sites.join(',')}&startAt=${startAt}&endAt=${endAt}&timezone=${timezone}`, {
            token,
          });
          expect(response.status).toBe(200);
          const { data } = (await response.json()) as { data: Record<string, { total: number; values: number[] }> };
          const dates = localDates(startAt, endAt, timezone);
          const dayOf = (at: number) => new Intl.DateTimeFormat('en-CA', { timeZone: timezone }).format(at);
          for (const site of sites) {
            const inRange = rows.filter((r) => r.website_id === site && r.created_at >= startAt && r.created_at <= endAt);
            expect(data[site]!.total).toBe(new Set(inRange.map((r) => r.session_id)).size);
            expect(data[site]!.values).toEqual(dates.map((date) => new Set(inRange.filter((r) => dayOf(r.created_at) === date).map((r) => r.session_id)).size));
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it('leaves out websites the caller may not see, refuses bad ids, and answers the official client', async () => {
    const mine = await collector.createWebsite(token, 'mine');
    await collector.request('/api/users', {
      method: 'POST',
      token,
      json: { username: 'charts-other', password: 'a-long-password-1', role: 'user', mustChangePassword: false },
    });
    const other = await collector.login('charts-other', 'a-long-password-1');
    const theirs = await collector.createWebsite(other, 'theirs');
    const both = await collector.request(`/api/websites/charts?ids=${mine},${theirs}`, { token: other });
    expect(Object.keys(((await both.json()) as { data: object }).data)).toEqual([theirs]);
    for (const ids of ['not-a-uuid', Array.from({ length: 21 }, () => randomUUID()).join(',')]) {
      const refused = await collector.request(`/api/websites/charts?ids=${ids}`, { token });
      expect(refused.status).toBe(400);
    }
    const client = new UmamiClient({ baseUrl: `${collector.url}/api` }).withToken(token);
    const answer = (await client.getWebsitesCharts({ ids: mine })) as { data: Record<string, { values: number[] }> };
    expect(answer.data[mine]!.values).toHaveLength(localDates(Date.now() - 7 * 86_400_000, Date.now(), 'UTC').length);
  });
});
