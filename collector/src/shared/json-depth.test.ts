import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDeeperThan } from './json-depth';

/** The reference: the nesting depth of a parsed value, counted in plain code. */
const depthOf = (value: unknown): number =>
  typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value as Record<string, unknown>).map(depthOf)) : 0;

describe('jsonDeeperThan', () => {
  it('counts arrays and objects, not brackets inside strings or after escapes', () => {
    expect(jsonDeeperThan('{"a":[1,{"b":2}]}', 3)).toBe(false);
    expect(jsonDeeperThan('{"a":[1,{"b":[]}]}', 3)).toBe(true);
    expect(jsonDeeperThan('["[[[[[[", "\\"[[[[", "\\\\", {}]', 2)).toBe(false);
    expect(jsonDeeperThan('["\\\\"[[[]]]]', 2)).toBe(true);
    expect(jsonDeeperThan(`${'['.repeat(520_000)}`, 32)).toBe(true);
  });

  it('agrees with the depth of the parsed value, for any JSON and any bound', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), fc.integer({ min: 0, max: 14 }), fc.boolean(), (value, max, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        expect(jsonDeeperThan(text, max)).toBe(depthOf(value) > max);
      }),
      { numRuns: 2000 },
    );
  });
});
