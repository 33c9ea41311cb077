import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';
import { channelDomains, channelOf, paidAdParams, paidMedia, referralMedia, type ChannelFacts } from '../shared/channels';
import { rows } from '../storage/client';
import { channelExpression } from './channel-sql';

/** The channel expression the engine runs decides as the plain function does, for facts built from the lists' own fragments and noise. */
let collector: TestCollector;
beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(() => collector?.destroy());

const fragments = [
  ...Object.values(channelDomains).flat(),
  ...paidAdParams,
  ...paidMedia,
  ...referralMedia,
  'affiliate',
  'sms',
  'organic',
  'mail',
  'shop',
  'video',
];
const piece = fc.oneof(
  fc.constantFrom(...fragments),
  fc.constantFrom(...fragments).map((text) => text.toUpperCase()),
  fc.constantFrom('', 'example.com', 'K', 'é', '\u212A'),
  fc.string({ maxLength: 4 }),
);
const text = fc.array(piece, { maxLength: 3 }).map((parts) => parts.join(''));
const facts = fc.record({ referrerDomain: text, hostname: fc.oneof(text, fc.constant('example.com')), urlQuery: text, utmMedium: text, utmSource: text });

describe('channel expression', () => {
  it('equals channelOf', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(facts, { minLength: 1, maxLength: 50 }), async (all: ChannelFacts[]) => {
        const found = await rows<{ c: string }>(
          collector.db,
          `SELECT ${channelExpression} AS c FROM (
             SELECT f.1 AS referrer_domain, f.2 AS hostname, f.3 AS url_query, f.4 AS utm_medium, f.5 AS utm_source, f.6 AS i
             FROM (SELECT arrayJoin(arrayZip({r:Array(String)}, {h:Array(String)}, {q:Array(String)}, {m:Array(String)}, {s:Array(String)}, range(length({r:Array(String)})))) AS f))
           ORDER BY i`,
          {
            r: all.map((f) => f.referrerDomain),
            h: all.map((f) => f.hostname),
            q: all.map((f) => f.urlQuery),
            m: all.map((f) => f.utmMedium),
            s: all.map((f) => f.utmSource),
          },
        );
        expect(found.map((row) => row.c)).toEqual(all.map(channelOf));
      }),
      { numRuns: 100 },
    );
  });
});

describe('the channel metric', () => {
  it("ranks channels by the visitors of their pageviews, as a plain reading with channelOf does (Umami's type=channel)", { timeout: 120_000 }, async () => {
    const token = await collector.login();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ facts, session: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 30 }), async (views) => {
        const site = await collector.createWebsite(token, 'channels');
        const sessions = Array.from({ length: 6 }, () => randomUUID());
        const at = Date.now() - 60_000;
        await collector.db.insert({
          table: 'website_event',
          values: views.map(({ facts: f, session }) => ({
            website_id: site,
            session_id: sessions[session],
            visit_id: sessions[session],
            event_id: randomUUID(),
            created_at: at,
            event_type: 1,
            url_path: '/',
            hostname: f.hostname,
            referrer_domain: f.referrerDomain,
            url_query: f.urlQuery,
            utm_medium: f.utmMedium,
            utm_source: f.utmSource,
          })),
          format: 'JSONEachRow',
        });
        const visitors = new Map<string, Set<number>>();
        for (const { facts: f, session } of views) {
          const channel = channelOf(f);
          if (channel) visitors.set(channel, (visitors.get(channel) ?? new Set()).add(session));
        }
        const expected = [...visitors].map(([x, who]) => ({ x, y: who.size })).sort((a, b) => b.y - a.y || (a.x < b.x ? -1 : 1));
        const response = await collector.request(`/api/websites/${site}/metrics?startAt=${at - 1000}&endAt=${Date.now()}&type=channel`, { token });
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual(expected);
      }),
      { numRuns: 20 },
    );
  });
});
