// node dist/bench-paced.mjs <url> <websiteId> <requests per second>
// Sends the beacon mix to POST /api/send at a steady rate until SIGTERM, then prints
// `sent <n> acked <n> seconds <s>` (the achieved rate is acked / seconds).
import { Agent, request } from 'node:http';
import { beaconMix } from './wrk';

const [url = '', websiteId = '', rateArg = '1000'] = process.argv.slice(2);
const rate = Number(rateArg);
const target = new URL('/api/send', url);
const { agents, bodies } = beaconMix(websiteId);
const agent = new Agent({ keepAlive: true, maxSockets: 32 });
let sent = 0;
let acked = 0;
const started = performance.now();

const send = (n: number) => {
  sent++;
  const req = request(
    {
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'POST',
      agent,
      headers: { 'content-type': 'text/plain', 'user-agent': agents[n % agents.length]! },
    },
    (res) => {
      res.resume();
      if (res.statusCode === 200) acked++;
    },
  );
  req.on('error', () => {});
  req.end(bodies[n % bodies.length]);
};

// Every 10 ms, the requests due since the start (so a late tick catches up).
const timer = setInterval(() => {
  const due = Math.floor(((performance.now() - started) / 1000) * rate);
  while (sent < due) send(sent);
}, 10);

process.once('SIGTERM', () => {
  clearInterval(timer);
  setTimeout(() => {
    console.log(`sent ${sent} acked ${acked} seconds ${((performance.now() - started) / 1000).toFixed(1)}`);
    process.exit(0);
  }, 500);
});
