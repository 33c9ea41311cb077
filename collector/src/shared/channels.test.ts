import { describe, expect, it } from 'vitest';
import { channelOf, type ChannelFacts } from './channels';

const visit = (facts: Partial<ChannelFacts>): ChannelFacts => ({
  referrerDomain: '',
  hostname: 'shop.example',
  urlQuery: '',
  utmMedium: '',
  utmSource: '',
  ...facts,
});

describe('channelOf', () => {
  it.each([
    [visit({}), 'direct'],
    [visit({ urlQuery: 'gclid=abc', referrerDomain: 'google.com' }), 'paidAds'],
    [visit({ referrerDomain: 'www.google.de' }), 'organicSearch'],
    [visit({ referrerDomain: 'www.google.de', utmMedium: 'PPC', urlQuery: 'utm_medium=PPC' }), 'paidSearch'],
    [visit({ referrerDomain: 'old.reddit.com' }), 'organicSocial'],
    [visit({ referrerDomain: 'facebook.com', utmMedium: 'paid', urlQuery: 'x=1' }), 'paidSocial'],
    [visit({ urlQuery: 'utm_medium=newsletter-mail', utmMedium: 'newsletter-mail' }), 'email'],
    [visit({ urlQuery: 'utm_source=sms', utmSource: 'sms' }), 'sms'],
    [visit({ urlQuery: 'utm_medium=affiliate', utmMedium: 'affiliate' }), 'affiliate'],
    [visit({ referrerDomain: 'www.youtube.com' }), 'organicVideo'],
    [visit({ referrerDomain: 'amazon.de' }), 'organicShopping'],
    [visit({ referrerDomain: 'blog.example' }), 'referral'],
    // The site's own pages as referrer, with nothing else to go by: no channel.
    [visit({ referrerDomain: 'shop.example' }), ''],
  ])('%o is %s', (facts, expected) => {
    expect(channelOf(facts)).toBe(expected);
  });

  it('lowers ASCII letters only, as ClickHouse does', () => {
    // U+212A KELVIN SIGN lowers to "k" in JavaScript; ClickHouse's lower() leaves it.
    expect(channelOf(visit({ referrerDomain: 'lin\u212Aedin.com' }))).toBe('referral');
  });
});
