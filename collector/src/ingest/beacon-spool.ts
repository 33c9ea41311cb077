import type { SpoolWriter } from '../pipeline/spool-writer';
import { cleanStrings } from './clean-text';
import { buildEventRow, buildSessionDataRow, type EventRow, type SessionDataRow } from './event-row';
import type { Location } from './geo';
import { buildPerformanceRow, measuredVitals } from './performance-row';
import type { Revenue } from './revenue';
import type { SendBody, SendPayload } from './send-schema';
import { SessionTies } from './session-ties';
import type { AgentInfo } from './user-agent';
import type { VisitorIds } from './visitors';

/** A beacon that passed every check: its type, its payload (website and hostname settled) and the order it records. */
export interface AdmittedBeacon {
  type: SendBody['type'];
  payload: SendPayload & { website: string };
  revenue: Revenue | null;
}

/** What the request told us about the beacon's sender. */
export interface Sender {
  ids: VisitorIds;
  agent: AgentInfo;
  /** The sender's place, looked up only for the beacons that store it. */
  locate: () => Location;
  now: number;
}

/**
 * Turns an admitted beacon into the rows it stores and spools them: session data for an identify
 * call, a page's vitals (none reported: nothing), or an event with, beside it, the order it
 * records and the row that ties its session to a distinct id.
 */
export class BeaconSpool {
  readonly #ties = new SessionTies();

  constructor(private readonly writer: SpoolWriter) {}

  /** Resolves true once every row is written, false when the spool's disk budget is spent; rejects when the disk is full or a write fails. */
  store({ type, payload, revenue }: AdmittedBeacon, { ids, agent, locate, now }: Sender): Promise<boolean> {
    const distinctId = payload.id;
    // The first identify call or event of a session carrying a distinct id ties the session to
    // it: an identify call by its own row, an event (Umami's tracker sends the id with each one)
    // by a row beside it.
    const firstTie = () => distinctId !== undefined && distinctId !== '' && this.#ties.first(ids.sessionId, distinctId);
    if (type === 'identify') {
      const row = buildSessionDataRow(payload, ids.sessionId, now);
      return firstTie() ? this.#writeTie(ids.sessionId, distinctId!, row) : this.writer.enqueue('session_data', row);
    }
    if (type === 'performance') {
      return measuredVitals(payload)
        ? this.writer.enqueue('website_performance', buildPerformanceRow(payload, ids, agent, locate(), now))
        : Promise.resolve(true);
    }
    const event = this.#enqueueEvent(buildEventRow(payload, ids, agent, locate(), now), revenue);
    if (!firstTie()) return event;
    const tie = this.#writeTie(ids.sessionId, distinctId!, buildSessionDataRow({ ...payload, data: undefined }, ids.sessionId, now));
    return Promise.all([tie, event]).then(([tied, stored]) => tied && stored);
  }

  /** Writes a row that ties a session to a distinct id (see session-ties.ts); forgets the tie if it could not be written. */
  async #writeTie(sessionId: string, distinctId: string, row: SessionDataRow): Promise<boolean> {
    const written = await this.writer.enqueue('session_data', row);
    if (!written) this.#ties.forget(sessionId, distinctId);
    return written;
  }

  /** An event, and beside it the order it records (one spool line each; acknowledged once both are written). */
  async #enqueueEvent(row: EventRow, revenue: Revenue | null): Promise<boolean> {
    if (!revenue) return this.writer.enqueue('website_event', row);
    const [event, order] = await Promise.all([
      this.writer.enqueue('website_event', row),
      this.writer.enqueue(
        'website_revenue',
        cleanStrings({
          website_id: row.website_id,
          session_id: row.session_id,
          visit_id: row.visit_id,
          event_id: row.event_id,
          created_at: row.created_at,
          event_name: row.event_name,
          currency: revenue.currency,
          revenue: revenue.revenue,
          order_key: revenue.orderId ? `order:${revenue.orderId}` : `event:${row.event_id}`,
        }),
      ),
    ]);
    return event && order;
  }
}
