/**
 * Sizes libuv's thread pool for the embedded engine. chDB runs each statement on a thread of that
 * pool, which also serves Node's file, crypto and DNS work and has 4 threads unless
 * UV_THREADPOOL_SIZE says otherwise: with 4, three slow reads and one more statement held every
 * thread, and a quick read's first statement waited for one of them to end (npm run
 * bench:readers). So the pool gets a thread per engine connection, one for the inserts'
 * connection, and Node's own 4. libuv reads the variable once, when the pool first starts, and an
 * ES module entry starts it while being loaded: so dist/launch.cjs (launch.ts) imports this
 * before it loads the collector. A size the operator set wins.
 */
import { defaultEngineConnections } from './engine-connection-count';

process.env.UV_THREADPOOL_SIZE ??= String((Number.parseInt(process.env.ENGINE_CONNECTIONS ?? '', 10) || defaultEngineConnections) + 1 + 4);
