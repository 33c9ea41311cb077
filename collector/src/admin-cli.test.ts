import { afterAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../test-support/collector';
import { runCli } from '../../test-support/run-cli';

/** `npm run admin`: a lost admin password, put right from the command line (issue 24). */
let collector: TestCollector | null = null;
afterAll(() => collector?.destroy());

const admin = (dataDir: string, args: string[], stdin = '') => runCli('admin.mjs', args, { DATA_DIR: dataDir }, stdin);

describe('npm run admin', () => {
  it('resets a password (ending sessions) and creates an admin, with the collector stopped', { timeout: 120_000 }, async () => {
    collector = await startTestCollector();
    await collector.users.create('lost', 'forgotten long ago', 'admin');
    const oldToken = await collector.login('lost', 'forgotten long ago');
    // While the collector holds the embedded engine, the command says what to do.
    const busy = await admin(collector.dataDir, ['reset-password', 'lost']);
    expect([busy.code, busy.stderr]).toEqual([2, expect.stringContaining('Stop it first')]);
    const { dataDir } = collector;
    await collector.stopKeepingData();

    const reset = await admin(dataDir, ['reset-password', 'LOST', '--password-stdin'], 'a new harbour lamp\n');
    expect([reset.code, reset.stdout]).toEqual([0, expect.stringContaining('The password of lost is reset')]);
    const created = await admin(dataDir, ['create-admin', 'rescue']);
    expect(created.code).toBe(0);
    const generated = /rescue \/ (\S+)/.exec(created.stdout)?.[1] ?? '';
    expect(generated.length).toBeGreaterThanOrEqual(16);
    expect((await admin(dataDir, ['reset-password', 'nobody'])).stderr).toContain('No user is named nobody');
    expect((await admin(dataDir, ['create-admin', 'rescue'])).code).toBe(2);
    expect((await admin(dataDir, ['reset-password', 'lost', '--password-stdin'], 'password123')).stderr).toContain('refused');
    expect((await admin(dataDir, ['wipe-everything'])).stderr).toContain('Usage');

    collector = await startTestCollector({}, { dataDir });
    expect((await collector.request('/api/me', { token: oldToken })).status).toBe(401);
    expect((await collector.request('/api/auth/login', { method: 'POST', json: { username: 'lost', password: 'forgotten long ago' } })).status).toBe(401);
    await collector.login('lost', 'a new harbour lamp');
    const rescue = await collector.login('rescue', generated);
    const me = (await (await collector.request('/api/me', { token: rescue })).json()) as { user: { role: string } };
    expect(me.user.role).toBe('admin');
  });
});
