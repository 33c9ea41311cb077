import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { checkRange, checkTimezone, clampUnit, comparisonRange, maxRangeMs, units } from './date-range';
import { afterReset, buildFilters, filterNames, maxFilterLength } from './filters';
import type { Scope } from './query-vocabulary';
import { eventDataSplit, metricSplit, pageviewsSplit, statsSource } from './rollup-choice';
import { wholeDaysOf, wholeHoursOf } from './whole-days';

/** The read side's pure logic, without the engine: ranges, whole days, units, filters to SQL. */
const day = 86_400_000;
const time = fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) });

describe('date ranges', () => {
  it('refuses reversed ranges and ranges over ten years with 400', () => {
    expect(() => checkRange(2, 1)).toThrow(ApiError);
    expect(() => checkRange(0, maxRangeMs + 1)).toThrow(/10 years/);
    expect(checkRange(0, maxRangeMs)).toEqual({ startAt: 0, endAt: maxRangeMs });
  });

  it('compares with the period just before, of the same length, never before 1970', () => {
    fc.assert(
      fc.property(time, fc.integer({ min: 0, max: 400 * day }), (startAt, length) => {
        const range = { startAt, endAt: startAt + length };
        const before = comparisonRange(range, 'prev');
        expect(before.startAt).toBeGreaterThanOrEqual(0);
        if (startAt - length - 1 >= 0) {
          expect(before.endAt).toBe(startAt - 1);
          expect(before.endAt - before.startAt).toBe(length);
        }
      }),
    );
    expect(comparisonRange({ startAt: Date.UTC(2024, 2, 1), endAt: Date.UTC(2024, 2, 31) }, 'yoy')).toEqual({
      startAt: Date.UTC(2023, 2, 1),
      endAt: Date.UTC(2023, 2, 31),
    });
  });

  it('raises a unit too fine for the range, as Umami does, and never lowers one', () => {
    expect(clampUnit('minute', { startAt: 0, endAt: 30 * 60_000 })).toBe('minute');
    expect(clampUnit('minute', { startAt: 0, endAt: 2 * 3_600_000 })).toBe('hour');
    expect(clampUnit('hour', { startAt: 0, endAt: 30 * day })).toBe('day');
    expect(clampUnit('day', { startAt: 0, endAt: 400 * day })).toBe('month');
    expect(clampUnit('day', { startAt: 0, endAt: 3 * 365 * day })).toBe('year');
    fc.assert(
      fc.property(fc.constantFrom(...units), time, fc.integer({ min: 0, max: maxRangeMs }), (unit, startAt, length) => {
        const clamped = clampUnit(unit, { startAt, endAt: startAt + length });
        expect(units.indexOf(clamped)).toBeGreaterThanOrEqual(units.indexOf(unit));
      }),
    );
  });

  it('takes only time zones ClickHouse knows', () => {
    const known = new Set(['UTC', 'Europe/Berlin']);
    expect(checkTimezone('Europe/Berlin', known)).toBe('Europe/Berlin');
    expect(() => checkTimezone('US/Pacific-New', known)).toThrow(/time zone/);
  });
});

describe('whole days and hours of a range', () => {
  it('are the UTC days wholly inside it, and none when it holds none', () => {
    fc.assert(
      fc.property(time, fc.integer({ min: 0, max: 100 * day }), (startAt, length) => {
        const endAt = startAt + length;
        const whole = wholeDaysOf({ startAt, endAt });
        if (whole === null) {
          // No midnight-to-midnight span fits.
          expect(Math.floor((endAt + 1) / day) * day - Math.ceil(startAt / day) * day).toBeLessThan(day);
          return;
        }
        expect(whole.wholeStart).toBeGreaterThanOrEqual(startAt);
        expect(whole.wholeEnd).toBeLessThanOrEqual(endAt + 1);
        expect(whole.wholeStart % day).toBe(0);
        expect(whole.wholeEnd % day).toBe(0);
        expect(whole.wholeStart - startAt).toBeLessThan(day);
        expect(endAt + 1 - whole.wholeEnd).toBeLessThan(day);
        expect(whole.fromDay).toBe(new Date(whole.wholeStart).toISOString().slice(0, 10));
        expect(whole.toDay).toBe(new Date(whole.wholeEnd - day).toISOString().slice(0, 10));
      }),
    );
  });

  it('whole hours lie inside the range, on hour boundaries', () => {
    fc.assert(
      fc.property(time, fc.integer({ min: 0, max: 10 * day }), (startAt, length) => {
        const hours = wholeHoursOf({ startAt, endAt: startAt + length });
        if (!hours) return;
        expect(hours.wholeStart % 3_600_000).toBe(0);
        expect(hours.wholeEnd % 3_600_000).toBe(0);
        expect(hours.wholeStart).toBeGreaterThanOrEqual(startAt);
        expect(hours.wholeEnd).toBeLessThanOrEqual(startAt + length + 1);
      }),
    );
  });
});

