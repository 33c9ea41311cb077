import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTime, pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';
import { hostileText } from '../../../test-support/hostile-strings';

let collector: TestCollector;
let token: string;

beforeAll(async () => {
  collector = await startTestCollector({ TRUST_PROXY: 'true', BATCH_INTERVAL_MS: '60000' });
  token = await collector.login();
});
afterAll(() => collector?.destroy());

const botUA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const day = 86_400_000;
const today = `startAt=${Date.now() - day}&endAt=${Date.now() + day}`;

async function json(path: string, init: { method?: string; json?: unknown } = {}): Promise<{ status: number; body: any }> {
  const response = await collector.request(path, { ...init, token });
  return { status: response.status, body: await response.json() };
}

const setRules = (site: string, rules: Record<string, unknown>) => json(`/api/websites/${site}/ingest-rules`, { method: 'POST', json: rules });

interface Beacon {
  host: string;
  ip: string;
  path: string;
  referrer: string;
  bot: boolean;
}

/** What the rules below keep, read plainly: the reference the collector's answers must equal. */
function expectedDrop(b: Beacon): string | null {
  if (b.bot) return 'bot';
  if (b.ip.startsWith('203.0.113.') || b.ip === '198.51.100.9') return 'ip';
  const host = b.host.replace(/^www\./, '');
  if (host !== 'blog.example' && !host.endsWith('.blog.example') && host !== 'shop.example') return 'hostname';
  if (b.path === '/admin' || b.path.startsWith('/preview/')) return 'path';
  if (/(^|\.)semalt\.com$/.test(new URL(b.referrer || 'https://none.invalid').hostname.replace(/^www\./, ''))) return 'referrer-spam';
  return null;
}

const rules = {
  hostnames: ['blog.example', 'shop.example'],
  includeSubdomains: true,
  excludedIps: ['203.0.113.0/24', '198.51.100.9'],
  excludedPaths: ['/admin', '/preview/**'],
};

const beacons = fc.record({
  host: fc.constantFrom('blog.example', 'www.blog.example', 'fr.blog.example', 'shop.example', 'evil-mirror.example', 'blog.example.evil', 'localhost'),
  ip: fc.constantFrom('192.0.2.1', '192.0.2.2', '203.0.113.40', '198.51.100.9', '198.51.100.10'),
  path: fc.constantFrom('/', '/pricing', '/admin', '/admin/users', '/preview/draft/1', '/previews'),
  referrer: fc.constantFrom('', 'https://www.google.com/', 'https://semalt.com/x', 'https://best.semalt.com/', 'https://semalt.com.example/'),
  bot: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
});

