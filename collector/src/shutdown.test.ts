import { Agent, request, type ClientRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { chromeUA, pageview, startTestCollector, type TestCollector } from '../../test-support/collector';
import { removeTempDir } from '../../test-support/temp-dir';

/**
 * Stopping while a beacon is in flight on a keep-alive connection: the beacon is answered, and the
 * connection it leaves idle does not hold the stop open until keepAliveTimeout (65 s).
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a keep-alive POST /api/send and sends only the first half of its body. */
function halfSentBeacon(collector: TestCollector, site: string, agent: Agent) {
  const body = JSON.stringify(pageview(site, '/in-flight'));
  const { port } = new URL(collector.url);
  let req!: ClientRequest;
  const answered = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
    req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/send',
        method: 'POST',
        agent,
        headers: { 'content-type': 'text/plain', 'user-agent': chromeUA, 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode!, connection: response.headers.connection }));
      },
    );
    req.on('error', reject);
  });
  req.flushHeaders();
  req.write(body.slice(0, 20));
  return { answered, finish: () => req.end(body.slice(20)) };
}

async function timed(promise: Promise<unknown>): Promise<number> {
  const started = Date.now();
  await promise;
  return Date.now() - started;
}

describe('stopping with requests in flight', () => {
  it('answers the in-flight beacon, then closes its keep-alive connection instead of waiting for it', async () => {
    const collector = await startTestCollector();
    const site = await collector.createWebsite(await collector.login());
    const agent = new Agent({ keepAlive: true });
    try {
      const received = new Promise((resolve) => collector.app.server.once('request', resolve));
      const beacon = halfSentBeacon(collector, site, agent);
      await received; // the collector has the request (and routed it) before it starts closing
      const stopped = timed(collector.stop());
      await sleep(100);
      beacon.finish();
      expect((await beacon.answered).status).toBe(200);
      // The agent keeps the socket open for reuse; only the collector can end it. Without that the
      // stop waits for keepAliveTimeout (65 s); 15 s leaves room for a busy machine.
      expect(await stopped).toBeLessThan(15_000);
    } finally {
      agent.destroy();
      removeTempDir(collector.dataDir);
    }
  });

  it('cuts a request still unfinished after SHUTDOWN_TIMEOUT_MS', async () => {
    const collector = await startTestCollector({ SHUTDOWN_TIMEOUT_MS: '500' });
    const site = await collector.createWebsite(await collector.login());
    const agent = new Agent({ keepAlive: true });
    try {
      const received = new Promise((resolve) => collector.app.server.once('request', resolve));
      const beacon = halfSentBeacon(collector, site, agent);
      beacon.answered.catch(() => {}); // the cut ends it with a socket error
      await received;
      // Without the cut this waits for the 30 s request timeout.
      expect(await timed(collector.stop())).toBeLessThan(15_000);
      await expect(beacon.answered).rejects.toThrow();
    } finally {
      agent.destroy();
      removeTempDir(collector.dataDir);
    }
  });
});
