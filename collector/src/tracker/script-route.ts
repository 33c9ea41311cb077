import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';

export interface ScriptOptions {
  /** dist/tracker.js as built. */
  script: Buffer;
  /** Extra paths that serve the same script (TRACKER_SCRIPT_NAME), for sites whose visitors use blockers. */
  aliases: string[];
  /** Where the script sends beacons (COLLECT_API_ENDPOINT, default /api/send). */
  collectPath: string;
  /** dist/tracker-extras.js as built: the module the tracker imports for its opt-in extras (absent: 404). */
  extras?: Buffer;
}

interface Encoded {
  body: Buffer;
  encoding: string | null;
}

/** The tracker with its collect path swapped in. */
function withCollectPath(script: Buffer, collectPath: string): Buffer {
  const source = script.toString('utf8');
  const literal = '"/api/send"';
  if (source.split(literal).length !== 2) throw new Error('dist/tracker.js must contain the collect path literal exactly once');
  return Buffer.from(source.replace(literal, JSON.stringify(collectPath)));
}

/** A script compressed once at start, and its ETag. */
function prepare(body: Buffer): { etag: string; variants: Encoded[] } {
  return {
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    variants: [
      { body: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }), encoding: 'br' },
      { body: gzipSync(body, { level: 9 }), encoding: 'gzip' },
      { body, encoding: null },
    ],
  };
}

function accepts(header: string | undefined, encoding: string): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().split(';');
    return name === encoding && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
  });
}

/**
 * `GET /script.js` (and its aliases): the tracker, compressed, with an ETag and a one-hour cache;
 * `GET /tracker-extras.js`: its opt-in extras module, the same way (a module imported cross-origin
 * needs the CORS header, which both carry).
 */
export async function scriptRoute(app: FastifyInstance, { script, aliases, collectPath, extras }: ScriptOptions) {
  const serve = (paths: string[], body: Buffer) => {
    const { etag, variants } = prepare(body);
    for (const path of paths) {
      app.get(path, { config: { public: true } }, async (request, reply) => {
        reply
          .header('etag', etag)
          .header('cache-control', 'public, max-age=3600, must-revalidate')
          .header('vary', 'accept-encoding')
          .header('access-control-allow-origin', '*');
        if (request.headers['if-none-match'] === etag) return reply.code(304).send();
        const header = request.headers['accept-encoding'];
        const variant = variants.find((v) => v.encoding === null || accepts(header, v.encoding))!;
        if (variant.encoding) reply.header('content-encoding', variant.encoding);
        return reply.type('application/javascript; charset=utf-8').send(variant.body);
      });
    }
  };
  serve(['/script.js', ...aliases], withCollectPath(script, collectPath));
  if (extras) serve(['/tracker-extras.js'], extras);
}
