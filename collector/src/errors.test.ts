import { describe, expect, it } from 'vitest';
import { cancelled } from './errors';

describe('a read cancelled because its client left', () => {
  it('is known as such bare or wrapped by the client library (logged as info, not as a failure)', () => {
    const abort = Object.assign(new Error('Query aborted'), { name: 'AbortError' });
    expect(cancelled(abort)).toBe(true);
    expect(cancelled(new Error('Query aborted (the underlying computation may still run)', { cause: abort }))).toBe(true);
    expect(cancelled(Object.assign(new Error('x'), { code: 'CHDB_ABORT' }))).toBe(true);
    expect(cancelled(new Error('Code: 241. MEMORY_LIMIT_EXCEEDED'))).toBe(false);
    expect(cancelled(new Error('outer', { cause: new Error('inner') }))).toBe(false);
    expect(cancelled(null)).toBe(false);
  });
});
