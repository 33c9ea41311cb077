import { describe, expect, it } from 'vitest';
import { SharedReads } from './shared-reads';

/** A statement the test ends by hand, counting how often one was started. */
function statements() {
  const started: { signal: AbortSignal; resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  const start = (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      started.push({ signal, resolve, reject });
    });
  return { started, start };
}

describe('SharedReads', () => {
  it('runs identical reads in flight at once as one statement, and answers each', async () => {
    const shared = new SharedReads<string>();
    const { started, start } = statements();
    const answers = [shared.run('q', 0, undefined, start), shared.run('q', 0, undefined, start), shared.run('other', 0, undefined, start)];
    expect(started).toHaveLength(2);
    started[0]!.resolve('a');
    started[1]!.resolve('b');
    expect(await Promise.all(answers)).toEqual(['a', 'a', 'b']);
    // Once answered, the next identical read runs again.
    const again = shared.run('q', 0, undefined, start);
    expect(started).toHaveLength(3);
    started[2]!.resolve('c');
    expect(await again).toBe('c');
    expect(shared.size).toBe(0);
  });

  it('does not share across a write (a new epoch), so a read sent after a write sees it', async () => {
    const shared = new SharedReads<string>();
    const { started, start } = statements();
    const before = shared.run('q', 0, undefined, start);
    const after = shared.run('q', 1, undefined, start);
    expect(started).toHaveLength(2);
    started[0]!.resolve('old');
    started[1]!.resolve('new');
    expect([await before, await after]).toEqual(['old', 'new']);
  });

  it('lets each reader leave on its own signal, and cancels the statement only when all have left', async () => {
    const shared = new SharedReads<string>();
    const { started, start } = statements();
    const [first, second] = [new AbortController(), new AbortController()];
    const a = shared.run('q', 0, first.signal, start);
    const b = shared.run('q', 0, second.signal, start);
    first.abort();
    await expect(a).rejects.toMatchObject({ name: 'AbortError' });
    expect(started[0]!.signal.aborted).toBe(false);
    second.abort();
    await expect(b).rejects.toMatchObject({ name: 'AbortError' });
    expect(started[0]!.signal.aborted).toBe(true);
    // A reader arriving now starts a statement of its own rather than joining the cancelled one.
    const c = shared.run('q', 0, undefined, start);
    expect(started).toHaveLength(2);
    started[1]!.resolve('fresh');
    expect(await c).toBe('fresh');
  });

  it('gives every reader the failure of their statement', async () => {
    const shared = new SharedReads<string>();
    const { started, start } = statements();
    const answers = [shared.run('q', 0, undefined, start), shared.run('q', 0, undefined, start)];
    started[0]!.reject(new Error('read-timeout'));
    for (const answer of answers) await expect(answer).rejects.toThrow('read-timeout');
  });

  it('refuses at once a reader whose signal has already aborted', async () => {
    const shared = new SharedReads<string>();
    const { started, start } = statements();
    await expect(shared.run('q', 0, AbortSignal.abort(), start)).rejects.toMatchObject({ name: 'AbortError' });
    expect(started).toHaveLength(0);
  });
});
