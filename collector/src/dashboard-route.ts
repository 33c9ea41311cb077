import { readdirSync, readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { sendError } from './errors';

/** Only our own origin: the dashboard talks to nothing else. uPlot sets element styles from script. */
const contentSecurityPolicy = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const types = { js: 'application/javascript; charset=utf-8', css: 'text/css; charset=utf-8' } as const;

/**
 * Serves the dashboard built into `dir` (dist/dashboard: index.html, app.js, app.css and the
 * chunks loaded later) at `/`. It is a page of the public read and auth APIs: nothing it shows is
 * not also in the API. Chunks are named by their content's hash, so browsers may keep them.
 */
export async function dashboardRoute(app: FastifyInstance, { dir }: { dir: URL }) {
  const html = readFileSync(new URL('index.html', dir));
  const open = { config: { public: true } };
  app.get('/', open, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', contentSecurityPolicy).header('cache-control', 'no-cache').send(html),
  );
  const files = new Map<string, { body: Buffer; type: string; cache: string }>();
  for (const name of readdirSync(dir)) {
    const extension = /\.(js|css)$/.exec(name)?.[1] as keyof typeof types | undefined;
    if (!extension) continue;
    files.set(name, {
      body: readFileSync(new URL(name, dir)),
      type: types[extension],
      cache: name.startsWith('app.') ? 'no-cache' : 'public, max-age=31536000, immutable',
    });
  }
  // One route for the built files (their chunk names change with their content).
  app.get<{ Params: { file: string } }>('/dashboard/:file', open, async (request, reply) => {
    const file = files.get(request.params.file);
    if (!file) return sendError(reply, 404, 'not-found', 'No such dashboard file');
    return reply.type(file.type).header('cache-control', file.cache).send(file.body);
  });
}
