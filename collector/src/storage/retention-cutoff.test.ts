import { describe, expect, it } from 'vitest';
import { retentionCutoff } from './retention';

describe('the first day a retention keeps', () => {
  it('is the same date that many months earlier, clamped to the end of a shorter month, in UTC', () => {
    expect(retentionCutoff(Date.UTC(2026, 11, 7, 23, 59), 13)).toBe('2025-11-07');
    expect(retentionCutoff(Date.UTC(2026, 2, 31, 0, 0), 1)).toBe('2026-02-28');
    expect(retentionCutoff(Date.UTC(2028, 2, 31, 12), 1)).toBe('2028-02-29');
    expect(retentionCutoff(Date.UTC(2026, 0, 15), 25)).toBe('2023-12-15');
    expect(retentionCutoff(Date.UTC(2026, 4, 1), 0)).toBe('2026-05-01');
  });
});
