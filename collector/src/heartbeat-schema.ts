import { Type } from 'typebox';

const count = Type.Integer({ minimum: 0 });

/**
 * `GET /api/heartbeat`: `ok` while the collector accepts events (they wait in the spool while
 * storage is away); `storage` says whether inserts succeed, and since when they fail. The error,
 * the backlog and the quarantine are for operators (HEARTBEAT_DETAIL_FROM, or a signed-in admin).
 */
export const HeartbeatAnswer = Type.Object({
  ok: Type.Literal(true),
  storage: Type.Object({ ok: Type.Boolean(), since: Type.Optional(Type.String()), error: Type.Optional(Type.String()) }),
  backlog: Type.Optional(Type.Object({ rows: count, bytes: count })),
  quarantine: Type.Optional(Type.Object({ rows: count, bytes: count, discardedRows: count })),
});
