import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageview, startTestCollector, type TestCollector } from '../../../test-support/collector';

let collector: TestCollector;

beforeAll(async () => {
  collector = await startTestCollector({ TRACKER_SCRIPT_NAME: 'stats.js, /js/t.js', COLLECT_API_ENDPOINT: '/api/collect' });
});
afterAll(() => collector?.destroy());

const raw = (path: string, headers: Record<string, string> = {}) => fetch(collector.url + path, { headers: { 'accept-encoding': 'identity', ...headers } });

describe('serving the tracker', () => {
  it('compresses with brotli or gzip as the browser accepts, the same script each way', async () => {
    const plain = await raw('/script.js');
    const text = await plain.text();
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')).toBe('accept-encoding');
    expect(plain.headers.get('cache-control')).toContain('max-age=3600');

    // Node's fetch would decompress for us; read the bytes as they travel.
    const { request } = await import('node:http');
    const bytes = (encoding: string) =>
      new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
        request(collector.url + '/script.js', { headers: { 'accept-encoding': encoding } }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (c: Buffer) => chunks.push(c));
          response.on('end', () => resolve({ encoding: response.headers['content-encoding'], body: Buffer.concat(chunks) }));
        })
          .on('error', reject)
          .end();
      });
    const br = await bytes('gzip, deflate, br');
    expect(br.encoding).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toBe(text);
    const gz = await bytes('gzip');
    expect(gz.encoding).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(text);
    expect(gz.body.length).toBeLessThan(text.length);
    const refused = await bytes('br;q=0, gzip');
    expect(refused.encoding).toBe('gzip');
  });

  it('serves the opt-in extras module the tracker imports, cross-origin, as JavaScript', async () => {
    const response = await raw('/tracker-extras.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.text()).toMatch(/export\s*\{/);
    expect((await raw('/tracker-extras.js', { 'if-none-match': response.headers.get('etag')! })).status).toBe(304);
  });

  it('serves the TRACKER_SCRIPT_NAME aliases, pointing beacons at COLLECT_API_ENDPOINT', async () => {
    const original = await (await raw('/script.js')).text();
    for (const alias of ['/stats.js', '/js/t.js']) {
      const response = await raw(alias);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(original);
    }
    expect(original).toContain('"/api/collect"');
    expect(original).not.toContain('/api/send');
  });

  it('accepts beacons at the COLLECT_API_ENDPOINT alias, and still at /api/send', async () => {
    const token = await collector.login();
    const site = await collector.createWebsite(token);
    for (const path of ['/api/collect', '/api/send']) {
      const response = await collector.request(path, {
        method: 'POST',
        headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 'content-type': 'text/plain' },
        body: JSON.stringify(pageview(site, path)),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
    }
    const preflight = await collector.request('/api/collect', { method: 'OPTIONS', headers: { origin: 'https://a.example' } });
    expect(preflight.status).toBe(204);
  });
});
