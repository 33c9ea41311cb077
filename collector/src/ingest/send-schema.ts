import { Type, type Static } from 'typebox';
import { StringEnum } from '../shared/schema';

/**
 * Umami's beacon, `POST /api/send`. Limits follow Umami's: hostname 100, language 35, screen 11,
 * event name and tag 50. url, referrer and title are accepted up to 2,000 characters and stored
 * cut to 500. Unknown extra fields are ignored.
 */
const text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
/** A web vital: milliseconds (CLS: a unitless score), at most an hour's worth. */
const vital = Type.Optional(Type.Number({ minimum: 0, maximum: 3_600_000 }));

export const SendPayloadSchema = Type.Object({
  /** Absent when the `x-umami-website-id` header names the website (Umami's current framework plugins). */
  website: Type.Optional(Type.String({ maxLength: 36 })),
  hostname: text(100),
  language: text(35),
  referrer: text(2000),
  screen: text(11),
  title: text(2000),
  url: text(2000),
  name: text(50),
  tag: text(50),
  id: text(50),
  data: Type.Optional(Type.Unsafe<Record<string, unknown>>({ type: 'object' })),
  // Web vitals, on `performance` beacons (Umami's current tracker with data-performance, and ours).
  lcp: vital,
  inp: vital,
  cls: vital,
  fcp: vital,
  ttfb: vital,
  duration: vital,
});

export const sendBodySchema = Type.Object({ type: StringEnum(['event', 'identify', 'performance']), payload: SendPayloadSchema });

export type SendPayload = Static<typeof SendPayloadSchema>;
export type SendBody = Static<typeof sendBodySchema>;

/**
 * The answer: the visitor's ids and the cache token the tracker sends back (x-umami-cache), or
 * `{beep: 'boop'}` for a bot (Umami's answer). One object with optional fields rather than a
 * choice of two, so the beacon's serializer never has to test which one it has.
 */
export const SendAnswer = Type.Object({
  cache: Type.Optional(Type.String()),
  sessionId: Type.Optional(Type.String()),
  visitId: Type.Optional(Type.String()),
  beep: Type.Optional(Type.Literal('boop')),
  /** Why the beacon was not stored under the website's counting rules (see ingest-rules.ts). */
  dropped: Type.Optional(Type.String()),
});
