import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReadSlots, readClientOf } from './read-slots';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('read slots', () => {
  it('runs `running` reads of a client at once, queues `waiting` more in order, refuses the rest with 429', async () => {
    const slots = new ReadSlots({ running: 2, waiting: 2 });
    const signal = new AbortController().signal;
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const outcomes = Array.from({ length: 6 }, (_, i) =>
      slots.acquire('user a', signal).then(
        (release) => {
          started.push(i);
          releases[i] = release;
          return 'ran';
        },
        (error) => `${error.status} ${error.code} ${error.retryAfter}`,
      ),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    expect(await outcomes[4]).toBe('429 too-many-reads 1');
    expect(await outcomes[5]).toBe('429 too-many-reads 1');
    // Another client is not held back by this one.
    const other = await slots.acquire('user b', signal);
    releases[1]!();
    releases[1]!(); // twice: still one turn
    await settle();
    expect(started).toEqual([0, 1, 2]);
    releases[0]!();
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    other();
  });

  it('drops a waiting read whose client went away, without running it', async () => {
    const slots = new ReadSlots({ running: 1, waiting: 5 });
    const first = await slots.acquire('c', new AbortController().signal);
    const gone = new AbortController();
    const waiting = slots.acquire('c', gone.signal);
    const next = slots.acquire('c', new AbortController().signal);
    gone.abort(new Error('client went away'));
    await expect(waiting).rejects.toThrow('client went away');
    first();
    (await next)();
    // Nothing is left held: a full set of turns is free again.
    const again = await slots.acquire('c', new AbortController().signal);
    again();
  });

  it('never runs more than `running` reads of a client, and every read that was let in runs, in any order of events', async () => {
    const command = fc.oneof(
      fc.constant({ kind: 'acquire' as const }),
      fc.nat({ max: 20 }).map((n) => ({ kind: 'release' as const, n })),
      fc.nat({ max: 20 }).map((n) => ({ kind: 'abort' as const, n })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(command, { maxLength: 40 }),
        async (running, waiting, commands) => {
          const slots = new ReadSlots({ running, waiting });
          let active = 0;
          let peak = 0;
          const reads: { controller: AbortController; release?: () => void; state: 'waiting' | 'running' | 'done' | 'refused' | 'aborted' }[] = [];
          for (const c of commands) {
            if (c.kind === 'acquire') {
              const read = { controller: new AbortController(), state: 'waiting' as (typeof reads)[number]['state'] } as (typeof reads)[number];
              reads.push(read);
              slots.acquire('c', read.controller.signal).then(
                (release) => {
                  read.state = 'running';
                  read.release = release;
                  peak = Math.max(peak, ++active);
                },
                (error) => (read.state = error.status === 429 ? 'refused' : 'aborted'),
              );
            } else {
              const candidates = reads.filter((r) => (c.kind === 'release' ? r.state === 'running' : r.state === 'waiting'));
              const read = candidates[c.n % Math.max(1, candidates.length)];
              if (read && c.kind === 'release') {
                read.state = 'done';
                active--;
                read.release!();
              } else if (read) read.controller.abort(new Error('gone'));
            }
            await settle();
          }
          expect(peak).toBeLessThanOrEqual(running);
          // Releasing everything that runs lets every waiting read run in the end.
          for (let round = 0; round < 50 && reads.some((r) => r.state === 'running' || r.state === 'waiting'); round++) {
            for (const read of reads.filter((r) => r.state === 'running')) {
              read.state = 'done';
              active--;
              read.release!();
            }
            await settle();
          }
          expect(reads.filter((r) => r.state === 'waiting' || r.state === 'running')).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('whose turn a read takes', () => {
  const user = { id: 'u1' };
  it('is one share link whatever token it gave, one API key, or one user across sessions', () => {
    const share = { websiteId: 'w1', shareId: 's1' };
    expect(readClientOf({ type: 'share', user: { id: '' }, share })).toBe(readClientOf({ type: 'share', user: { id: '' }, share: { ...share } }));
    expect(readClientOf({ type: 'share', user: { id: '' }, share })).not.toBe(
      readClientOf({ type: 'share', user: { id: '' }, share: { ...share, shareId: 's2' } }),
    );
    expect(readClientOf({ type: 'api-key', user, apiKey: { id: 'k1' } })).not.toBe(readClientOf({ type: 'api-key', user, apiKey: { id: 'k2' } }));
    expect(readClientOf({ type: 'api-key', user, apiKey: { id: 'k1' } })).not.toBe(readClientOf({ type: 'session', user }));
    expect(readClientOf({ type: 'session', user })).toBe(readClientOf({ type: 'session', user: { id: 'u1' } }));
  });
});
