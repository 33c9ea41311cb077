import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

// The configuration read from the environment: defaults, bounds and refusals.

describe('configuration', () => {
  const env = (extra: Record<string, string>) => ({ DATA_DIR: '/tmp/x', ...extra });
  it('has working defaults', () => {
    const config = loadConfig(env({}));
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      clickhouse: null,
      workers: 1,
      batchMaxRows: 20_000,
      batchIntervalMs: 2000,
      visitRollupIntervalMs: 300_000,
    });
  });

  it('refuses a bad value with one sentence naming the variable', () => {
    const refusals: [Record<string, string>, RegExp][] = [
      [{ PORT: '70000' }, /PORT/],
      [{ PORT: 'abc' }, /PORT/],
      [{ ADMIN_PASSWORD: 'short' }, /ADMIN_PASSWORD/],
      [{ APP_SECRET: 'too short' }, /APP_SECRET/],
      [{ CLICKHOUSE_URL: 'ftp://x' }, /CLICKHOUSE_URL/],
      [{ CLICKHOUSE_USER: 'u' }, /CLICKHOUSE_URL is not/],
      [{ CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_DATABASE: 'a-b' }, /CLICKHOUSE_DATABASE/],
      [{ CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_CLUSTER: 'a b' }, /CLICKHOUSE_CLUSTER/],
      [{ WORKERS: '2' }, /WORKERS above 1 needs CLICKHOUSE_URL/],
      [{ TRUST_PROXY: 'maybe' }, /TRUST_PROXY/],
      [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
      [{ TRACKER_SCRIPT_NAME: '/api/x.js' }, /TRACKER_SCRIPT_NAME/],
    ];
    for (const [extra, message] of refusals) {
      expect(() => loadConfig(env(extra)), JSON.stringify(extra)).toThrow(ConfigError);
      expect(() => loadConfig(env(extra))).toThrow(message);
    }
  });

  it('reads a server, a cluster and workers', () => {
    const config = loadConfig(env({ CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_CLUSTER: 'main', WORKERS: '3' }));
    expect(config.clickhouse).toEqual({
      url: 'http://ch:8123',
      user: 'default',
      password: '',
      database: 'analytics',
      cluster: { name: 'main', replicated: true },
    });
    expect(config.workers).toBe(3);
    expect(loadConfig(env({ CLICKHOUSE_URL: 'http://ch:8123' })).workers).toBeGreaterThanOrEqual(1);
  });
});
