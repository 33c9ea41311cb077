import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupByVisit, type ActivityEvent } from './visitor-logic';

const eventArb = fc.record({
  createdAt: fc.integer({ min: 0, max: 10_000_000 }).map((ms) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString()),
  eventId: fc.uuid(),
  eventType: fc.constantFrom(1, 2),
  eventName: fc.constant(''),
  urlPath: fc.constantFrom('/', '/a'),
  pageTitle: fc.constant(''),
  referrerDomain: fc.constantFrom('', 'news.example'),
  visitId: fc.constantFrom('v1', 'v2', 'v3'),
  data: fc.constant(null),
});

describe('groupByVisit', () => {
  it('keeps every event once, each visit in time order, visits ordered by their first event', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 30 }), (activity: ActivityEvent[]) => {
        const visits = groupByVisit(activity);
        expect(visits.flatMap((v) => v.events).length).toBe(activity.length);
        expect(new Set(visits.map((v) => v.visitId)).size).toBe(visits.length);
        for (const visit of visits) {
          const times = visit.events.map((e) => e.createdAt);
          expect(times).toEqual([...times].sort());
          expect(visit.startedAt).toBe(times[0]);
          expect(visit.referrer).toBe(visit.events[0]!.referrerDomain);
          expect(visit.events.every((e) => e.visitId === visit.visitId)).toBe(true);
        }
        const starts = visits.map((v) => v.startedAt);
        expect(starts).toEqual([...starts].sort());
      }),
    );
  });
});
