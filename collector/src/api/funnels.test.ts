import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';
import { funnelFigures, type FunnelStep } from './funnel-steps';

/**
 * Funnels: random visit sequences stored in the real engine, and /funnels/stats against the
 * visitors per step computed in plain code with Umami's rule (each step within the window of an
 * event that reached the one before).
 */
let collector: TestCollector;
let token: string;

beforeAll(async () => {
  collector = await startTestCollector();
  token = await collector.login();
});
afterAll(() => collector?.destroy());

const minute = 60_000;
const paths = ['/', '/pricing', '/signup', '/blog/a', '/blog/b'];
const event = fc.record({
  minute: fc.integer({ min: 0, max: 120 }),
  kind: fc.oneof(
    fc.constantFrom(...paths).map((path) => ({ path, name: '' })),
    fc.constant({ path: '/signup', name: 'signed-up' }),
  ),
});
const stepChoices: FunnelStep[] = [
  { type: 'path', value: '/' },
  { type: 'path', value: '/pricing' },
  { type: 'path', value: '/signup' },
  { type: 'path', value: '/blog*' },
  { type: 'event', value: 'signed-up' },
];

const matches = (step: FunnelStep, e: { path: string; name: string }) =>
  step.type === 'event' ? e.name === step.value : step.value.endsWith('*') ? e.path.startsWith(step.value.slice(0, -1)) : e.path === step.value;

/** Visitors per step, read plainly. */
function reference(visits: { minute: number; kind: { path: string; name: string } }[][], steps: FunnelStep[], windowMinutes: number): number[] {
  const reached = steps.map(() => 0);
  for (const visit of visits) {
    let times: number[] | null = null;
    steps.forEach((step, k) => {
      const candidates = visit.filter((e) => matches(step, e.kind)).map((e) => e.minute);
      times = k === 0 ? candidates : candidates.filter((t) => times!.some((x) => t >= x && t <= x + windowMinutes));
      if (times.length > 0) reached[k]! += 1;
    });
  }
  return reached;
}

describe('funnels', () => {
  it('count the visitors of each step as a plain reading of the rule does', { timeout: 120_000 }, async () => {
    const base = Date.now() - 3 * 3600_000;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(event, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.constantFrom(...stepChoices), { minLength: 2, maxLength: 4 }),
        fc.integer({ min: 1, max: 60 }),
        async (visits, steps, windowMinutes) => {
          const site = await collector.createWebsite(token, 'funnel');
          const rows = visits.flatMap((visit) => {
            const session = randomUUID();
            return visit.map((e) => ({
              website_id: site,
              session_id: session,
              visit_id: session,
              event_id: randomUUID(),
              created_at: base + e.minute * minute,
              event_type: e.kind.name ? 2 : 1,
              event_name: e.kind.name,
              url_path: e.kind.path,
            }));
          });
          await collector.db.insert({ table: 'website_event', values: rows, format: 'JSONEachRow' });
          const query = new URLSearchParams({
            startAt: String(base - minute),
            endAt: String(Date.now()),
            steps: JSON.stringify(steps),
            window: String(windowMinutes),
          });
          const response = await collector.request(`/api/websites/${site}/funnels/stats?${query}`, { token });
          expect(response.status).toBe(200);
          const answer = (await response.json()) as ReturnType<typeof funnelFigures>;
          expect(answer).toEqual(funnelFigures(steps, reference(visits, steps, windowMinutes)));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refuses malformed steps with 400 naming them', async () => {
    const site = await collector.createWebsite(token, 'funnel-bad');
    for (const steps of ['not json', '[]', '[{"type":"path","value":"/"}]', '[{"type":"page","value":"/"},{"type":"path","value":"/a"}]']) {
      const query = new URLSearchParams({ startAt: String(Date.now() - 86_400_000), endAt: String(Date.now()), steps, window: '30' });
      const response = await collector.request(`/api/websites/${site}/funnels/stats?${query}`, { token });
      expect(response.status, steps).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/steps|step 1/);
    }
  });
});
