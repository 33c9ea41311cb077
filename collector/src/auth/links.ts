import type { FastifyRequest } from 'fastify';

/**
 * A dashboard link carrying a secret after `#` (so it never reaches an access log): under
 * PUBLIC_URL when set, else the address the request came in on (only ever for links shown to the
 * signed-in person who asked; mail sent to others needs PUBLIC_URL, see config.ts).
 */
export function dashboardLink(request: FastifyRequest, publicUrl: string | null, hash: string): string {
  const base = publicUrl ?? `${request.protocol}://${request.host}`;
  return `${base}/#/${hash}`;
}
