import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { oneAtATime } from '../shared/one-at-a-time';
import { claimTicket, liveTickets, ticketByHash, ticketById, writeTicket, type TicketRow } from '../storage/auth-tickets-table';
import { sha256 } from './tokens';

export type TicketKind = 'invite' | 'reset' | 'otp';
export type Ticket = TicketRow & { kind: TicketKind };

/** How long each kind lives. */
export const ticketLifetimeMs: Record<TicketKind, number> = { invite: 7 * 24 * 3600_000, reset: 3600_000, otp: 10 * 60_000 };

/** Wrong codes an email-code ticket takes before it is revoked. */
export const otpAttempts = 5;

const codeHash = (ticketId: string, code: string) => sha256(`${ticketId}:${code}`);

/**
 * Single-use secrets sent to people: invitations, password resets and email codes. The secret is
 * 256 random bits shown once (in a link or an answer) and stored as its SHA-256; each ticket
 * expires, can be revoked, and is used at most once.
 */
export class Tickets {
  readonly #claims = oneAtATime();
  readonly #wrongCodes = new Map<string, number>();

  constructor(private readonly db: ClickHouseClient) {}

  async create(
    kind: TicketKind,
    fields: Partial<Pick<Ticket, 'userId' | 'email' | 'role' | 'teamId' | 'teamRole' | 'createdBy'>> & { code?: string; lifetimeMs?: number },
  ): Promise<{ ticket: Ticket; token: string }> {
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    const id = randomUUID();
    const ticket: Ticket = {
      id,
      kind,
      tokenHash: sha256(token),
      userId: fields.userId ?? null,
      email: fields.email ?? '',
      role: fields.role ?? '',
      teamId: fields.teamId ?? null,
      teamRole: fields.teamRole ?? '',
      codeHash: fields.code ? codeHash(id, fields.code) : '',
      createdBy: fields.createdBy ?? null,
      createdAt: now,
      expiresAt: now + (fields.lifetimeMs ?? ticketLifetimeMs[kind]),
      revoked: false,
      usedAt: null,
    };
    await writeTicket(this.db, ticket);
    return { ticket, token };
  }

  /** The live ticket of this kind behind a secret: not expired, revoked or used; else null. */
  async find(kind: TicketKind, token: string, now = Date.now()): Promise<Ticket | null> {
    if (!token || token.length > 256) return null;
    const ticket = (await ticketByHash(this.db, kind, sha256(token))) as Ticket | null;
    return ticket && live(ticket, now) ? ticket : null;
  }

  /** Uses a live ticket: true once, for the first caller; false for every later one (or a dead ticket). */
  use(ticket: Ticket): Promise<boolean> {
    return this.#claims(async () => {
      const current = await ticketById(this.db, ticket.id);
      if (!current || !live(current, Date.now())) return false;
      if (!(await claimTicket(this.db, ticket.id))) return false;
      await writeTicket(this.db, { ...current, usedAt: Date.now() });
      return true;
    });
  }

  /**
   * Checks an email code against its ticket and uses the ticket when it matches. A wrong code
   * counts; after `otpAttempts` wrong ones the ticket is revoked, so a code cannot be guessed.
   */
  async useCode(ticket: Ticket, code: string): Promise<'ok' | 'wrong' | 'spent'> {
    const expected = Buffer.from(ticket.codeHash, 'hex');
    const given = Buffer.from(codeHash(ticket.id, code), 'hex');
    if (expected.length === given.length && timingSafeEqual(expected, given)) return (await this.use(ticket)) ? 'ok' : 'spent';
    const wrong = (this.#wrongCodes.get(ticket.id) ?? 0) + 1;
    if (this.#wrongCodes.size > 100_000) this.#wrongCodes.clear();
    this.#wrongCodes.set(ticket.id, wrong);
    if (wrong >= otpAttempts) await this.revoke(ticket);
    return 'wrong';
  }

  async revoke(ticket: Ticket): Promise<void> {
    await writeTicket(this.db, { ...ticket, revoked: true });
  }

  async byId(id: string): Promise<Ticket | null> {
    return (await ticketById(this.db, id)) as Ticket | null;
  }

  /** Live tickets of a kind (a team's or a user's when named), newest first. */
  list(kind: TicketKind, scope: { teamId?: string; userId?: string } = {}): Promise<Ticket[]> {
    return liveTickets(this.db, kind, scope) as Promise<Ticket[]>;
  }

  /** Revokes every live ticket of a kind for a user (older reset links once one was used). */
  async revokeAllOf(kind: TicketKind, userId: string): Promise<void> {
    for (const ticket of await this.list(kind, { userId })) await this.revoke(ticket);
  }
}

const live = (ticket: TicketRow, now: number) => !ticket.revoked && ticket.usedAt === null && ticket.expiresAt > now;
