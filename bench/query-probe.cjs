// A probe for the embedded engine's queries, loaded into a collector with
//   NODE_OPTIONS="--require $PWD/bench/query-probe.cjs" QUERY_PROBE_OUT=/tmp/queries.tsv
// (the benches pass both variables on to the collectors they start). For every chDB call it
// appends one line: time (Unix ms), the call, its wall time and the engine's own elapsed time (ms),
// and the statement's start. Wall minus elapsed is time spent before the engine ran the statement:
// queued behind another statement, or waiting for a thread. A measuring tool, not part of the product.
const { openSync, writeSync } = require('node:fs');
const { Session } = require(require.resolve('chdb', { paths: [process.cwd()] }));

const out = openSync(process.env.QUERY_PROBE_OUT || 'query-probe.tsv', 'a');
/** The statement without the SETs the client puts in front of each query. */
const statement = (sql) =>
  sql
    .replace(/\s+/g, ' ')
    .replace(/^(SET [^;]*; )+/, '')
    .slice(0, 100) + (sql.includes('os_threads_nice_value_query') ? ' [lowered]' : '');

for (const call of ['queryAsync', 'queryBindAsync', 'insert']) {
  const original = Session.prototype[call];
  Session.prototype[call] = function (...args) {
    const started = performance.now();
    const sql = typeof args[0] === 'string' ? statement(args[0]) : `INSERT INTO ${args[0]?.table}`;
    const result = original.apply(this, args);
    result.then(
      (answer) => {
        const wall = performance.now() - started;
        const engine = answer?.elapsed === undefined ? '' : (answer.elapsed * 1000).toFixed(1);
        writeSync(out, `${Date.now()}\t${call}\t${wall.toFixed(1)}\t${engine}\t${sql}\n`);
      },
      () => {},
    );
    return result;
  };
}
