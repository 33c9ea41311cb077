/**
 * Where a visit came from, as one word: Umami's channels (its current `channel` metric and revenue
 * report), decided by the referrer's domain, the landing page's query string and its UTM medium
 * and source. The lists are the facts Umami's classification uses; reads/channel-sql.ts builds
 * the same decision as a ClickHouse expression, and channels.test.ts holds the two together.
 */
export const channelDomains = {
  search: ['baidu.com', 'bing.com', 'chatgpt.com', 'duckduckgo.com', 'ecosia.org', 'google.', 'msn.com', 'perplexity.ai', 'search.brave.com', 'yandex.'],
  social: [
    'bsky.app',
    'facebook.com',
    'fb.com',
    'ig.com',
    'instagram.com',
    'linkedin.',
    'news.ycombinator.com',
    'pinterest.',
    'reddit.',
    'snapchat.',
    't.co',
    'threads.net',
    'tiktok.',
    'twitter.com',
    'x.com',
  ],
  email: ['gmail.', 'hotmail.', 'mail.yahoo.', 'outlook.', 'proton.me', 'protonmail.'],
  shopping: ['alibaba.com', 'aliexpress.com', 'amazon.', 'bestbuy.com', 'ebay.com', 'etsy.com', 'newegg.com', 'target.com', 'walmart.com'],
  video: ['twitch.', 'youtube.'],
} as const;

/** Query-string fragments that mark a click on a paid ad (ad networks' click ids, paid UTM media). */
export const paidAdParams = [
  'ad_id=',
  'aid=',
  'dclid=',
  'epik=',
  'fbclid=',
  'gclid=',
  'li_fat_id=',
  'msclkid=',
  'ob_click_id=',
  'pc_id=',
  'rdt_cid=',
  'scid=',
  'ttclid=',
  'twclid=',
  'utm_medium=cpc',
  'utm_medium=paid',
  'utm_medium=paid_social',
  'utm_source=google',
] as const;

/** UTM media that make a search, social, shopping or video visit a paid one. */
export const paidMedia = ['cp', 'ppc', 'retargeting', 'paid'] as const;
export const referralMedia = ['referral', 'app', 'link'] as const;

export const channels = [
  'direct',
  'paidAds',
  'referral',
  'affiliate',
  'sms',
  'organicSearch',
  'paidSearch',
  'organicSocial',
  'paidSocial',
  'email',
  'organicShopping',
  'paidShopping',
  'organicVideo',
  'paidVideo',
] as const;
export type Channel = (typeof channels)[number];

export interface ChannelFacts {
  referrerDomain: string;
  hostname: string;
  urlQuery: string;
  utmMedium: string;
  utmSource: string;
}

const anyIn = (text: string, needles: readonly string[]) => needles.some((needle) => text.includes(needle));
/** ASCII letters only, as ClickHouse's lower() does (JavaScript's would turn the Kelvin sign into a k). */
const lower = (text: string) => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());

/** The channel of one event's facts, or '' when none applies (an internal referrer with nothing else to go by). */
export function channelOf(facts: ChannelFacts): Channel | '' {
  const referrer = lower(facts.referrerDomain);
  const query = lower(facts.urlQuery);
  const medium = lower(facts.utmMedium);
  const source = lower(facts.utmSource);
  const prefix = anyIn(medium, paidMedia) ? 'paid' : 'organic';
  if (facts.referrerDomain === '' && facts.urlQuery === '') return 'direct';
  if (anyIn(query, paidAdParams)) return 'paidAds';
  if (anyIn(medium, referralMedia)) return 'referral';
  if (medium.includes('affiliate')) return 'affiliate';
  if (medium.includes('sms') || source.includes('sms')) return 'sms';
  if (anyIn(referrer, channelDomains.search) || medium.includes('organic')) return `${prefix}Search`;
  if (anyIn(referrer, channelDomains.social)) return `${prefix}Social`;
  if (anyIn(referrer, channelDomains.email) || medium.includes('mail')) return 'email';
  if (anyIn(referrer, channelDomains.shopping) || medium.includes('shop')) return `${prefix}Shopping`;
  if (anyIn(referrer, channelDomains.video) || medium.includes('video')) return `${prefix}Video`;
  if (facts.referrerDomain !== facts.hostname && facts.referrerDomain !== '') return 'referral';
  return '';
}

/** The ad networks whose click id in a landing page's query string marks a paid visit (Umami's names), the first found winning. */
export const adClickIds = [
  ['gclid', 'Google Ads'],
  ['fbclid', 'Facebook / Meta'],
  ['msclkid', 'Microsoft Ads'],
  ['ttclid', 'TikTok Ads'],
  ['li_fat_id', 'LinkedIn Ads'],
  ['twclid', 'Twitter Ads (X)'],
] as const;