describe('filters to SQL', () => {
  it('binds every value as a parameter: no value ever appears in the SQL', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(...filterNames),
          fc.tuple(
            fc.constantFrom('', 'eq.', 'neq.', 'c.', 'dnc.'),
            fc.string({ minLength: 3, maxLength: 40 }).filter((v) => !/^(eq|neq|c|dnc)\./.test(v)),
          ),
        ),
        (chosen) => {
          const query = Object.fromEntries(Object.entries(chosen).map(([name, [op, value]]) => [name, `${op}${value}`]));
          const filter = buildFilters(query);
          for (const [name, [, value]] of Object.entries(chosen)) expect(filter.params[`filter_${name}`]).toBe(value);
          // The SQL is the same whatever the values (only whether one is printable ASCII picks the
          // UTF-8 form of a case-insensitive search): no value can reach it. (Looking for each value
          // in the SQL text failed on values that happen to be part of it, such as "{fi".) A value
          // without an operator must not start like one ("c. " is "contains a space").
          const ascii = (value: string) => /^[\x20-\x7e]*$/.test(value);
          const neutral = Object.fromEntries(Object.entries(chosen).map(([name, [op, value]]) => [name, `${op}${ascii(value) ? 'xyz' : 'xyé'}`]));
          expect(filter.sql).toBe(buildFilters(neutral).sql);
          expect((filter.sql.match(/ AND /g) ?? []).length).toBeGreaterThanOrEqual(Object.keys(chosen).length);
        },
      ),
    );
  });

  it('reads operators as Umami does (no prefix: equals)', () => {
    expect(buildFilters({ path: '/pricing' }).sql).toBe(' AND url_path = {filter_path:String}');
    expect(buildFilters({ path: 'neq./a' }).sql).toBe(' AND url_path != {filter_path:String}');
    expect(buildFilters({ path: 'c.blog' }).sql).toBe(' AND positionCaseInsensitive(url_path, {filter_path:String}) > 0');
    expect(buildFilters({ path: 'dnc.blög' }).sql).toBe(' AND positionCaseInsensitiveUTF8(url_path, {filter_path:String}) = 0');
    expect(buildFilters({ country: 'c.D', path: '/a' }).terms).toEqual([
      { name: 'path', operator: 'eq', value: '/a' },
      { name: 'country', operator: 'c', value: 'D' },
    ]);
    expect(buildFilters({ path: 'eq./a' }).wholeVisits).toBe(false);
    expect(buildFilters({ browser: 'firefox' }).wholeVisits).toBe(true);
  });

  it('refuses values past the limit with 400, and after a reset answers from the events', () => {
    expect(() => buildFilters({ path: 'x'.repeat(maxFilterLength + 1) })).toThrow(ApiError);
    const reset = afterReset(buildFilters({ country: 'DE' }), 1234);
    expect(reset.sql).toContain('created_at > fromUnixTimestamp64Milli({resetAt:Int64})');
    expect(reset.params.resetAt).toBe('1234');
    expect(reset.beyondRollups).toBe(true);
  });
});

