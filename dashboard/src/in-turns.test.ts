import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inTurns } from './in-turns';

describe('inTurns', () => {
  it('runs at most `limit` at a time and answers in the items’ order, whatever the finishing order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: 5 }), { maxLength: 30 }), fc.integer({ min: 1, max: 6 }), async (delays, limit) => {
        let running = 0;
        let peak = 0;
        const results = await inTurns(delays, limit, async (delay) => {
          peak = Math.max(peak, ++running);
          for (let i = 0; i < delay; i++) await Promise.resolve();
          running--;
          return delay * 2;
        });
        expect(results).toEqual(delays.map((d) => d * 2));
        expect(peak).toBeLessThanOrEqual(Math.max(1, limit));
      }),
    );
  });
});
