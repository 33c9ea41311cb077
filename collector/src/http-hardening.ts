import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * Headers on every answer: no MIME sniffing, no referrer leaving our pages, never framed (the
 * answers are JSON and the tracker; the dashboard is not meant to be embedded), and nothing a
 * signed-in user was told kept in a shared or browser cache. `always`: the headers on every answer
 * (the content security policy too, unless a route sets its own).
 */
const always = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' };
const defaultPolicy = "frame-ancestors 'none'";
/** The same headers as raw HTTP lines, for the answers written outside Fastify. */
const rawSecurityHeaders = Object.entries({ ...always, 'content-security-policy': defaultPolicy })
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

export function installSecurityHeaders(app: FastifyInstance): void {
  // Every answer, /api/send's too: one object set once, in a callback hook (no promise per answer).
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.headers(always);
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', defaultPolicy);
    if (request.auth) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
}

const statusText: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/**
 * Answers a request Node refused before Fastify saw it (headers over 16 KB, a malformed request
 * line) in the API's JSON error shape, as Fastify's own handler would otherwise not.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) return void socket.destroy();
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const [code, message] =
    status === 431
      ? ['headers-too-large', 'The request headers are larger than 16 KB']
      : status === 408
        ? ['timeout', 'The request took too long']
        : ['bad-request', 'The request is not valid HTTP'];
  const body = JSON.stringify({ error: { message, code, status } });
  socket.end(
    `HTTP/1.1 ${status} ${statusText[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${rawSecurityHeaders}Connection: close\r\n\r\n${body}`,
  );
}
