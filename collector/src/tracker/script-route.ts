import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/** `GET /script.js`: the bundled tracker, with an ETag so browsers revalidate cheaply. */
export async function scriptRoute(app: FastifyInstance, { script }: { script: Buffer }) {
  const etag = `"${createHash('sha256').update(script).digest('base64url').slice(0, 16)}"`;
  app.get('/script.js', { config: { public: true } }, async (request, reply) => {
    reply
      .header('etag', etag)
      .header('cache-control', 'public, max-age=3600, must-revalidate')
      .header('access-control-allow-origin', '*');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('application/javascript; charset=utf-8').send(script);
  });
}
