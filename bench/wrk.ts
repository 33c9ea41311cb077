import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

export interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
}

const toMs = (value: string, unit: string) => Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 } as Record<string, number>)[unit]!;

/** Parses wrk's output (run with --latency). */
export function parseWrk(output: string): WrkResult {
  const latency = (p: string) => {
    const match = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
    if (!match) throw new Error(`wrk output has no ${p}% latency:\n${output}`);
    return toMs(match[1]!, match[2]!);
  };
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const total = /(\d+) requests in/.exec(output);
  if (!rps || !total) throw new Error(`unexpected wrk output:\n${output}`);
  return {
    requestsPerSecond: Number(rps[1]),
    p50Ms: latency('50'),
    p99Ms: latency('99'),
    requests: Number(total[1]),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
  };
}

/**
 * A realistic mix of beacons: pageviews of many paths with and
 * without referrers and UTM tags, custom events with data, from several browsers.
 */
export function beaconMix(websiteId: string): { agents: string[]; bodies: string[] } {
  const agents = [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  ];
  const paths = ['/', '/pricing', '/docs/getting-started', '/blog/launch', '/about', '/docs/api?tab=node', '/signup', '/blog/2026/11/post'];
  const referrers = ['', '', 'https://www.google.com/', 'https://news.ycombinator.com/item?id=1', 'https://twitter.com/x/status/1'];
  const bodies: string[] = [];
  for (let i = 0; i < 40; i++) {
    const payload: Record<string, unknown> = {
      website: websiteId,
      hostname: 'example.com',
      language: ['en-US', 'de-DE', 'fr-FR'][i % 3],
      referrer: referrers[i % referrers.length],
      screen: ['1920x1080', '390x844', '1440x900'][i % 3],
      title: `Example page ${i}`,
      url: `https://example.com${paths[i % paths.length]}${i % 7 === 0 ? (paths[i % paths.length]!.includes('?') ? '&' : '?') + 'utm_source=newsletter&utm_medium=email' : ''}`,
    };
    if (i % 5 === 4) Object.assign(payload, { name: ['signup', 'download', 'play'][i % 3], data: { plan: 'pro', value: i } });
    bodies.push(JSON.stringify({ type: 'event', payload }));
  }
  return { agents, bodies };
}

/** The mix as a wrk Lua script (random body and agent per request). */
export function beaconScript(websiteId: string, file: string): void {
  const { agents, bodies } = beaconMix(websiteId);
  const lua = (s: string) => `[==[${s}]==]`;
  writeFileSync(
    file,
    `local bodies = {${bodies.map(lua).join(',\n')}}
local agents = {${agents.map(lua).join(',\n')}}
math.randomseed(42)
request = function()
  local headers = { ["Content-Type"] = "text/plain", ["User-Agent"] = agents[math.random(#agents)] }
  return wrk.format("POST", "/api/send", headers, bodies[math.random(#bodies)])
end
`,
  );
}

/** Runs wrk against `url` for `seconds`. */
export async function runWrk(url: string, script: string, seconds: number, connections: number): Promise<WrkResult> {
  const { stdout } = await promisify(execFile)('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url], {
    maxBuffer: 1024 * 1024,
  });
  return parseWrk(stdout);
}
