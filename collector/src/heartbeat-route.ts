import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AuthDeps } from './auth/auth-deps';
import { authenticate } from './auth/guard';
import type { DiskGuard } from './pipeline/disk-guard';
import type { Quarantine } from './pipeline/quarantine';
import type { SpoolWriter } from './pipeline/spool-writer';

const count = Type.Integer({ minimum: 0 });

/**
 * `GET /api/heartbeat`: `ok` (200) while the collector accepts events (they wait in the spool while
 * storage is away); 503 with `ok: false` while the data directory's disk is (nearly) full, `disk`
 * saying so. `storage` says whether inserts succeed, and since when they fail. The error, the
 * backlog, the quarantine and the free space are for operators (HEARTBEAT_DETAIL_FROM, or a
 * signed-in admin).
 */
export const HeartbeatAnswer = Type.Object({
  ok: Type.Boolean(),
  disk: Type.Object({ ok: Type.Boolean(), freeBytes: Type.Optional(count), minFreeBytes: Type.Optional(count) }),
  storage: Type.Object({ ok: Type.Boolean(), since: Type.Optional(Type.String()), error: Type.Optional(Type.String()) }),
  backlog: Type.Optional(Type.Object({ rows: count, bytes: count })),
  quarantine: Type.Optional(Type.Object({ rows: count, bytes: count, discardedRows: count })),
});

export interface HeartbeatDeps {
  /** Addresses told the operators' detail without signing in (HEARTBEAT_DETAIL_FROM). */
  detailFrom: readonly string[];
  auth: Pick<AuthDeps, 'users' | 'tokens' | 'apiKeys'>;
  writer: SpoolWriter;
  diskGuard: DiskGuard;
  quarantine: Quarantine;
}

/** `GET /api/heartbeat` (see HeartbeatAnswer). */
export function heartbeatRoute(app: FastifyInstance, { detailFrom, auth, writer, diskGuard, quarantine }: HeartbeatDeps): void {
  app.get('/api/heartbeat', { schema: { response: { 200: HeartbeatAnswer, 503: HeartbeatAnswer } }, config: { public: true } }, async (request, reply) => {
    const detail = detailFrom.includes(request.ip) || (await authenticate(request, auth))?.user.role === 'admin';
    // Events are accepted while storage is away (they wait in the spool): `ok` stays true, `storage` says what is wrong.
    const failure = writer.insertFailure;
    const storage = failure ? { ok: false, since: failure.since, ...(detail ? { error: failure.error } : {}) } : { ok: true };
    // A (nearly) full disk is the one reason events are refused: 503, and `disk` says so.
    const ok = diskGuard.accepting;
    const disk = { ok, ...(detail ? { freeBytes: Math.min(diskGuard.freeBytes, Number.MAX_SAFE_INTEGER), minFreeBytes: diskGuard.minFreeBytes } : {}) };
    reply.code(ok ? 200 : 503);
    return detail ? { ok, disk, storage, backlog: writer.backlog, quarantine: quarantine.stats } : { ok, disk, storage };
  });
}
