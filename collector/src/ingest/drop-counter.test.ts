import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DropCounter } from './drop-counter';
import { dropReasons } from './ingest-rules';
import type { DropTally } from '../storage/dropped-events';

const day = 86_400_000;

describe('drop counter', () => {
  it('saves every count exactly once, whatever saves fail in between', async () => {
    const step = fc.oneof(
      fc.record({ count: fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom(...dropReasons), fc.integer({ min: 0, max: 3 })) }),
      fc.record({ flush: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const saved: DropTally[] = [];
        let fail = false;
        const counter = new DropCounter(async (tallies) => {
          if (fail) throw new Error('storage away');
          saved.push(...tallies.map((t) => ({ ...t })));
        }, 60_000);
        const expected = new Map<string, number>();
        for (const s of steps) {
          if ('count' in s) {
            const [site, reason, days] = s.count;
            counter.count(site, reason, Date.UTC(2026, 0, 1) + days * day);
            const key = `${site} ${new Date(Date.UTC(2026, 0, 1) + days * day).toISOString().slice(0, 10)} ${reason}`;
            expected.set(key, (expected.get(key) ?? 0) + 1);
          } else {
            fail = !s.flush;
            await counter.flush();
          }
        }
        fail = false;
        await counter.close();
        const got = new Map<string, number>();
        for (const t of saved) got.set(`${t.websiteId} ${t.day} ${t.reason}`, (got.get(`${t.websiteId} ${t.day} ${t.reason}`) ?? 0) + t.events);
        expect(got).toEqual(expected);
      }),
    );
  });
});
