import { describe, expect, it } from 'vitest';
import { SessionTies } from './session-ties';

describe('session ties', () => {
  it('answers true once per (session, distinct id) pair, again after forget', () => {
    const ties = new SessionTies();
    expect(ties.first('s1', 'ann')).toBe(true);
    expect(ties.first('s1', 'ann')).toBe(false);
    expect(ties.first('s1', 'bob')).toBe(true);
    expect(ties.first('s2', 'ann')).toBe(true);
    ties.forget('s1', 'ann');
    expect(ties.first('s1', 'ann')).toBe(true);
  });

  it('keeps a bounded memory: past its limit it starts over rather than grow', () => {
    const ties = new SessionTies();
    for (let i = 0; i < 100_001; i++) ties.first(`s${i}`, 'x');
    // The cache was cleared at the limit, so the first pair reads as new again.
    expect(ties.first('s0', 'x')).toBe(true);
  });
});
