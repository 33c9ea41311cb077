import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endOfMinute, filterNames, rangeBounds, ranges, readQuery, readRoute, routeHash, tabGroups, type RangeName, type Route } from './state';

/** The dashboard's state is its URL (state.ts): what a hash says, it says again after a round trip. */
const uuid = fc.uuid();
const text = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' });
const isoDay = fc
  .date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(Date.UTC(2099, 11, 31)), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const view = fc
  .record({
    range: fc.constantFrom(...(Object.keys(ranges) as RangeName[])),
    days: fc.tuple(isoDay, isoDay).map(([a, b]) => (a <= b ? [a, b] : [b, a])),
    compare: fc.boolean(),
    filters: fc.dictionary(fc.constantFrom(...filterNames), text, { maxKeys: 4 }),
    tabs: fc.dictionary(fc.constantFrom(...tabGroups), text, { maxKeys: 2 }),
  })
  .map(({ range, days: [start, end], ...rest }) => ({ range, ...(range === 'custom' ? { start, end } : {}), ...rest }));
const viewPage = fc.oneof(
  fc.record({ page: fc.constant('overview' as const), websiteId: uuid }),
  fc.record({ page: fc.constant('share' as const), shareId: fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/) }),
  fc.record({ page: fc.constant('visitors' as const), websiteId: uuid, sessionId: fc.option(uuid, { nil: undefined }) }),
);

describe('the URL state', () => {
  it('reads back every overview, share and visitors view it writes: range, custom days, comparison, filters and tabs', () => {
    fc.assert(
      fc.property(viewPage, view, (page, state) => {
        const route = { ...page, ...state } as Route;
        if (route.sessionId === undefined) delete route.sessionId;
        expect(readRoute(routeHash(route))).toEqual(route);
      }),
    );
  });

  it('reads every hash, however odd, as a page it can show: a known page and range, a custom range only with two ordered days', () => {
    const pages = ['websites', 'overview', 'share', 'rules', 'reports', 'visitors', 'forgot', 'reset', 'signup', 'account', 'teams', 'users'];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `#/websites/${s}`),
          fc.string().map((s) => `#/websites/00000000-0000-4000-8000-000000000000?${s}`),
          // Custom days in either order, or not days at all.
          fc
            .tuple(fc.oneof(isoDay, fc.string()), fc.oneof(isoDay, fc.string()))
            .map(([start, end]) => `#/websites/00000000-0000-4000-8000-000000000000?range=custom&start=${start}&end=${end}`),
        ),
        (hash) => {
          const route = readRoute(hash);
          expect(pages).toContain(route.page);
          expect(Object.keys(ranges)).toContain(route.range);
          if (route.range === 'custom') expect(route.start! <= route.end!).toBe(true);
          for (const name of Object.keys(route.filters)) expect(filterNames).toContain(name);
        },
      ),
    );
  });

  it("asks the read API for the view's bounds and every filter, exactly", () => {
    fc.assert(
      fc.property(uuid, view, (websiteId, state) => {
        const route = { page: 'overview', websiteId, ...state } as Route;
        const bounds = rangeBounds(route);
        const asked = new URLSearchParams(readQuery(route, bounds));
        expect(Number(asked.get('startAt'))).toBe(bounds.startAt);
        expect(Number(asked.get('endAt'))).toBe(bounds.endAt);
        expect(Object.fromEntries([...asked].filter(([name]) => name !== 'startAt' && name !== 'endAt'))).toEqual(route.filters);
      }),
    );
  });
});

/** The dashboard's ranges "up to now" end at the end of the current minute, the same for everybody in it. */
describe('rangeBounds', () => {
  const time = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
  const upToNow = (Object.keys(ranges) as RangeName[]).filter((range) => range !== 'custom' && range !== 'lastmonth');

  it('ends a range up to now at the last millisecond of the current minute, and includes now', () => {
    fc.assert(
      fc.property(time, fc.constantFrom(...upToNow), (now, range) => {
        const { startAt, endAt } = rangeBounds({ range }, new Date(now));
        expect(endAt).toBe(endOfMinute(now));
        expect(endAt % 60_000).toBe(59_999);
        expect(endAt).toBeGreaterThanOrEqual(now);
        expect(endAt - now).toBeLessThan(60_000);
        expect(startAt).toBeLessThanOrEqual(now);
      }),
    );
  });

  it('gives two people in the same minute the very same bounds (so their reads can share one query)', () => {
    fc.assert(
      fc.property(time, fc.integer({ min: 0, max: 59_999 }), fc.constantFrom(...upToNow), (now, later, range) => {
        const minute = Math.floor(now / 60_000) * 60_000;
        expect(rangeBounds({ range }, new Date(minute + later))).toEqual(rangeBounds({ range }, new Date(minute)));
      }),
    );
  });
});