describe('rollup or events (rollup-choice.ts)', () => {
  // No query reaches the engine in these cases: a client that is used fails the test.
  const noEngine = new Proxy({}, { get: () => expect.fail('the engine was asked') }) as never;
  const twoDays = { startAt: Date.UTC(2026, 0, 1, 12), endAt: Date.UTC(2026, 0, 4, 12) };
  const scope = (filters: Record<string, string>, extra: Partial<Scope> = {}): Scope => ({
    websiteId: 'w',
    ...twoDays,
    filter: buildFilters(filters),
    ...extra,
  });
  const builtDay = Date.UTC(2026, 0, 2);
  const oneBuild = async () => new Map([[builtDay, 7]]);

  it('answers stats from daily_stats without filters or with one eq. filter on a session attribute, else from the events', async () => {
    const key = async (filters: Record<string, string>, extra?: Partial<Scope>) => {
      const source = await statsSource(noEngine, scope(filters, extra), oneBuild);
      return source.rollup && { rollup: source.rollup, dimension: source.split.params.dimension, value: source.split.params.dimensionValue };
    };
    expect(await key({})).toEqual({ rollup: 'daily_stats', dimension: '', value: '' });
    expect(await key({ country: 'eq.DE' })).toEqual({ rollup: 'daily_stats', dimension: 'country', value: 'DE' });
    expect(await key({ country: 'c.D' })).toBeNull();
    expect(await key({ country: 'DE', browser: 'firefox' })).toBeNull();
    expect(await key({ hostname: 'a.example' })).toBeNull();
    expect(await key({}, { eventsOnly: true })).toBeNull();
    expect(await statsSource(noEngine, { ...scope({ country: 'DE' }), filter: afterReset(buildFilters({ country: 'DE' }), 1) })).toEqual({ rollup: null });
    // Less than a whole day: nothing to read from a daily rollup.
    expect(await key({}, { endAt: twoDays.startAt + 3600_000 })).toBeNull();
  });

  it('answers stats with one eq. page filter from the built days of the visit rollups, and the rest from the events', async () => {
    const source = await statsSource(noEngine, scope({ path: 'eq./a' }), oneBuild);
    expect(source.rollup).toBe('daily_page_stats');
    if (source.rollup === null) return;
    expect(source.split.params).toMatchObject({ dimension: 'path', dimensionValue: '/a', builtDays: ['2026-01-02'], builds: [7] });
    // The rest: from the start to the built day, and from the day after it to the end.
    expect(source.split.params).toMatchObject({ rest0From: twoDays.startAt, rest0To: builtDay, rest1From: builtDay + day, rest1To: twoDays.endAt + 1 });
    expect(await statsSource(noEngine, scope({ path: 'eq./a' }), async () => new Map())).toEqual({ rollup: null });
    expect(await statsSource(noEngine, scope({ path: 'c./a' }), oneBuild)).toEqual({ rollup: null });
  });

  it('reads series, metrics and event data from their rollups only without filters', () => {
    expect(pageviewsSplit(scope({}), 'day', 'Europe/Berlin')?.params).toMatchObject({ wholeStart: Date.UTC(2026, 0, 1, 12), wholeEnd: twoDays.endAt });
    expect(pageviewsSplit(scope({}), 'minute', 'UTC')).toBeNull();
    expect(pageviewsSplit(scope({}), 'day', 'Asia/Kolkata')).toBeNull();
    expect(pageviewsSplit(scope({ path: '/a' }), 'day', 'UTC')).toBeNull();
    expect(metricSplit(scope({}), 'domain')?.metric).toBe('referrer');
    expect(metricSplit(scope({}), 'entry')?.split.params).toMatchObject({ metric: 'entry', fromDay: '2026-01-02', toDay: '2026-01-03' });
    expect(metricSplit(scope({}), 'exit')).toBeNull();
    expect(metricSplit(scope({ country: 'DE' }), 'path')).toBeNull();
    expect(metricSplit(scope({}, { eventsOnly: true }), 'path')).toBeNull();
    expect(eventDataSplit(scope({}))?.inRollup).toContain('day BETWEEN {fromDay:Date} AND {toDay:Date}');
    expect(eventDataSplit(scope({ event: 'signup' }))).toBeNull();
  });
});
