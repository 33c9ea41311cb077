import { Type } from 'typebox';

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
