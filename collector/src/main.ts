import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from './config';
import { startCollector } from './start';
import { runPrimary, serveAsWorker } from './workers';

// Bundled as dist/collector.mjs, beside the tracker bundle dist/tracker.js and its extras module.
const trackerFile = new URL('./tracker.js', import.meta.url);
const extrasFile = new URL('./tracker-extras.js', import.meta.url);

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // WORKERS > 1 (with a ClickHouse server): this process shares the port among worker processes.
  if (cluster.isPrimary && config.workers > 1) {
    await runPrimary(config, (line) => process.stdout.write(`${line}\n`));
    return;
  }
  const isWorker = cluster.isWorker;
  const collector = await startCollector(config, readFileSync(trackerFile), {
    trackerExtras: readFileSync(extrasFile),
    dashboardDir: new URL('./dashboard/', import.meta.url),
    listen: !isWorker,
  });
  const worker = isWorker ? serveAsWorker(collector, config.shutdownTimeoutMs) : null;
  const shutdown = (signal: string) => {
    collector.app.log.info({ signal }, 'shutting down: draining requests and queued events');
    (worker ? worker.shutdown() : collector.stop()).then(
      () => process.exit(0),
      (error) => {
        collector.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`Could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
