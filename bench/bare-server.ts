// The baseline for `npm run bench`: a bare Fastify route that only parses the same JSON body
// (text/plain or application/json, same body limit, same prototype-poisoning checks) and answers.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.addContentTypeParser('text/plain', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
app.post('/api/send', { bodyLimit: 64 * 1024 }, async (request) => {
  const body = request.body as { payload?: { website?: string } };
  return { ok: typeof body?.payload?.website === 'string' };
});
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.stdout.write(`listening ${(app.server.address() as { port: number }).port}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
