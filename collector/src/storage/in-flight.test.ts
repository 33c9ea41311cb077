import { describe, expect, it } from 'vitest';
import { InFlight } from './in-flight';

/** A read that ends when told to, counting how often it was started. */
function controlledRead() {
  const state = { started: 0, finish: (_value: string) => {} };
  const read = () => {
    state.started++;
    return new Promise<string>((resolve) => {
      state.finish = resolve;
    });
  };
  return { state, read };
}

describe('InFlight', () => {
  it('lets identical reads running at once share one, and keeps nothing after it ends', async () => {
    const reads = new InFlight<string>();
    const { state, read } = controlledRead();
    const first = reads.get('k', read);
    const second = reads.get('k', read);
    expect(state.started).toBe(1);
    state.finish('a');
    expect(await Promise.all([first, second])).toEqual(['a', 'a']);
    const third = reads.get('k', read);
    expect(state.started).toBe(2);
    state.finish('b');
    expect(await third).toBe('b');
  });

  it('starts a fresh read for callers after a write, and keeps distinct keys apart', async () => {
    const reads = new InFlight<string>();
    const { state, read } = controlledRead();
    const before = reads.get('k', read);
    const finishBefore = state.finish;
    reads.forget();
    const after = reads.get('k', read);
    const other = reads.get('other', read);
    expect(state.started).toBe(3);
    state.finish('other');
    finishBefore('old');
    expect(await before).toBe('old');
    // The read started before the write ending later does not remove the fresh one.
    expect(reads.get('k', read)).toBe(after);
    expect(await other).toBe('other');
  });

  it('passes a failure to every caller and does not keep it', async () => {
    const reads = new InFlight<string>();
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(new Error('down'));
    };
    const results = await Promise.allSettled([reads.get('k', failing), reads.get('k', failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(reads.get('k', () => Promise.resolve('up'))).resolves.toBe('up');
    expect(calls).toBe(1);
  });
});
