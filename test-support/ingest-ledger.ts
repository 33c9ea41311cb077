import fc from 'fast-check';
import { expect } from 'vitest';
import type { ClickHouseClient } from '@clickhouse/client';
import { isCleanText } from '../collector/src/ingest/clean-text';
import { hostileText } from './hostile-strings';

/**
 * What a property test sent and what the collector answered, to check the ingest invariants
 * against what ClickHouse and the quarantine hold in the end.
 */
export interface Ledger {
  /** Paths of events answered 200 (each path is sent once). */
  acked: Set<string>;
  /** Paths of events sent whose answer never came (the collector was killed): stored at most once. */
  unanswered: Set<string>;
  /** Of the acknowledged, those ClickHouse will refuse (spoiled before the insert). */
  spoiled: Set<string>;
  /** distinct_id prefixes of acknowledged identify beacons. */
  identified: Set<string>;
}

export const newLedger = (): Ledger => ({ acked: new Set(), unanswered: new Set(), spoiled: new Set(), identified: new Set() });

/** One beacon's odd fields: every field a beacon has, from hostile text. */
export const oddFields = fc.record({
  title: hostileText(60),
  hostname: hostileText(30),
  referrer: hostileText(30).map((t) => (t ? `https://ref.example/${t}` : '')),
  query: hostileText(30),
  language: hostileText(35),
  screen: hostileText(11),
  tag: hostileText(50),
  name: fc.option(hostileText(40), { nil: undefined }),
  data: fc.option(fc.dictionary(hostileText(10), hostileText(20), { maxKeys: 4 }), { nil: undefined }),
});
export type OddFields = typeof oddFields extends fc.Arbitrary<infer T> ? T : never;

/** The beacon for event `path`: an ASCII path that identifies it, odd text in every other field. */
export function oddBeacon(website: string, path: string, odd: OddFields) {
  const payload: Record<string, unknown> = {
    website,
    url: `${path}?q=${odd.query}`,
    title: odd.title,
    hostname: odd.hostname,
    referrer: odd.referrer,
    language: odd.language,
    screen: odd.screen,
    tag: odd.tag,
  };
  // A custom event needs a name; data rides on custom events (Umami's rule).
  if (odd.name !== undefined) payload.name = `e${odd.name}`.slice(0, 50);
  if (odd.name !== undefined && odd.data) payload.data = odd.data;
  return { type: 'event', payload };
}

/** A spooled line of an event whose path starts /spoiled/, made into one ClickHouse refuses (a lone surrogate). */
export function spoilLine(row: Buffer): Buffer {
  const line = row.toString();
  return line.includes('"url_path":"/spoiled/') ? Buffer.from(line.replace(/"page_title":"(?:[^"\\]|\\.)*"/, '"page_title":"\\ud800"')) : row;
}

/** Every row of the quarantine directory, parsed. */
export function quarantinedPaths(rows: { row: { url_path?: string } }[]): string[] {
  return rows.map((r) => r.row.url_path ?? '').sort();
}

/**
 * The invariants, once the spool has drained: every acknowledged event stored once, unless it was
 * spoiled, and then quarantined once instead; an unanswered one stored at most once; nothing else
 * stored; every stored string clean.
 */
export async function checkInvariants(db: ClickHouseClient, website: string, ledger: Ledger, quarantined: string[]): Promise<void> {
  const result = await db.query({
    query: `SELECT url_path, count() AS n, min(isValidUTF8(page_title) AND isValidUTF8(hostname) AND isValidUTF8(url_query)
        AND isValidUTF8(referrer_path) AND isValidUTF8(event_name) AND isValidUTF8(event_data) AND isValidUTF8(tag)) AS valid,
        groupArray(concat(page_title, hostname, url_query, referrer_domain, referrer_path, referrer_query, event_name, event_data,
          tag, language, screen, utm_source, utm_medium)) AS texts
      FROM website_event WHERE website_id = {website:UUID} GROUP BY url_path`,
    query_params: { website },
    format: 'JSONEachRow',
  });
  const stored = new Map<string, { n: number; valid: number; texts: string[] }>();
  for (const row of await result.json<{ url_path: string; n: number; valid: number; texts: string[] }>()) stored.set(row.url_path, row);
  const twice = [...stored].filter(([, r]) => r.n > 1).map(([path]) => path);
  expect(twice, 'stored more than once').toEqual([]);
  const lost = [...ledger.acked].filter((path) => !ledger.spoiled.has(path) && !stored.has(path));
  expect(lost, 'acknowledged but not stored').toEqual([]);
  const strays = [...stored.keys()].filter((path) => !ledger.acked.has(path) && !ledger.unanswered.has(path));
  expect(strays, 'stored but never sent').toEqual([]);
  const spoiledStored = [...ledger.spoiled].filter((path) => stored.has(path));
  expect(spoiledStored, 'refused rows stored').toEqual([]);
  const spoiledUnanswered = [...ledger.unanswered].filter((path) => path.startsWith('/spoiled/') && quarantined.includes(path));
  expect(quarantined, 'quarantine').toEqual([...ledger.spoiled, ...spoiledUnanswered].sort());
  for (const [path, row] of stored) {
    expect(row.valid, `${path} valid UTF-8`).toBe(1);
    for (const text of row.texts) expect(isCleanText(text) && text.isWellFormed(), `${path}: ${JSON.stringify(text)}`).toBe(true);
  }
  const identities = await db.query({
    query: "SELECT splitByChar(':', distinct_id)[1] AS id, count() AS n FROM session_data WHERE website_id = {website:UUID} GROUP BY id",
    query_params: { website },
    format: 'JSONEachRow',
  });
  const counted = new Map((await identities.json<{ id: string; n: number }>()).map((r) => [r.id, r.n]));
  for (const id of ledger.identified) expect(counted.get(id), `identify ${id}`).toBe(1);
}
