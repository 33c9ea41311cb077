import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

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

/**
 * Serves the dashboard built into `dir` (dist/dashboard: index.html, app.js, app.css) at `/`.
 * It is a page of the public read and auth APIs: nothing it shows is not also in the API.
 */
export async function dashboardRoute(app: FastifyInstance, { dir }: { dir: URL }) {
  const files = {
    html: readFileSync(new URL('index.html', dir)),
    js: readFileSync(new URL('app.js', dir)),
    css: readFileSync(new URL('app.css', dir)),
  };
  const open = { config: { public: true } };
  app.get('/', open, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', contentSecurityPolicy).header('cache-control', 'no-cache').send(files.html),
  );
  app.get('/dashboard/app.js', open, async (_request, reply) => reply.type('application/javascript; charset=utf-8').header('cache-control', 'no-cache').send(files.js));
  app.get('/dashboard/app.css', open, async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(files.css));
}
