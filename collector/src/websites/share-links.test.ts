import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTime, pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';

/** A share link reads one website's figures, nothing else, until the owner turns it off. */
let collector: TestCollector;
let token: string;
let shared: string;
let other: string;
beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '20' });
  token = await collector.login();
  shared = await collector.createWebsite(token, 'Shared');
  other = await collector.createWebsite(token, 'Private');
  expect((await collector.send(pageview(shared, '/'))).status).toBe(200);
  await collector.flush();
});
afterAll(() => collector?.destroy());

const withShare = (shareToken: string, path: string, init: { method?: string; json?: unknown } = {}) =>
  collector.request(path, { ...init, headers: { 'x-umami-share-token': shareToken } });

describe('share links', () => {
  it('read one website, read-only, until turned off', async () => {
    expect((await collector.request('/api/share/not-shared-yet', {})).status).toBe(404);
    const on = await collector.request(`/api/websites/${shared}`, { method: 'POST', token, json: { shareId: 'Abc123-share' } });
    expect(((await on.json()) as { shareId: string }).shareId).toBe('Abc123-share');
    const link = (await (await collector.request('/api/share/Abc123-share', {})).json()) as { websiteId: string; token: string };
    expect(link.websiteId).toBe(shared);

    for (const path of [
      `/api/websites/${shared}`,
      `/api/websites/${shared}/stats?${allTime}`,
      `/api/websites/${shared}/metrics?${allTime}&type=path`,
      `/api/realtime/${shared}`,
    ]) {
      expect([path, (await withShare(link.token, path)).status]).toEqual([path, 200]);
    }
    expect(((await (await withShare(link.token, `/api/websites/${shared}/stats?${allTime}`)).json()) as { pageviews: number }).pageviews).toBe(1);
    // Nothing else: another website, the account, the lists, any write.
    expect((await withShare(link.token, `/api/websites/${other}/stats?${allTime}`)).status).toBe(404);
    for (const path of ['/api/me', '/api/websites', '/api/teams', '/api/me/api-keys'])
      expect([path, (await withShare(link.token, path)).status]).toEqual([path, 401]);
    expect((await withShare(link.token, `/api/websites/${shared}`, { method: 'POST', json: { name: 'x' } })).status).toBe(401);
    expect((await withShare(link.token, `/api/websites/${shared}/reset`, { method: 'POST' })).status).toBe(401);
    expect((await withShare(`${link.token.slice(0, -3)}abc`, `/api/websites/${shared}/stats?${allTime}`)).status).toBe(401);

    // Off: the link and every token it gave stop at once.
    await collector.request(`/api/websites/${shared}`, { method: 'POST', token, json: { shareId: null } });
    expect((await collector.request('/api/share/Abc123-share', {})).status).toBe(404);
    expect((await withShare(link.token, `/api/websites/${shared}/stats?${allTime}`)).status).toBe(404);
  });
});
