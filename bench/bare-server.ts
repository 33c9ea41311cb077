// The baseline for `npm run bench`: a bare Fastify route that only parses the same JSON body
// (text/plain or application/json, same body limit, same prototype-poisoning checks) and answers.
// BARE_EXTRAS adds parts of a real app around that same route, for `npm run bench -- --framework`:
// L a logger (Fastify then makes a child logger per request), H root hooks like ours (a guard's
// onRequest, a preValidation, security headers onSend), R 200 other routes in 20 plugins, each
// plugin with its own onRequest hook. The route itself stays the same.
import Fastify, { type FastifyInstance } from 'fastify';

const extras = process.env.BARE_EXTRAS ?? '';
const app = Fastify({ logger: extras.includes('L') ? { level: 'warn' } : false });
app.addContentTypeParser('text/plain', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
if (extras.includes('H')) addRootHooks(app);
if (extras.includes('R')) addOtherRoutes(app);
app.register(async (beacons) => {
  beacons.post('/api/send', { bodyLimit: 64 * 1024, config: { public: true } }, async (request) => {
    const body = request.body as { payload?: { website?: string } };
    return { ok: typeof body?.payload?.website === 'string' };
  });
});
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.stdout.write(`listening ${(app.server.address() as { port: number }).port}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));

function addRootHooks(app: FastifyInstance): void {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', (request, _reply, done) => {
    if ((request.routeOptions.config as { public?: boolean }).public) return done();
    done();
  });
  app.addHook('preValidation', (_request, _reply, done) => done());
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.headers({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' });
    done(null, payload);
  });
}

function addOtherRoutes(app: FastifyInstance): void {
  const query = { type: 'object', properties: { startAt: { type: 'integer' }, unit: { type: 'string' } } };
  const answer = { 200: { type: 'object', properties: { value: { type: 'number' }, id: { type: 'string' } } } };
  for (let plugin = 0; plugin < 20; plugin++) {
    app.register(async (routes) => {
      routes.addHook('onRequest', async () => {});
      for (let route = 0; route < 10; route++) {
        routes.get(`/api/part${plugin}/route${route}/:id`, { schema: { querystring: query, response: answer } }, async (request) => ({
          value: route,
          id: (request.params as { id: string }).id,
        }));
      }
    });
  }
}
