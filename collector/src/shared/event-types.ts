/** The stored `event_type`: what ingest writes and the read queries select on. */
export const eventType = { pageview: 1, custom: 2 } as const;
