/**
 * Reads a V8 CPU profile (`node --cpu-prof`) into "where the time went", per request: self time
 * within a window of the run, by kind of code and by function. Pure; `npm run bench -- --profile`
 * feeds it.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds, on the machine's monotonic clock (process.hrtime's). */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The kinds of code a sample can be in, in the order the summary lists them. */
export const kinds = [
  'ours',
  'fastify',
  'libraries',
  'node',
  'native calls',
  'garbage collection',
  'engine and other native',
  'idle (waiting for I/O)',
] as const;
export type Kind = (typeof kinds)[number];

const fastifyParts = [
  '/fastify/',
  '/find-my-way/',
  '/avvio/',
  '/secure-json-parse/',
  '/fast-json-stringify/',
  '/light-my-request/',
  '/@fastify/',
  '/toad-cache/',
];

/**
 * The kind of a frame: our bundle (`ours`, any file whose name ends in `ourBundle`), Fastify and
 * its parts (code generated from schemas, ajv's `validateN` and the serializers' `anonymousN`,
 * counts as Fastify's), other packages, Node's own JavaScript, calls into C++ (`writev`, `read`,
 * …: mostly system calls), and V8's pseudo-frames.
 */
export function kindOf(frame: CallFrame, ourBundle: string): Kind {
  const { functionName: name, url } = frame;
  if (name === '(idle)') return 'idle (waiting for I/O)';
  if (name === '(garbage collector)') return 'garbage collection';
  if (name === '(program)' || name === '(root)') return 'engine and other native';
  if (url.endsWith(ourBundle)) return 'ours';
  if (fastifyParts.some((part) => url.includes(part))) return 'fastify';
  if (url.includes('/node_modules/')) return 'libraries';
  if (url.startsWith('node:')) return 'node';
  if (url === '' && /^(validate\d*|anonymous\d*)$/.test(name)) return 'fastify';
  return 'native calls';
}

export interface ProfileSummary {
  /** Milliseconds of samples inside the window. */
  windowMs: number;
  /** Per kind, microseconds of self time per request. */
  byKind: Record<Kind, number>;
  /** The functions with the most self time, microseconds per request, most first. */
  top: { name: string; kind: Kind; usPerRequest: number }[];
}

/**
 * Sums each sample's time into its frame's kind and function, counting only samples taken between
 * `from` and `to` (microseconds on the profile's clock), divided by the requests served then.
 */
export function summarize(profile: CpuProfile, options: { from: number; to: number; requests: number; ourBundle: string; top?: number }): ProfileSummary {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byKind = Object.fromEntries(kinds.map((kind) => [kind, 0])) as Record<Kind, number>;
  const byFunction = new Map<string, { kind: Kind; us: number }>();
  let at = profile.startTime;
  let windowUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < options.from || at > options.to) continue;
    const frame = frames.get(profile.samples[i]!);
    if (!frame) continue;
    windowUs += delta;
    const kind = kindOf(frame, options.ourBundle);
    byKind[kind] += delta;
    const name = frame.url ? `${frame.functionName || '(anonymous)'} (${shortUrl(frame.url)}:${frame.lineNumber + 1})` : frame.functionName;
    const entry = byFunction.get(name) ?? { kind, us: 0 };
    entry.us += delta;
    byFunction.set(name, entry);
  }
  const perRequest = (us: number) => (options.requests > 0 ? us / options.requests : 0);
  for (const kind of kinds) byKind[kind] = perRequest(byKind[kind]);
  const top = [...byFunction]
    .sort((a, b) => b[1].us - a[1].us)
    .slice(0, options.top ?? 15)
    .map(([name, { kind, us }]) => ({ name, kind, usPerRequest: perRequest(us) }));
  return { windowMs: windowUs / 1000, byKind, top };
}

/** A file's name with the package it is in (node_modules/…) or, for Node's own, as Node names it. */
function shortUrl(url: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (inPackage) return `${inPackage[1]}/${inPackage[2]}`;
  return url.startsWith('node:') ? url : (url.split('/').pop() ?? url);
}
