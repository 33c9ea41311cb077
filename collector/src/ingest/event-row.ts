import { randomUUID } from 'node:crypto';
import { eventType } from '../shared/event-types';
import type { SendPayload } from './send-schema';
import { deviceOf, type AgentInfo } from './user-agent';
import type { Location } from './geo';
import type { VisitPageview } from './visitors';
import { cutToStoredLength, safeDecode, splitLocation } from './page-location';
import { cleanJson, cleanStrings } from './clean-text';

/** One row of `website_event`, as inserted. */
export interface EventRow {
  website_id: string;
  session_id: string;
  visit_id: string;
  event_id: string;
  created_at: number;
  event_type: number;
  event_name: string;
  hostname: string;
  url_path: string;
  url_query: string;
  page_title: string;
  referrer_domain: string;
  referrer_path: string;
  referrer_query: string;
  utm_source: string;
  utm_medium: string;
  utm_campaign: string;
  utm_content: string;
  utm_term: string;
  browser: string;
  os: string;
  device: string;
  screen: string;
  language: string;
  country: string;
  region: string;
  city: string;
  tag: string;
  event_data: string;
  visit_pageview: number;
  visit_gap_ms: number;
  visit_start: number;
}

/** One row of `session_data` (from `identify`), as inserted. */
export interface SessionDataRow {
  website_id: string;
  session_id: string;
  distinct_id: string;
  data: string;
  created_at: number;
}

/**
 * Builds the stored event from a validated beacon and what the request told us. Every string in
 * it is clean (see clean-text.ts): whatever a beacon holds, its row can be stored.
 */
export function buildEventRow(
  payload: SendPayload & { website: string },
  ids: { sessionId: string; visitId: string; pageview: VisitPageview },
  agent: AgentInfo,
  place: Location,
  now: number,
): EventRow {
  const hostname = payload.hostname ?? '';
  const screen = payload.screen ?? '';
  const location = splitLocation(payload.url ?? '', payload.referrer ?? '', hostname);
  const name = payload.name ?? '';
  return cleanStrings({
    website_id: payload.website,
    session_id: ids.sessionId,
    visit_id: ids.visitId,
    event_id: randomUUID(),
    created_at: now,
    event_type: name ? eventType.custom : eventType.pageview,
    event_name: name,
    hostname,
    url_path: location.urlPath,
    url_query: location.urlQuery,
    // Umami's trackers up to v2.10 send the title through encodeURIComponent; Umami decodes it too.
    page_title: cutToStoredLength(safeDecode(payload.title ?? '', decodeURIComponent)),
    referrer_domain: location.referrerDomain,
    referrer_path: location.referrerPath,
    referrer_query: location.referrerQuery,
    utm_source: location.utm.source,
    utm_medium: location.utm.medium,
    utm_campaign: location.utm.campaign,
    utm_content: location.utm.content,
    utm_term: location.utm.term,
    browser: agent.browser,
    os: agent.os,
    device: deviceOf(agent, screen),
    screen,
    language: payload.language ?? '',
    country: place.country,
    region: place.region,
    city: place.city,
    tag: payload.tag ?? '',
    event_data: payload.data ? JSON.stringify(cleanJson(payload.data)) : '',
    visit_pageview: ids.pageview.index,
    visit_gap_ms: Math.min(ids.pageview.gapMs, 0xffffffff),
    visit_start: ids.pageview.visitStart,
  });
}

/** Builds the stored session data of an `identify` beacon, its strings clean like an event's. */
export function buildSessionDataRow(payload: SendPayload & { website: string }, sessionId: string, now: number): SessionDataRow {
  return cleanStrings({
    website_id: payload.website,
    session_id: sessionId,
    distinct_id: payload.id ?? '',
    data: payload.data ? JSON.stringify(cleanJson(payload.data)) : '',
    created_at: now,
  });
}
