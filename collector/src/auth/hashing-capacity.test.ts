import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';
import type { ApiError } from '../errors';
import { owaspCost, Passwords } from './passwords';

describe('password hashing has a bounded capacity', () => {
  it('runs at most `capacity` computations at once and refuses the rest at once with busy (429)', async () => {
    const passwords = new Passwords({ N: 2 ** 10, r: 8, p: 1 }, 2);
    const stored = await passwords.hash('correct horse');
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => passwords.verify('wrong', stored)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected']);
    for (const o of outcomes.slice(2)) expect((o as PromiseRejectedResult).reason).toMatchObject({ status: 429, code: 'busy' } satisfies Partial<ApiError>);
    // Once they finish, there is room again.
    expect(await passwords.verify('correct horse', stored)).toBe(true);
  });

  describe('over HTTP, at full strength', () => {
    let collector: TestCollector;
    let token: string;
    beforeAll(async () => {
      collector = await startTestCollector({}, { passwordCost: owaspCost });
      token = await collector.login();
    });
    afterAll(() => collector?.destroy());

    it('answers a storm of wrong logins with 401 or 429 busy (Retry-After 1), and keeps serving others', async () => {
      const storm = Array.from({ length: 20 }, (_, i) =>
        collector.request('/api/auth/login', {
          method: 'POST',
          json: { username: `nobody-${i}`, password: 'wrong password' },
          headers: { 'x-forwarded-for': `203.0.113.${i}` },
        }),
      );
      const started = performance.now();
      const me = await collector.request('/api/me', { token });
      const meMs = performance.now() - started;
      const answers = await Promise.all(storm);
      expect(me.status).toBe(200);
      const statuses = answers.map((a) => a.status);
      expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
      const busy = answers.filter((a) => a.status === 429);
      expect(busy.length).toBeGreaterThan(0);
      for (const answer of busy) {
        expect(answer.headers.get('retry-after')).toBe('1');
        expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('busy');
      }
      console.log(
        `storm of 20 wrong logins: ${statuses.filter((s) => s === 401).length} checked, ${busy.length} busy; /api/me meanwhile ${meMs.toFixed(0)} ms`,
      );
    });
  });
});
