import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { authenticate } from '../auth/guard';
import type { AuthDeps } from '../auth/auth-deps';
import { ApiError } from '../errors';
import type { BackupManifest } from '../storage/backup';

/**
 * The signature `npm run backup` sends a running collector: the time and an HMAC of it and the
 * backup's name under the app secret (DATA_DIR/app-secret), so whoever may read the data
 * directory may ask for a backup without an account. Valid for a minute.
 */
export function backupSignature(appSecret: string, name: string, time = Date.now()): string {
  return `${time}.${createHmac('sha256', appSecret).update(`backup ${time} ${name}`).digest('hex')}`;
}

function signedByOperator(appSecret: string, name: string, header: unknown): boolean {
  if (typeof header !== 'string') return false;
  const [time, mac] = header.split('.');
  if (!time || !mac || Math.abs(Date.now() - Number(time)) > 60_000) return false;
  const expected = Buffer.from(backupSignature(appSecret, name, Number(time)).split('.')[1]!);
  const given = Buffer.from(mac);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const Body = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$' }) });

/**
 * `POST /api/admin/backups {name}`: a backup of the embedded engine into BACKUP_DIR/name, taken
 * while events keep being acknowledged (docs/backups.md). For an admin, or `npm run backup` (signed).
 */
export function backupRoute(
  app: FastifyInstance,
  deps: { appSecret: string; auth: AuthDeps; backup: (name: string) => Promise<BackupManifest & { dir: string; seconds: number }> },
): void {
  app.post<{ Body: { name: string } }>(
    '/api/admin/backups',
    {
      schema: {
        body: Body,
        response: {
          200: Type.Object({
            dir: Type.String(),
            createdAt: Type.String(),
            segments: Type.Array(Type.String()),
            spooledRows: Type.Integer(),
            seconds: Type.Number(),
          }),
        },
      },
      // Checked here: an admin's credentials, or the operator's signature.
      config: { public: true },
    },
    async (request: FastifyRequest<{ Body: { name: string } }>) => {
      const { name } = request.body;
      if (!signedByOperator(deps.appSecret, name, request.headers['x-backup-signature'])) {
        const auth = await authenticate(request, deps.auth);
        if (!auth) throw new ApiError('unauthorized');
        if (auth.user.role !== 'admin') throw new ApiError('forbidden');
      }
      const { format: _format, ...answer } = await deps.backup(name);
      return answer;
    },
  );
}
