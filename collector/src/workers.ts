import cluster, { type Worker } from 'node:cluster';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Config } from './config';
import { loadAppSecret } from './secret';
import type { RunningCollector } from './start';

/**
 * WORKERS=N with a ClickHouse server: N collector processes on one port. The primary process
 * accepts each connection and hands it to a worker chosen by the client's address (sticky by IP,
 * so a visit's beacons reach the collector that numbers its pageviews); each worker is a whole
 * collector with its own spool under DATA_DIR/worker-<i>, all keyed by one APP_SECRET.
 */
export async function runPrimary(config: Readonly<Config>, log: (line: string) => void): Promise<void> {
  const count = config.workers;
  // One secret for every worker (kept in DATA_DIR/app-secret when not given), so session ids agree.
  const secret = loadAppSecret(config.appSecret, config.dataDir);
  const workers: (Worker | null)[] = Array.from({ length: count }, () => null);
  let stopping = false;

  const fork = (index: number) =>
    new Promise<void>((resolve, reject) => {
      const worker = cluster.fork({ DATA_DIR: join(config.dataDir, `worker-${index}`), APP_SECRET: secret, WORKERS: '1', COLLECTOR_WORKER: String(index) });
      worker.once('message', (message) => {
        if (message !== 'ready') return;
        workers[index] = worker;
        resolve();
      });
      worker.once('exit', (code, signal) => {
        workers[index] = null;
        if (stopping) return;
        log(`worker ${index} exited (${signal ?? code}); starting it again`);
        reject(new Error(`worker ${index} exited before it was ready`));
        setTimeout(() => void fork(index).catch(() => {}), 1000);
      });
    });
  await Promise.all(workers.map((_, index) => fork(index)));

  const server = createServer({ pauseOnConnect: true }, (socket: Socket) => {
    const chosen = workers[addressHash(socket.remoteAddress ?? '') % count] ?? workers.find((w) => w !== null);
    if (!chosen) {
      socket.destroy();
      return;
    }
    chosen.send('connection', socket);
  });
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  log(`Server listening at http://${host}:${port} (${count} workers)`);

  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    server.close();
    const exits = workers.filter((w): w is Worker => w !== null).map((w) => new Promise((resolve) => (w.isDead() ? resolve(null) : w.once('exit', resolve))));
    for (const worker of workers) worker?.process.kill('SIGTERM');
    void Promise.all(exits).then(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/** A worker: a collector that does not listen; the primary hands it connections. */
export function serveAsWorker(collector: RunningCollector, shutdownTimeoutMs: number): { shutdown: () => Promise<void> } {
  const sockets = new Set<Socket>();
  process.on('message', (message, handle) => {
    if (message !== 'connection' || !handle) return;
    const socket = handle as Socket;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    collector.app.server.emit('connection', socket);
    socket.resume();
  });
  process.send?.('ready');
  return {
    // The server never listened, so closing it waits for nothing: the worker waits for its
    // connections itself (idle ones closed at once, busy ones finished) before the collector stops.
    async shutdown() {
      const deadline = Date.now() + shutdownTimeoutMs;
      while (sockets.size > 0 && Date.now() < deadline) {
        collector.app.server.closeIdleConnections();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      collector.app.server.closeAllConnections();
      await collector.stop();
    },
  };
}

/** FNV-1a of the client's address: the same client always reaches the same worker. */
function addressHash(address: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < address.length; i++) {
    hash ^= address.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
