import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { usernameKey } from './account-rules';
import { LoginLimiter, loginLimits } from './login-limiter';

const t0 = 1_800_000_000_000;

describe('login limiter', () => {
  it('refuses the sixth failure of one account from one address until the window slides past', () => {
    const limiter = new LoginLimiter();
    for (let i = 0; i < loginLimits.perAccountAndIp; i++) expect(limiter.begin('kate', '192.0.2.1', t0 + i).retryAfter).toBe(0);
    expect(limiter.begin('kate', '192.0.2.1', t0 + 10).retryAfter).toBe(loginLimits.windowMs / 1000);
    expect(limiter.begin('kate', '192.0.2.1', t0 + loginLimits.windowMs + 1).retryAfter).toBe(0);
  });

  it('counts every spelling of a name as the account (NFKC, case)', () => {
    const limiter = new LoginLimiter();
    for (const spelling of ['kate', 'ｋａｔｅ', '𝐤𝐚𝐭𝐞', 'ＫＡＴＥ', 'KaTe']) expect(limiter.begin(spelling, '192.0.2.1', t0).retryAfter).toBe(0);
    for (const spelling of ['kate', 'ｋａｔｅ', '𝐤𝐚𝐭𝐞', 'ＫＡＴＥ']) expect(limiter.begin(spelling, '192.0.2.1', t0).retryAfter).toBeGreaterThan(0);
  });

  it('takes back an attempt that was never checked (busy), keeping earlier ones', () => {
    const limiter = new LoginLimiter();
    for (let i = 0; i < 4; i++) limiter.begin('kate', '192.0.2.1', t0);
    for (let i = 0; i < 100; i++) limiter.forget(limiter.begin('kate', '192.0.2.1', t0).attempt);
    expect(limiter.begin('kate', '192.0.2.1', t0).retryAfter).toBe(0);
    expect(limiter.begin('kate', '192.0.2.1', t0).retryAfter).toBeGreaterThan(0);
  });

  it("lets a known device in whatever its address's and account's counts, on its own count", () => {
    const limiter = new LoginLimiter();
    // Strangers exhaust the address (shared with the owner) and the account.
    for (let i = 0; i < loginLimits.perAccount; i++) limiter.begin('kate', `198.51.100.${i % 40}`, t0);
    for (let i = 0; i < loginLimits.perIp; i++) limiter.begin(`someone-${i}`, '192.0.2.1', t0);
    expect(limiter.begin('kate', '192.0.2.1', t0).retryAfter).toBeGreaterThan(0);
    const device = 'device-1';
    const { retryAfter, attempt } = limiter.begin('kate', '192.0.2.1', t0, device);
    expect(retryAfter).toBe(0);
    limiter.succeeded(attempt);
    // The device has a limit of its own, as one address has.
    for (let i = 0; i < loginLimits.perAccountAndIp; i++) expect(limiter.begin('kate', '192.0.2.1', t0, device).retryAfter).toBe(0);
    expect(limiter.begin('kate', '192.0.2.1', t0, device).retryAfter).toBeGreaterThan(0);
  });

  it('matches a plain-code model over any sequence of attempts, outcomes and busy refusals', () => {
    type Step = { user: string; ip: number; outcome: 'fail' | 'success' | 'busy'; dt: number };
    const step = fc.record({
      user: fc.constantFrom('kate', 'KATE', 'ｋａｔｅ', 'bob'),
      ip: fc.integer({ min: 0, max: 2 }),
      outcome: fc.constantFrom('fail', 'success', 'busy'),
      dt: fc.integer({ min: 0, max: 5 * 60_000 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps: Step[]) => {
        const limiter = new LoginLimiter();
        // The model: failures per key as a list of times; successes clear their pair.
        const failures = new Map<string, number[]>();
        const recent = (key: string, now: number) => (failures.get(key) ?? []).filter((at) => at > now - loginLimits.windowMs);
        let now = t0;
        for (const { user, ip, outcome, dt } of steps) {
          now += dt;
          const account = usernameKey(user);
          const keys: [string, number][] = [
            [`pair ${account} ${ip}`, loginLimits.perAccountAndIp],
            [`ip ${ip}`, loginLimits.perIp],
            [`account ${account}`, loginLimits.perAccount],
          ];
          const refused = keys.some(([key, limit]) => recent(key, now).length >= limit);
          const { retryAfter, attempt } = limiter.begin(user, `192.0.2.${ip}`, now);
          expect(retryAfter > 0).toBe(refused);
          if (refused) continue;
          if (outcome === 'busy') limiter.forget(attempt);
          else if (outcome === 'success') {
            limiter.succeeded(attempt);
            failures.delete(keys[0]![0]);
          } else for (const [key] of keys) failures.set(key, [...recent(key, now), now]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
