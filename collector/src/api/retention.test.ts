import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';

/** Retention: random visitors over several weeks stored in the real engine, answers against a plain reading. */
let collector: TestCollector;
let token: string;

beforeAll(async () => {
  collector = await startTestCollector();
  token = await collector.login();
});
afterAll(() => collector?.destroy());

const dayMs = 86_400_000;
const base = Math.floor(Date.now() / dayMs) * dayMs - 70 * dayMs;

/** A visitor's days (offsets from `base`, with an hour), their country, and whether the site identifies them. */
const visitor = fc.record({
  visits: fc.array(fc.record({ day: fc.integer({ min: 0, max: 65 }), hour: fc.integer({ min: 0, max: 23 }), identified: fc.boolean() }), {
    minLength: 1,
    maxLength: 5,
  }),
  country: fc.constantFrom('DE', 'FR'),
  distinctId: fc.option(fc.constantFrom('ann', 'bob', 'cy', 'dee'), { nil: undefined }),
});
type Visitor = typeof visitor extends fc.Arbitrary<infer T> ? T : never;

interface Row {
  session_id: string;
  created_at: number;
  country: string;
}

/**
 * Each visit is a session of its own (session ids change every day) of three pageviews; a visitor
 * with a distinct id gives it (session_data) in the visits where `identified`.
 */
function rowsOf(visitors: Visitor[]): { events: Row[]; ties: { session_id: string; distinct_id: string }[] } {
  const events: Row[] = [];
  const ties: { session_id: string; distinct_id: string }[] = [];
  for (const v of visitors) {
    for (const visit of v.visits) {
      const session = randomUUID();
      if (v.distinctId !== undefined && visit.identified) ties.push({ session_id: session, distinct_id: v.distinctId });
      for (const i of [0, 1, 2]) {
        events.push({ session_id: session, created_at: base + visit.day * dayMs + visit.hour * 3600_000 + i * 60_000, country: v.country });
      }
    }
  }
  return { events, ties };
}

const localDay = (ms: number, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(ms);
const periodOf = (day: string, unit: 'day' | 'week' | 'month') => {
  const date = new Date(`${day}T00:00:00Z`);
  if (unit === 'month') return `${day.slice(0, 8)}01`;
  if (unit === 'week') return new Date(date.getTime() - ((date.getUTCDay() + 6) % 7) * dayMs).toISOString().slice(0, 10);
  return day;
};
const periodsBetween = (from: string, to: string, unit: 'day' | 'week' | 'month') =>
  unit === 'month'
    ? (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7))
    : Math.round((Date.parse(to) - Date.parse(from)) / dayMs / (unit === 'week' ? 7 : 1));

/** The retention grid read plainly from the rows (see retention-reads.ts for the definition). */
function reference({ events: rows, ties }: ReturnType<typeof rowsOf>, unit: 'day' | 'week' | 'month', timeZone: string, country?: string) {
  const identity = new Map(ties.map((tie) => [tie.session_id, tie.distinct_id]));
  const visitors = new Map<string, { cohort?: string; periods: Set<string> }>();
  for (const row of rows) {
    const who = identity.get(row.session_id) ?? row.session_id;
    const period = periodOf(localDay(row.created_at, timeZone), unit);
    const entry = visitors.get(who) ?? { periods: new Set<string>() };
    entry.periods.add(period);
    if ((country === undefined || row.country === country) && (entry.cohort === undefined || period < entry.cohort)) entry.cohort = period;
    visitors.set(who, entry);
  }
  const sizes = new Map<string, number>();
  const returns = new Map<string, number>();
  for (const { cohort, periods } of visitors.values()) {
    if (cohort === undefined) continue;
    sizes.set(cohort, (sizes.get(cohort) ?? 0) + 1);
    for (const period of periods) {
      const n = periodsBetween(cohort, period, unit);
      if (n >= 0 && n <= 31) returns.set(`${cohort}|${n}`, (returns.get(`${cohort}|${n}`) ?? 0) + 1);
    }
  }
  return [...returns]
    .map(([key, returnVisitors]) => {
      const [date, day] = key.split('|') as [string, string];
      const size = sizes.get(date)!;
      return { date, day: Number(day), visitors: size, returnVisitors, percentage: (returnVisitors * 100) / size };
    })
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.day - b.day));
}

describe('retention', () => {
  it('follows identified visitors across days, weeks and months, as a plain reading does', { timeout: 180_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(visitor, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('day' as const, 'week' as const, 'month' as const),
        fc.constantFrom('UTC', 'Etc/GMT+5', 'Asia/Tokyo'),
        fc.option(fc.constantFrom('DE', 'FR'), { nil: undefined }),
        async (visitors, unit, timezone, country) => {
          const site = await collector.createWebsite(token, 'retention');
          const rows = rowsOf(visitors);
          await collector.db.insert({
            table: 'website_event',
            values: rows.events.map((row) => ({ ...row, website_id: site, visit_id: row.session_id, event_id: randomUUID(), event_type: 1, url_path: '/' })),
            format: 'JSONEachRow',
          });
          const ties = rows.ties.map((tie) => ({ ...tie, website_id: site, data: '', created_at: base }));
          if (ties.length > 0) await collector.db.insert({ table: 'session_data', values: ties, format: 'JSONEachRow' });
          const query = new URLSearchParams({ startAt: String(base - dayMs), endAt: String(Date.now()), unit, timezone });
          if (country) query.set('country', country);
          const response = await collector.request(`/api/websites/${site}/retention?${query}`, { token });
          expect(response.status).toBe(200);
          const answer = (await response.json()) as ReturnType<typeof reference>;
          const expected = reference(rows, unit, timezone, country);
          expect(answer.map(({ percentage, ...rest }) => rest)).toEqual(expected.map(({ percentage, ...rest }) => rest));
          for (const [i, row] of answer.entries()) expect(row.percentage).toBeCloseTo(expected[i]!.percentage, 9);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refuses a time zone ClickHouse does not know and an unknown unit', async () => {
    const site = await collector.createWebsite(token, 'retention-refusals');
    const range = `startAt=${base}&endAt=${Date.now()}`;
    for (const extra of ['timezone=Mars/Olympus', 'unit=fortnight']) {
      const response = await collector.request(`/api/websites/${site}/retention?${range}&${extra}`, { token });
      expect(response.status).toBe(400);
      expect((await response.json()) as object).toHaveProperty('error');
    }
  });
});
