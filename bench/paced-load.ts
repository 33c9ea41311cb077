// node dist/bench-paced.mjs <url> <websiteId> <requests per second>
// Sends the beacon mix to POST /api/send at a steady rate until SIGTERM, then prints
// `sent <n> acked <n> seconds <s> cpu <ms>` (the achieved rate is acked / seconds).
//
// Open loop (requests are due on time whether or not earlier ones were answered) and cheap: the
// requests are built once as bytes, each goes out on an idle keep-alive socket in its own write
// (as from a browser: one request in flight per connection, no pipelining), and answers are only
// counted, not parsed as HTTP. Node's HTTP client cost about half a core at 6,000 req/s, CPU the
// measured collector lost on a 2-core machine; this prints its own CPU time.
import { connect, type Socket } from 'node:net';
import { beaconMix } from './wrk';

const [url = '', websiteId = '', rateArg = '1000'] = process.argv.slice(2);
const rate = Number(rateArg);
const target = new URL('/api/send', url);
const { agents, bodies } = beaconMix(websiteId);

/** Request n is body n mod 40 from agent n mod 6: the cycle of 120 pairs, as the bytes that go on the wire. */
const requests = Array.from({ length: bodies.length * agents.length }, (_, n) => {
  const body = Buffer.from(bodies[n % bodies.length]!);
  const head =
    `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: text/plain\r\n` +
    `User-Agent: ${agents[n % agents.length]}\r\nContent-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), body]);
});

/** As many connections as wrk's in the maximum run. */
const connections = 32;
const statusLine = 'HTTP/1.1 ';

let sent = 0;
let acked = 0;
/** Requests due but not sent yet: every socket was waiting for an answer. */
let backlog = 0;
const idle: Socket[] = [];

const send = (socket: Socket) => {
  socket.write(requests[sent % requests.length]!);
  sent++;
};

for (let i = 0; i < connections; i++) {
  const socket = connect({ host: target.hostname, port: Number(target.port) });
  socket.setNoDelay(true);
  socket.once('connect', () => idle.push(socket));
  socket.on('data', (chunk: Buffer) => {
    // An answer begins with its status line, which arrives whole (the server writes it in one go).
    const at = chunk.indexOf(statusLine);
    if (at === -1) return;
    if (chunk.toString('latin1', at + statusLine.length, at + statusLine.length + 3) === '200') acked++;
    if (backlog > 0) {
      backlog--;
      send(socket);
    } else idle.push(socket);
  });
  socket.on('error', () => {});
}

const started = performance.now();
const cpuStart = process.cpuUsage();
let due = 0;

// Every 10 ms, the requests due since the start (so a late tick catches up).
const timer = setInterval(() => {
  const now = Math.floor(((performance.now() - started) / 1000) * rate);
  for (; due < now; due++) {
    const socket = idle.pop();
    if (socket) send(socket);
    else backlog++;
  }
}, 10);

process.once('SIGTERM', () => {
  clearInterval(timer);
  setTimeout(() => {
    const cpu = process.cpuUsage(cpuStart);
    const seconds = (performance.now() - started) / 1000;
    console.log(`sent ${sent} acked ${acked} seconds ${seconds.toFixed(1)} cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)}`);
    process.exit(0);
  }, 500);
});
