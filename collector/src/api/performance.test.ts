import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromeUA, iphoneUA, pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';

/**
 * Web vitals end to end: `performance` beacons in Umami's current wire format through /api/send,
 * and /performance/stats|metrics|chart against percentiles computed in plain code.
 */
let collector: TestCollector;
let token: string;

beforeAll(async () => {
  collector = await startTestCollector({ BATCH_INTERVAL_MS: '60000', TRUST_PROXY: 'true' });
  token = await collector.login();
});
afterAll(() => collector?.destroy());

const vitals = ['lcp', 'inp', 'cls', 'fcp', 'ttfb'] as const;
type Vital = (typeof vitals)[number];

/** PostgreSQL's percentile_cont: linear interpolation between the ranks around p × (n − 1). */
function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const h = p * (sorted.length - 1);
  const low = Math.floor(h);
  return sorted[low]! + (h - low) * ((sorted[low + 1] ?? sorted[low]!) - sorted[low]!);
}
const reference = (values: number[]) => ({ p50: percentile(values, 0.5), p75: percentile(values, 0.75), p95: percentile(values, 0.95) });

/** Float32 storage and rounding: figures agree to a hundredth of a millisecond (CLS: a ten-thousandth). */
function expectClose(actual: { p50: number; p75: number; p95: number }, expected: { p50: number; p75: number; p95: number }, vital: Vital) {
  const tolerance = vital === 'cls' ? 2e-4 : 0.02;
  for (const key of ['p50', 'p75', 'p95'] as const)
    expect(Math.abs(actual[key] - expected[key]), `${vital} ${key}`).toBeLessThanOrEqual(tolerance * Math.max(1, expected[key] / 1000));
}

const day = 86_400_000;
const range = () => `startAt=${Date.now() - day}&endAt=${Date.now() + day}`;

const beacon = fc.record({
  path: fc.constantFrom('/', '/pricing', '/docs'),
  phone: fc.boolean(),
  lcp: fc.option(
    fc.integer({ min: 0, max: 80_000 }).map((n) => n / 10),
    { nil: undefined },
  ),
  inp: fc.option(
    fc.integer({ min: 0, max: 20_000 }).map((n) => n / 10),
    { nil: undefined },
  ),
  cls: fc.option(
    fc.integer({ min: 0, max: 5000 }).map((n) => n / 10_000),
    { nil: undefined },
  ),
  fcp: fc.option(
    fc.integer({ min: 0, max: 60_000 }).map((n) => n / 10),
    { nil: undefined },
  ),
  ttfb: fc.option(
    fc.integer({ min: 0, max: 30_000 }).map((n) => n / 10),
    { nil: undefined },
  ),
});

