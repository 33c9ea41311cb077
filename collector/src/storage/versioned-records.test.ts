import { describe, expect, it } from 'vitest';
import { nextVersion } from './versioned-records';

describe('nextVersion', () => {
  it('is the clock in milliseconds, and strictly increasing within one millisecond', () => {
    const before = Date.now();
    const versions = Array.from({ length: 1000 }, () => nextVersion());
    expect(versions[0]).toBeGreaterThanOrEqual(before);
    for (let i = 1; i < versions.length; i++) expect(versions[i]).toBeGreaterThan(versions[i - 1]!);
  });

  it('is at least the time a record says it changed, and never goes back for an earlier one', () => {
    const future = Date.now() + 60_000;
    expect(nextVersion(future)).toBe(future);
    expect(nextVersion(future - 10_000)).toBe(future + 1);
  });
});
