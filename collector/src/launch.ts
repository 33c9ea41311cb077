/**
 * The entry `npm start` and the service unit run (dist/launch.cjs): it sizes libuv's thread pool
 * (thread-pool.ts) and then loads the collector, or the bundle named as its first argument (the
 * benches). A CommonJS file, because Node's loader reads an ES module entry through that same
 * pool, which starts it with 4 threads before any of the module's code could set its size.
 */
import './thread-pool';

const [, , named] = process.argv;
const target = named?.endsWith('.mjs') ? named : './collector.mjs';
// The loaded bundle sees its own arguments, as if it had been run itself.
if (target === named) process.argv.splice(1, 1);
const { pathToFileURL } = require('node:url') as typeof import('node:url');
const { resolve } = require('node:path') as typeof import('node:path');
import(target === named ? pathToFileURL(resolve(named)).href : pathToFileURL(resolve(__dirname, target)).href).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
