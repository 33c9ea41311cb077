import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';
import { GeoLocator } from './geo';

describe('GeoLocator', () => {
  const bundled = new GeoLocator({ countryHeader: null, geoipDb: null });
  const behindCdn = new GeoLocator({ countryHeader: 'cf-ipcountry', geoipDb: null });

  it.each([
    ['8.8.8.8', 'US'],
    ['81.2.69.160', 'GB'],
    ['2a00:1450:4001:800::200e', 'IE'],
    ['127.0.0.1', ''],
    ['10.1.2.3', ''],
    ['not-an-ip', ''],
  ])('finds %s in the bundled database: "%s"', (ip, country) => {
    expect(bundled.locate(ip, {})).toEqual({ country, region: '', city: '' });
  });

  it('trusts a CDN country header only when configured, and not its "unknown" values', () => {
    expect(bundled.locate('8.8.8.8', { 'cf-ipcountry': 'DE' }).country).toBe('US');
    expect(behindCdn.locate('8.8.8.8', { 'cf-ipcountry': 'de' }).country).toBe('DE');
    expect(behindCdn.locate('8.8.8.8', { 'cf-ipcountry': 'XX' }).country).toBe('US');
    expect(behindCdn.locate('8.8.8.8', { 'cf-ipcountry': 'T1' }).country).toBe('US');
    expect(behindCdn.locate('8.8.8.8', { 'cf-ipcountry': 'Germany' }).country).toBe('US');
  });
});

describe('country of stored events', () => {
  let collector: TestCollector;
  beforeAll(async () => {
    collector = await startTestCollector({ TRUST_PROXY: 'true', COUNTRY_HEADER: 'CF-IPCountry' });
  });
  afterAll(() => collector?.destroy());

  it('comes from the client IP (behind a trusted proxy) or the configured CDN header', async () => {
    const token = await collector.login();
    const site = await collector.createWebsite(token);
    await collector.send(pageview(site, '/us'), { 'x-forwarded-for': '8.8.8.8' });
    await collector.send(pageview(site, '/gb'), { 'x-forwarded-for': '81.2.69.160' });
    await collector.send(pageview(site, '/cdn'), { 'x-forwarded-for': '8.8.8.8', 'cf-ipcountry': 'JP' });
    await collector.send(pageview(site, '/local'));
    await collector.flush();
    const result = await collector.db.query({
      query: 'SELECT url_path, country FROM website_event WHERE website_id = {id:UUID} ORDER BY url_path',
      query_params: { id: site },
      format: 'JSONEachRow',
    });
    expect(await result.json()).toEqual([
      { url_path: '/cdn', country: 'JP' },
      { url_path: '/gb', country: 'GB' },
      { url_path: '/local', country: '' },
      { url_path: '/us', country: 'US' },
    ]);
  });
});
