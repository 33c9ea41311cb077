import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDates } from './charts-route';

describe('localDates', () => {
  it('lists each local date a range touches once, in order, from the first to the last', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
        fc.integer({ min: 0, max: 40 * 86_400_000 }),
        fc.constantFrom('UTC', 'Europe/Berlin', 'America/St_Johns', 'Pacific/Kiritimati', 'Australia/Lord_Howe'),
        (startAt, span, timezone) => {
          const dates = localDates(startAt, startAt + span, timezone);
          const day = (at: number) => new Intl.DateTimeFormat('en-CA', { timeZone: timezone }).format(at);
          expect(dates[0]).toBe(day(startAt));
          expect(dates.at(-1)).toBe(day(startAt + span));
          expect(new Set(dates).size).toBe(dates.length);
          expect([...dates].sort()).toEqual(dates);
          // Consecutive: each is the day after the one before.
          for (let i = 1; i < dates.length; i++) {
            expect(Date.parse(`${dates[i]}T00:00:00Z`) - Date.parse(`${dates[i - 1]}T00:00:00Z`)).toBe(86_400_000);
          }
        },
      ),
    );
  });
});
