import { Type, type Static } from 'typebox';
import { DateText, Nullable, PageOf } from '../shared/schema';

// The read API's answers, in Umami's shapes: the routes' response schemas (and their serializers).

const count = Type.Integer({ minimum: 0 });

export const StatsSchema = Type.Object({ pageviews: count, visitors: count, visits: count, bounces: count, totaltime: count });
export const StatsAnswer = Type.Object({ ...StatsSchema.properties, comparison: StatsSchema });

export const PointSchema = Type.Object({ x: Type.String(), y: Type.Number() });
const Series = Type.Object({ pageviews: Type.Array(PointSchema), sessions: Type.Array(PointSchema) });
export const PageviewsAnswer = Type.Object({
  ...Series.properties,
  compare: Type.Optional(Type.Object({ ...Series.properties, startDate: DateText, endDate: DateText })),
  /** With `imported=true`: the imported days' part of each bucket that has one (already added in). */
  imported: Type.Optional(Series),
});

export const MetricAnswer = Type.Array(PointSchema);

export const EventRow = Type.Object({
  id: Type.String(),
  websiteId: Type.String(),
  sessionId: Type.String(),
  visitId: Type.String(),
  createdAt: DateText,
  hostname: Type.String(),
  urlPath: Type.String(),
  urlQuery: Type.String(),
  referrerPath: Type.String(),
  referrerQuery: Type.String(),
  referrerDomain: Type.String(),
  pageTitle: Type.String(),
  eventType: Type.Integer(),
  eventName: Type.String(),
  browser: Type.String(),
  os: Type.String(),
  device: Type.String(),
  country: Type.String(),
  tag: Type.String(),
});
export const EventsAnswer = PageOf(EventRow);

export const SessionRow = Type.Object({
  id: Type.String(),
  websiteId: Type.String(),
  hostname: Type.String(),
  browser: Type.String(),
  os: Type.String(),
  device: Type.String(),
  screen: Type.String(),
  language: Type.String(),
  country: Type.String(),
  region: Type.String(),
  city: Type.String(),
  firstAt: DateText,
  lastAt: DateText,
  visits: count,
  views: count,
  events: count,
  createdAt: DateText,
});
export const SessionsAnswer = PageOf(SessionRow);

const propertyFields = { eventName: Type.String(), propertyName: Type.String(), dataType: Type.Integer(), total: count };
const PropertyRow = Type.Object(propertyFields);
const PropertyValueRow = Type.Object({ ...propertyFields, propertyValue: Type.String() });
export const EventDataPropertiesAnswer = Type.Array(PropertyRow);
export const EventDataEventsAnswer = Type.Array(PropertyValueRow);

export const ActiveAnswer = Type.Object({ visitors: count });

const Counts = Type.Record(Type.String(), Type.Number());
const RealtimeEvent = Type.Object({
  __type: Type.Union([Type.Literal('event'), Type.Literal('pageview')]),
  sessionId: Type.String(),
  eventName: Type.String(),
  createdAt: DateText,
  urlPath: Type.String(),
  referrerDomain: Type.String(),
  hostname: Type.String(),
  browser: Type.String(),
  os: Type.String(),
  device: Type.String(),
  country: Type.String(),
});
export const RealtimeAnswer = Type.Object({
  countries: Counts,
  events: Type.Array(RealtimeEvent),
  referrers: Counts,
  series: Type.Object({ views: Type.Array(PointSchema), visitors: Type.Array(PointSchema) }),
  timestamp: Type.Number(),
  totals: Type.Object({ views: count, visitors: count, events: count, countries: count }),
  urls: Counts,
});

export const DateRangeAnswer = Type.Object({ startDate: Nullable(DateText), endDate: Nullable(DateText) });

export type EventRow = Static<typeof EventRow>;
export type SessionRow = Static<typeof SessionRow>;
export type PropertyRow = Static<typeof PropertyRow>;
export type PropertyValueRow = Static<typeof PropertyValueRow>;
export type RealtimeEvent = Static<typeof RealtimeEvent>;
