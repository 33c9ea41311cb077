import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { afterReset, buildFilters, filterNames, maxFilterLength } from './filters';

// Umami's filters to bound SQL conditions, without the engine.

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
