// A child process that times HTTP requests for a test, away from the collector's event loop: each
// line on stdin is a request ({ url, method, headers, body }); each line on stdout its answer
// ({ status, body, ms }), ms from sending to the whole body read. Used where the time of an answer
// is the point (a reset link's answer must not tell a known address from an unknown one): timed
// in the test's own process, the work the collector does after answering delays the reading.
import { createInterface } from 'node:readline';

for await (const line of createInterface({ input: process.stdin })) {
  const { url, method, headers, body } = JSON.parse(line);
  const started = performance.now();
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ status: response.status, body: text, ms })}\n`);
}
