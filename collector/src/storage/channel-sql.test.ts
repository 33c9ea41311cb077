import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test-support/collector';
import { channelDomains, channelOf, paidAdParams, paidMedia, referralMedia, type ChannelFacts } from '../shared/channels';
import { rows } from './client';
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
