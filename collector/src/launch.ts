/**
 * The entry `npm start` and the service unit run (dist/launch.cjs): it sizes libuv's thread pool
 * (thread-pool.ts) and then loads the collector, or the bundle named as its first argument (the
 * benches). A CommonJS file, because Node's loader reads an ES module entry through that same
 * pool, which starts it with 4 threads before any of the module's code could set its size.
 */
import './thread-pool';

const { pathToFileURL } = require('node:url') as typeof import('node:url');
const { resolve } = require('node:path') as typeof import('node:path');

const [, , named] = process.argv;
const bundle = named?.endsWith('.mjs') ? resolve(named) : resolve(__dirname, 'collector.mjs');
// A named bundle sees its own arguments, as if it had been run itself.
if (named?.endsWith('.mjs')) process.argv.splice(1, 1);
import(pathToFileURL(bundle).href).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
