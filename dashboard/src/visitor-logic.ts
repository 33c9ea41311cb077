/** One event of a visitor's activity, as `/sessions/:id/activity` answers it. */
export interface ActivityEvent {
  createdAt: string;
  eventId: string;
  eventType: number;
  eventName: string;
  urlPath: string;
  pageTitle: string;
  referrerDomain: string;
  visitId: string;
  data: unknown;
}

export interface VisitGroup {
  visitId: string;
  startedAt: string;
  /** Where the visit came from: its first event's referrer ('' for none). */
  referrer: string;
  events: ActivityEvent[];
}

/**
 * A visitor's activity (newest first, as the API gives it) as visits in time order, each with its
 * events oldest first: how a timeline reads.
 */
export function groupByVisit(activity: readonly ActivityEvent[]): VisitGroup[] {
  const ordered = [...activity].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.eventId < b.eventId ? -1 : 1));
  const visits = new Map<string, VisitGroup>();
  for (const event of ordered) {
    const visit = visits.get(event.visitId) ?? { visitId: event.visitId, startedAt: event.createdAt, referrer: event.referrerDomain, events: [] };
    visit.events.push(event);
    visits.set(event.visitId, visit);
  }
  return [...visits.values()].sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
}
