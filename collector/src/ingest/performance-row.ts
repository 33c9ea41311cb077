import type { Location } from './geo';
import { cleanStrings } from './clean-text';
import { splitLocation } from './page-location';
import type { SendPayload } from './send-schema';
import { deviceOf, type AgentInfo } from './user-agent';

/** One row of `website_performance`: a page's web vitals, as inserted. A vital not measured is null. */
export interface PerformanceRow {
  website_id: string;
  session_id: string;
  visit_id: string;
  created_at: number;
  hostname: string;
  url_path: string;
  browser: string;
  os: string;
  device: string;
  country: string;
  lcp: number | null;
  inp: number | null;
  cls: number | null;
  fcp: number | null;
  ttfb: number | null;
  duration: number;
}

/** Whether a beacon reports any web vital (one that reports none stores nothing). */
export const measuredVitals = (payload: SendPayload) => [payload.lcp, payload.inp, payload.cls, payload.fcp, payload.ttfb].some((value) => value !== undefined);

const rounded = (value: number | undefined, digits: number) => (value === undefined ? null : Number(value.toFixed(digits)));

/** Builds the stored vitals of a `performance` beacon, for the page it names. */
export function buildPerformanceRow(
  payload: SendPayload & { website: string },
  ids: { sessionId: string; visitId: string },
  agent: AgentInfo,
  place: Location,
  now: number,
): PerformanceRow {
  const hostname = payload.hostname ?? '';
  // With the referrer, as the counting rules split it: one parse, from splitLocation's cache.
  const location = splitLocation(payload.url ?? '', payload.referrer ?? '', hostname);
  return cleanStrings({
    website_id: payload.website,
    session_id: ids.sessionId,
    visit_id: ids.visitId,
    created_at: now,
    hostname,
    url_path: location.urlPath,
    browser: agent.browser,
    os: agent.os,
    device: deviceOf(agent, payload.screen ?? ''),
    country: place.country,
    // Milliseconds to a tenth; CLS to four decimals (its good threshold is 0.1).
    lcp: rounded(payload.lcp, 1),
    inp: rounded(payload.inp, 1),
    cls: rounded(payload.cls, 4),
    fcp: rounded(payload.fcp, 1),
    ttfb: rounded(payload.ttfb, 1),
    duration: Math.round(payload.duration ?? 0),
  });
}
