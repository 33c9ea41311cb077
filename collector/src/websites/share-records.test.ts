import { UmamiClient } from '@umami/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTime, pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';

/** Shares in Umami's current model, through @umami/api-client 0.81: several links per website, each reading that website only, ended at once. */
let collector: TestCollector;
let token: string;
let client: UmamiClient;

beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '60000' });
  token = await collector.login();
  client = new UmamiClient({ baseUrl: `${collector.url}/api` }).withToken(token);
});
afterAll(() => collector?.destroy());

const asShare = (shareToken: string, path: string) => collector.request(path, { headers: { 'x-umami-share-token': shareToken } });

describe('shares', () => {
  it('are made, listed, read, changed and deleted through the official client, and each link reads its website only', async () => {
    const site = await collector.createWebsite(token, 'shared');
    const other = await collector.createWebsite(token, 'not shared');
    await collector.send(pageview(site, '/'));
    await collector.flush();

    const first = (await client.createWebsiteShare({ websiteId: site, name: 'Team dashboard', parameters: { view: 'overview' } })) as any;
    expect(first).toMatchObject({ entityId: site, name: 'Team dashboard', shareType: 1, parameters: { view: 'overview' } });
    expect(first.slug).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const second = (await client.createShare({ entityId: site, name: 'Investors', parameters: {}, shareType: 1, slug: 'investors-2026' })) as any;
    expect(second.slug).toBe('investors-2026');
    const listed = (await client.getWebsiteShares({ websiteId: site })) as any;
    expect(listed.count).toBe(2);
    expect(listed.data.map((s: any) => s.name).sort()).toEqual(['Investors', 'Team dashboard']);
    expect(await client.getShare({ shareId: first.id })).toEqual(first);

    const link = (await client.getShareBySlug({ slug: 'investors-2026' })) as any;
    expect(link).toMatchObject({ websiteId: site, name: 'Investors' });
    expect((await asShare(link.token, `/api/websites/${site}/stats?${allTime}`)).status).toBe(200);
    expect(((await (await asShare(link.token, `/api/websites/${site}/stats?${allTime}`)).json()) as any).pageviews).toBe(1);
    expect((await asShare(link.token, `/api/websites/${other}/stats?${allTime}`)).status).toBe(404);
    // Read-only: nothing of the website changes with it.
    expect(
      (
        await collector.request(`/api/websites/${site}/annotations`, {
          method: 'POST',
          headers: { 'x-umami-share-token': link.token },
          json: { date: '2026-01-01', note: 'x' },
        })
      ).status,
    ).toBe(403);

    const renamed = (await client.updateShare({ shareId: second.id, name: 'Board', parameters: { a: 1 }, slug: 'board-2026' })) as any;
    expect(renamed).toMatchObject({ id: second.id, name: 'Board', slug: 'board-2026', parameters: { a: 1 } });
    // The old slug's token stops reading (within the one-second cache), the new slug works.
    await expect.poll(async () => (await asShare(link.token, `/api/websites/${site}/stats?${allTime}`)).status, { timeout: 5_000 }).toBe(404);
    expect((await collector.request('/api/share/investors-2026')).status).toBe(404);
    const moved = (await (await collector.request('/api/share/board-2026')).json()) as any;
    expect((await asShare(moved.token, `/api/websites/${site}/stats?${allTime}`)).status).toBe(200);

    await client.deleteShare({ shareId: second.id });
    await expect.poll(async () => (await asShare(moved.token, `/api/websites/${site}/stats?${allTime}`)).status, { timeout: 5_000 }).toBe(404);
    expect((await collector.request(`/api/share/id/${second.id}`, { token })).status).toBe(404);
    expect(((await client.getWebsiteShares({ websiteId: site })) as any).count).toBe(1);
  });

  it("keep a website's older share link working beside them, and refuse a taken slug, other share types and those who may not change the website", async () => {
    const site = await collector.createWebsite(token, 'legacy');
    expect((await collector.request(`/api/websites/${site}`, { method: 'POST', token, json: { shareId: 'legacy-link-1' } })).status).toBe(200);
    const legacy = (await (await collector.request('/api/share/legacy-link-1')).json()) as any;
    expect((await asShare(legacy.token, `/api/websites/${site}/stats?${allTime}`)).status).toBe(200);

    const post = (path: string, json: unknown, as = token) => collector.request(path, { method: 'POST', token: as, json });
    expect((await post(`/api/websites/${site}/shares`, { name: 'x', slug: 'legacy-link-1' })).status).toBe(409);
    expect((await post(`/api/websites/${site}/shares`, { name: 'x', slug: 'taken-slug-1' })).status).toBe(200);
    expect((await post(`/api/websites/${site}/shares`, { name: 'y', slug: 'taken-slug-1' })).status).toBe(409);
    expect((await post('/api/share', { entityId: site, name: 'board', parameters: {}, shareType: 4 })).status).toBe(400);
    expect((await post(`/api/websites/${site}/shares`, { name: 'x', slug: 'no' })).status).toBe(400);

    await collector.request('/api/users', {
      method: 'POST',
      token,
      json: { username: 'share-other', password: 'a-long-password-1', role: 'user', mustChangePassword: false },
    });
    const stranger = await collector.login('share-other', 'a-long-password-1');
    const made = (await (await post(`/api/websites/${site}/shares`, { name: 'z' })).json()) as any;
    expect((await collector.request(`/api/share/id/${made.id}`, { token: stranger })).status).toBe(404);
    expect((await collector.request(`/api/websites/${site}/shares`, { token: stranger })).status).toBe(404);
    expect((await post('/api/share', { entityId: site, name: 'mine', parameters: {}, shareType: 1 }, stranger)).status).toBe(404);
    expect((await collector.request(`/api/share/id/${made.id}`, { method: 'DELETE', token: stranger })).status).toBe(404);
  });
});
