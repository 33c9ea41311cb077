import { describe, expect, it } from 'vitest';
import { codesFor } from '../../../test-support/totp-codes';
import { startTestCollector } from '../../../test-support/collector';

describe('spent codes and partial tokens', () => {
  it('are remembered across a restart (and by any collector on the same database)', { timeout: 90_000 }, async () => {
    let c = await startTestCollector();
    try {
      const send = async (path: string, json: unknown, token?: string) => {
        const response = await c.request(path, { method: 'POST', json, token });
        return { status: response.status, body: (await response.json()) as any };
      };
      await c.users.create('una', 'tulip garden lamp', 'user');
      const session = await c.login('una', 'tulip garden lamp');
      const { manualKey } = (await send('/api/2fa/setup/initiate', {}, session)).body;
      const codes = await codesFor(manualKey);
      expect((await send('/api/2fa/setup/confirm', { password: 'tulip garden lamp', token: codes.previous }, session)).status).toBe(200);
      const partial = (await send('/api/auth/login', { username: 'una', password: 'tulip garden lamp' })).body.partialToken;
      expect((await send('/api/2fa/verify', { token: codes.current, partialToken: partial })).status).toBe(200);
      // The partial token signed someone in: never again, even with a fresh code.
      expect((await send('/api/2fa/verify', { token: codes.next, partialToken: partial })).status).toBe(401);

      await c.stopKeepingData();
      c = await startTestCollector({}, { dataDir: c.dataDir });
      // After the restart the spent code is still spent, with the password or after it.
      expect((await send('/api/auth/login', { username: 'una', password: 'tulip garden lamp', code: codes.current })).status).toBe(401);
      const again = (await send('/api/auth/login', { username: 'una', password: 'tulip garden lamp' })).body.partialToken;
      expect((await send('/api/2fa/verify', { token: codes.current, partialToken: again })).status).toBe(401);
      expect((await send('/api/2fa/verify', { token: codes.next, partialToken: again })).status).toBe(200);
    } finally {
      await c.destroy();
    }
  });
});
