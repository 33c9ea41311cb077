// The JSON parser's cost per byte for the bodies a route still reads: the worst shapes we know at
// each route's body limit, through the same parser the collector installs (the nesting scan, then
// Fastify's JSON parser with its prototype-poisoning check).
import Fastify, { type FastifyRequest } from 'fastify';
import { boundedJsonParser, publicBodyLimit, signedInBodyLimit } from '../collector/src/json-body';
import { sendBodyLimit } from '../collector/src/ingest/send-route';
import { maxJsonDepth } from '../collector/src/shared/json-depth';

/** `open`, as many `unit(i)` as fit in about `bytes`, comma-separated, and `close`. */
function repeated(bytes: number, unit: (i: number) => string, open = '[', close = ']'): string {
  const parts: string[] = [];
  let length = 2;
  for (let i = 0; length < bytes; i++) {
    const part = unit(i);
    parts.push(part);
    length += part.length + 1;
  }
  return `${open}${parts.join(',')}${close}`;
}

/** A body of about `bytes` bytes, of one hostile shape. */
export function hostileBody(shape: string, bytes: number): string {
  switch (shape) {
    case 'deepest allowed, repeated':
      return repeated(bytes, () => `${'['.repeat(maxJsonDepth - 1)}${']'.repeat(maxJsonDepth - 1)}`);
    case 'tiny numbers':
      return repeated(bytes, () => '0');
    case 'empty objects':
      return repeated(bytes, () => '{}');
    case 'many keys':
      return repeated(bytes, (i) => `"${i.toString(36)}":0`, '{', '}');
    case 'escaped string':
      return `"${'\\u0041'.repeat(Math.floor((bytes - 2) / 6))}"`;
    case '"constructor" keys (poisoning check)':
      return repeated(bytes, () => '{"constructor":{"a":0}}');
    case 'nested too deep (refused by the scan)':
      return `${'['.repeat(bytes / 2)}${']'.repeat(bytes / 2)}`;
    default:
      throw new Error(`no shape ${shape}`);
  }
}

export const shapes = [
  'deepest allowed, repeated',
  'tiny numbers',
  'empty objects',
  'many keys',
  'escaped string',
  '"constructor" keys (poisoning check)',
  'nested too deep (refused by the scan)',
];

export interface ParseCost {
  shape: string;
  bytes: number;
  /** Median time of one parse, refused or not. */
  micros: number;
  nsPerByte: number;
  outcome: string;
}

/** Times the collector's JSON parser on each shape at `bytes`: the median of `runs` parses. */
export function measureParseCost(bytes: number, runs = 31): ParseCost[] {
  const parse = boundedJsonParser(Fastify());
  const request = {} as FastifyRequest;
  return shapes.map((shape) => {
    const body = hostileBody(shape, bytes);
    const times: number[] = [];
    let outcome = '';
    for (let i = 0; i < runs; i++) {
      const started = process.hrtime.bigint();
      parse(request, body, (error) => {
        outcome = error ? `refused: ${(error as { code?: string }).code ?? error.message}` : 'parsed';
      });
      times.push(Number(process.hrtime.bigint() - started) / 1000);
    }
    const micros = times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
    return { shape, bytes: body.length, micros, nsPerByte: (micros * 1000) / body.length, outcome };
  });
}

/** The limits a body can reach the parser with: without credentials, the beacon, and signed in. */
export const parseLimits = [
  { name: 'sign-in routes (no credentials)', bytes: publicBodyLimit },
  { name: 'POST /api/send', bytes: sendBodyLimit },
  { name: 'signed-in routes', bytes: signedInBodyLimit },
  { name: '(the old limit of every route: 1 MB)', bytes: 1024 * 1024 },
];