describe('web vitals', () => {
  it('stats, metrics by page and device, and the chart equal percentiles computed from the beacons', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(beacon, { minLength: 1, maxLength: 30 }), async (sent) => {
        const site = await collector.createWebsite(token, 'vitals');
        for (const b of sent) {
          const { path, phone, ...measured } = b;
          const body = { type: 'performance', payload: { ...pageview(site, `https://example.com${path}`).payload, ...measured, duration: 1234 } };
          const response = await collector.send(body, { 'user-agent': phone ? iphoneUA : chromeUA });
          expect(response.status).toBe(200);
        }
        await collector.flush();
        const stored = sent.filter((b) => vitals.some((v) => b[v] !== undefined));
        const of = (list: typeof sent, vital: Vital) => list.map((b) => b[vital]).filter((v): v is number => v !== undefined);

        const stats = (await (await collector.request(`/api/websites/${site}/performance/stats?${range()}`, { token })).json()) as any;
        expect(stats.count).toBe(stored.length);
        for (const vital of vitals) expectClose(stats[vital], reference(of(sent, vital)), vital);

        for (const vital of vitals) {
          const byPath = (await (
            await collector.request(`/api/websites/${site}/performance/metrics?${range()}&type=path&metric=${vital}`, { token })
          ).json()) as any[];
          const paths = [...new Set(sent.filter((b) => b[vital] !== undefined).map((b) => b.path))];
          expect(byPath.map((row) => row.name).sort()).toEqual(paths.sort());
          for (const row of byPath) {
            const values = of(
              sent.filter((b) => b.path === row.name),
              vital,
            );
            expect(row.count).toBe(values.length);
            expectClose(row, reference(values), vital);
          }
        }
        const byDevice = (await (
          await collector.request(`/api/websites/${site}/performance/metrics?${range()}&type=device&metric=lcp`, { token })
        ).json()) as any[];
        for (const row of byDevice) {
          expectClose(
            row,
            reference(
              of(
                sent.filter((b) => (row.name === 'mobile') === b.phone),
                'lcp',
              ),
            ),
            'lcp',
          );
        }

        const chart = (await (
          await collector.request(`/api/websites/${site}/performance/chart?${range()}&metric=ttfb&unit=day&timezone=UTC`, { token })
        ).json()) as any;
        const ttfb = of(sent, 'ttfb');
        expect(chart.chart.length).toBe(ttfb.length > 0 ? 1 : 0);
        if (ttfb.length > 0) expectClose(chart.chart[0], reference(ttfb), 'ttfb');

        const onePage = (await (await collector.request(`/api/websites/${site}/performance/stats?${range()}&path=eq./pricing`, { token })).json()) as any;
        expect(onePage.count).toBe(stored.filter((b) => b.path === '/pricing').length);
      }),
      { numRuns: 6 },
    );
  });

  it('keeps only the visits with a matching event for other filters, and refuses bad figures with 400', async () => {
    const site = await collector.createWebsite(token, 'vitals-filter');
    const visitor = (ip: string) => ({ 'x-forwarded-for': ip, 'user-agent': chromeUA });
    await collector.send({ type: 'event', payload: { ...pageview(site, '/').payload, name: 'signup' } }, visitor('192.0.2.1'));
    await collector.send({ type: 'performance', payload: { ...pageview(site, '/').payload, lcp: 100 } }, visitor('192.0.2.1'));
    await collector.send({ type: 'performance', payload: { ...pageview(site, '/').payload, lcp: 900 } }, visitor('192.0.2.2'));
    await collector.flush();
    const all = (await (await collector.request(`/api/websites/${site}/performance/stats?${range()}`, { token })).json()) as any;
    expect(all.count).toBe(2);
    const signedUp = (await (await collector.request(`/api/websites/${site}/performance/stats?${range()}&event=eq.signup`, { token })).json()) as any;
    expect([signedUp.count, signedUp.lcp.p50]).toEqual([1, 100]);

    for (const bad of [{ lcp: -1 }, { cls: 'high' }, { inp: 1e12 }]) {
      const response = await collector.send({ type: 'performance', payload: { ...pageview(site, '/').payload, ...bad } });
      expect(response.status).toBe(400);
    }
  });
});

describe("Umami's current tracker on the wire", () => {
  it('may send the website and hostname as headers, with any origin, credentials and its headers allowed by the preflight', async () => {
    const site = await collector.createWebsite(token, 'headers');
    const preflight = await collector.request('/api/send', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-umami-cache,x-umami-website-id,x-umami-hostname,x-umami-plugin',
      },
    });
    expect(preflight.status).toBe(204);
    const allowed = preflight.headers.get('access-control-allow-headers')!.split(', ');
    for (const header of ['content-type', 'x-umami-cache', 'x-umami-website-id', 'x-umami-hostname', 'x-umami-plugin']) expect(allowed).toContain(header);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');

    const { website: _left, hostname: _out, ...payload } = pageview(site, '/from-headers').payload;
    const sent = await collector.send(
      { type: 'event', payload: { ...payload, tag: 'b', id: 'user-42' } },
      { origin: 'https://shop.example', 'x-umami-website-id': site, 'x-umami-hostname': 'shop.example' },
    );
    expect(sent.status).toBe(200);
    expect(sent.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    await collector.flush();
    const result = await collector.db.query({
      query: 'SELECT hostname, url_path, tag FROM website_event WHERE website_id = {site:UUID}',
      query_params: { site },
      format: 'JSONEachRow',
    });
    expect(await result.json()).toEqual([{ hostname: 'shop.example', url_path: '/from-headers', tag: 'b' }]);
    const without = await collector.send({ type: 'event', payload });
    expect([without.status, ((await without.json()) as any).error.code]).toEqual([400, 'invalid-website']);
  });
});