describe("a website's counting rules", () => {
  it('keep exactly the beacons a plain reading of them keeps, and count every other one by its reason', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(beacons, { minLength: 1, maxLength: 40 }), async (sent) => {
        const site = await collector.createWebsite(token, 'rules');
        expect((await setRules(site, rules)).status).toBe(200);
        for (const b of sent) {
          const response = await collector.send(pageview(site, `https://${b.host}${b.path}`, { hostname: b.host, referrer: b.referrer }), {
            'x-forwarded-for': b.ip,
            ...(b.bot ? { 'user-agent': botUA } : {}),
          });
          expect(response.status).toBe(200);
          const answer = (await response.json()) as { dropped?: string; beep?: string };
          const expected = expectedDrop(b);
          expect(answer.dropped ?? (answer.beep ? 'bot' : null)).toBe(expected);
        }
        await collector.flush();

        const kept = sent.filter((b) => expectedDrop(b) === null);
        const stats = await json(`/api/websites/${site}/stats?${allTime}`);
        expect(stats.body.pageviews).toBe(kept.length);
        // The path metric counts visitors: one session per IP here (every kept beacon has the same User-Agent).
        const ipsByPath = new Map<string, Set<string>>();
        for (const b of kept) ipsByPath.set(b.path, (ipsByPath.get(b.path) ?? new Set()).add(b.ip));
        const byPath = new Map([...ipsByPath].map(([path, ips]) => [path, ips.size]));
        const metrics = await json(`/api/websites/${site}/metrics?${allTime}&type=path`);
        expect(new Map(metrics.body.map((m: { x: string; y: number }) => [m.x, m.y]))).toEqual(byPath);

        const reasons = new Map<string, number>();
        for (const b of sent) {
          const reason = expectedDrop(b);
          if (reason) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        }
        const dropped = await json(`/api/websites/${site}/dropped?${today}`);
        expect(dropped.status).toBe(200);
        expect(new Map(dropped.body.data.map((d: { reason: string; count: number }) => [d.reason, d.count]))).toEqual(reasons);
        expect(dropped.body.total).toBe(sent.length - kept.length);
      }),
      {
        numRuns: 6,
        examples: [
          [
            [
              { host: 'blog.example', ip: '192.0.2.2', path: '/previews', referrer: '', bot: false },
              { host: 'blog.example', ip: '192.0.2.2', path: '/previews', referrer: '', bot: false },
            ],
          ],
        ],
      },
    );
  });

  it('start as: every hostname, no exclusions, referrer spam dropped; and a beacon claiming another domain counts until hostnames are set', async () => {
    const site = await collector.createWebsite(token, 'defaults');
    const initial = await json(`/api/websites/${site}/ingest-rules`);
    expect(initial.body).toMatchObject({
      hostnames: [],
      includeSubdomains: false,
      excludedIps: [],
      excludedPaths: [],
      blockReferrerSpam: true,
      updatedAt: null,
    });
    expect(initial.body.referrerSpamList.domains).toBeGreaterThan(2000);
    const mirror = () => collector.send(pageview(site, 'https://evil-mirror.example/', { hostname: 'evil-mirror.example' }));
    expect(await (await mirror()).json()).not.toHaveProperty('dropped');
    expect((await setRules(site, { hostnames: ['example.com'] })).body).toMatchObject({ hostnames: ['example.com'], blockReferrerSpam: true });
    expect(await (await mirror()).json()).toMatchObject({ dropped: 'hostname' });
    // Turning the spam list off keeps the other rules (a change names only what it changes).
    expect((await setRules(site, { blockReferrerSpam: false })).body).toMatchObject({ hostnames: ['example.com'], blockReferrerSpam: false });
    const spam = await collector.send(pageview(site, 'https://example.com/', { referrer: 'https://semalt.com/' }));
    expect(await spam.json()).not.toHaveProperty('dropped');
  });

  it('refuse what is not valid with a 400 that names it, and never fail on hostile text', async () => {
    const site = await collector.createWebsite(token, 'invalid');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ excludedIps: ['10.0.0.0/33'] }, /prefix length must be 0 to 32/],
      [{ excludedIps: ['10.0.0'] }, /not an IP address/],
      [{ excludedPaths: ['admin'] }, /must start with \//],
      [{ hostnames: ['https://example.com/'] }, /not a hostname/],
      [{ hostnames: Array.from({ length: 51 }, (_, i) => `h${i}.example`) }, /50/],
      [{ includeSubdomains: 'yes' }, /includeSubdomains/],
    ];
    for (const [body, message] of cases) {
      const answer = await setRules(site, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.message).toMatch(message);
    }
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('hostnames', 'excludedIps', 'excludedPaths'), fc.array(hostileText(), { maxLength: 3 }), async (field, values) => {
        const answer = await setRules(site, { [field]: values });
        expect([200, 400]).toContain(answer.status);
        // Whatever was stored, beacons still go through it.
        const beacon = await collector.send(pageview(site, '/'));
        expect(beacon.status).toBe(200);
      }),
      { numRuns: 40 },
    );
  });

  it('are read and changed only by those who may change the website, and survive a restart', { timeout: 90_000 }, async () => {
    const site = await collector.createWebsite(token, 'access');
    await setRules(site, { excludedPaths: ['/secret/**'] });
    const created = await json('/api/users', {
      method: 'POST',
      json: { username: 'rules-viewer', password: 'a-long-password-1', role: 'user', mustChangePassword: false },
    });
    expect(created.status).toBe(200);
    const other = await collector.login('rules-viewer', 'a-long-password-1');
    for (const path of [`/api/websites/${site}/ingest-rules`, `/api/websites/${site}/dropped?${today}`]) {
      expect((await collector.request(path, { token: other })).status).toBe(404);
    }
    const refused = await collector.request(`/api/websites/${site}/ingest-rules`, { method: 'POST', token: other, json: { excludedPaths: [] } });
    expect(refused.status).toBe(404);

    await collector.send(pageview(site, '/secret/plan'));
    await collector.flush();
    const { dataDir } = collector;
    await collector.stopKeepingData();
    collector = await startTestCollector({ TRUST_PROXY: 'true', BATCH_INTERVAL_MS: '60000' }, { dataDir });
    token = await collector.login();
    expect((await json(`/api/websites/${site}/ingest-rules`)).body.excludedPaths).toEqual(['/secret/**']);
    expect(await (await collector.send(pageview(site, '/secret/other'))).json()).toMatchObject({ dropped: 'path' });
    await collector.flush();
    expect((await json(`/api/websites/${site}/dropped?${today}`)).body).toEqual({ total: 2, data: [{ reason: 'path', count: 2 }] });
  });
});
