import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config';
import { cutToStoredLength, safeDecode, splitLocation } from './page-location';
import { describeAgent, deviceOf } from './user-agent';

/** The ingest side's pure logic and the configuration, without the engine. */
describe('page and referrer locations', () => {
  it('split a URL into path, query, referrer parts and UTM tags', () => {
    const location = splitLocation(
      '/docs/caf%C3%A9?utm_source=news&utm_medium=mail&utm_campaign=fall&x=1',
      'https://www.example.org/post?id=2',
      'shop.example',
    );
    expect(location).toEqual({
      urlPath: '/docs/café',
      urlQuery: 'utm_source=news&utm_medium=mail&utm_campaign=fall&x=1',
      referrerDomain: 'example.org',
      referrerPath: '/post',
      referrerQuery: 'id=2',
      utm: { source: 'news', medium: 'mail', campaign: 'fall', content: '', term: '' },
    });
    // A referrer that is not a web page is dropped; a broken percent-encoding is kept as sent.
    expect(splitLocation('/a%E0%A4%A', 'android-app://com.x', 'x').referrerDomain).toBe('');
    expect(splitLocation('/a%E0%A4%A', '', 'x').urlPath).toBe('/a%E0%A4%A');
  });

  it('never store more than 500 characters, nor half a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 700 }), (value) => {
        const cut = cutToStoredLength(value);
        expect(cut.length).toBeLessThanOrEqual(500);
        expect(value.startsWith(cut)).toBe(true);
        expect(cut.isWellFormed()).toBe(value.slice(0, cut.length).isWellFormed());
      }),
    );
    expect(cutToStoredLength('a'.repeat(499) + '😀')).toBe('a'.repeat(499));
  });

  it('decode percent-encoding only when it is valid, whatever the input', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(() => safeDecode(value)).not.toThrow();
      }),
    );
    expect(safeDecode('%ZZ')).toBe('%ZZ');
    expect(safeDecode('%C3%A9')).toBe('é');
  });
});

describe('devices', () => {
  const agent = (ua: string) => describeAgent(ua);
  it("follow Umami's buckets: the UA's own type, else the screen width, desktop OS as desktop or laptop", () => {
    const iphone = agent(
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    );
    const windows = agent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36');
    const chromebook = agent('Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36');
    expect(deviceOf(iphone, '390x844')).toBe('mobile');
    expect(deviceOf(windows, '2560x1440')).toBe('desktop');
    expect(deviceOf(windows, '1366x768')).toBe('laptop');
    expect(deviceOf(chromebook, '2560x1440')).toBe('laptop');
    const unknown = { ...windows, os: 'Unknown OS', deviceType: '' };
    expect([
      deviceOf(unknown, '2000x1000'),
      deviceOf(unknown, '1200x800'),
      deviceOf(unknown, '600x800'),
      deviceOf(unknown, '300x600'),
      deviceOf(unknown, ''),
    ]).toEqual(['desktop', 'laptop', 'tablet', 'mobile', '']);
  });
});

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
