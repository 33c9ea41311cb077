import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { rows } from './client';
import { writeRecord } from './versioned-records';

/** A single-use link or code (an invitation, a password reset, an email code) as stored. */
export interface TicketRow {
  id: string;
  kind: string;
  tokenHash: string;
  userId: string | null;
  email: string;
  role: string;
  teamId: string | null;
  teamRole: string;
  codeHash: string;
  createdBy: string | null;
  createdAt: number;
  expiresAt: number;
  revoked: boolean;
  usedAt: number | null;
}

const select = `SELECT toString(id) AS id, kind, token_hash AS tokenHash, if(user_id IS NULL, NULL, toString(user_id)) AS userId, email, role,
  if(team_id IS NULL, NULL, toString(team_id)) AS teamId, team_role AS teamRole, code_hash AS codeHash,
  if(created_by IS NULL, NULL, toString(created_by)) AS createdBy, toUnixTimestamp64Milli(created_at) AS createdAt,
  toUnixTimestamp64Milli(expires_at) AS expiresAt, revoked = 1 AS revoked,
  if(used_at IS NULL, NULL, toUnixTimestamp64Milli(used_at)) AS usedAt FROM auth_tickets FINAL`;

type Stored = Omit<TicketRow, 'revoked'> & { revoked: number | boolean };
const toTicket = (row: Stored): TicketRow => ({ ...row, revoked: row.revoked === true || row.revoked === 1 });

export async function writeTicket(db: ClickHouseClient, ticket: TicketRow): Promise<void> {
  await writeRecord(db, 'auth_tickets', {
    id: ticket.id,
    kind: ticket.kind,
    token_hash: ticket.tokenHash,
    user_id: ticket.userId,
    email: ticket.email,
    role: ticket.role,
    team_id: ticket.teamId,
    team_role: ticket.teamRole,
    code_hash: ticket.codeHash,
    created_by: ticket.createdBy,
    created_at: ticket.createdAt,
    expires_at: ticket.expiresAt,
    revoked: ticket.revoked ? 1 : 0,
    used_at: ticket.usedAt,
  });
}

/** The ticket whose secret hashes to `tokenHash`, of this kind, or null. */
export async function ticketByHash(db: ClickHouseClient, kind: string, tokenHash: string): Promise<TicketRow | null> {
  const [row] = await rows<Stored>(db, `${select} WHERE token_hash = {tokenHash:String} AND kind = {kind:String} LIMIT 1`, { tokenHash, kind });
  return row ? toTicket(row) : null;
}

export async function ticketById(db: ClickHouseClient, id: string): Promise<TicketRow | null> {
  const [row] = await rows<Stored>(db, `${select} WHERE id = {id:String} LIMIT 1`, { id: id.toLowerCase() });
  return row ? toTicket(row) : null;
}

/** Live (unused, unrevoked, unexpired) tickets of a kind, newest first; `teamId` narrows to one team's, `userId` to one user's. */
export async function liveTickets(db: ClickHouseClient, kind: string, { teamId, userId }: { teamId?: string; userId?: string } = {}): Promise<TicketRow[]> {
  const found = await rows<Stored>(
    db,
    `${select} WHERE kind = {kind:String} AND revoked = 0 AND used_at IS NULL AND expires_at > now64(3)
      ${teamId ? 'AND team_id = toUUIDOrZero({teamId:String})' : ''} ${userId ? 'AND user_id = toUUIDOrZero({userId:String})' : ''}
      ORDER BY created_at DESC LIMIT 1000`,
    { kind, teamId: teamId ?? '', userId: userId ?? '' },
  );
  return found.map(toTicket);
}

/**
 * Claims a ticket for one use: records a claim, then reads which claim came first (by time, then
 * claim id). True only for the first seen. Within a collector claims run one at a time (see
 * Tickets); across collectors, two claims within the same few milliseconds on clocks that
 * disagree could both win, which docs/security.md names.
 */
export async function claimTicket(db: ClickHouseClient, ticketId: string): Promise<boolean> {
  const claimId = randomUUID();
  await db.insert({ table: 'auth_ticket_claims', values: [{ ticket_id: ticketId, claim_id: claimId, at: Date.now() * 1000 }], format: 'JSONEachRow' });
  const [first] = await rows<{ claimId: string }>(
    db,
    'SELECT toString(claim_id) AS claimId FROM auth_ticket_claims WHERE ticket_id = toUUID({ticketId:String}) ORDER BY at, claim_id LIMIT 1',
    { ticketId },
  );
  return first?.claimId === claimId;
}
