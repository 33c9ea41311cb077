import { channelDomains, paidAdParams, paidMedia, referralMedia } from '../shared/channels';

// The constant lists of shared/channels.ts as ClickHouse array literals (none holds a quote or a backslash).
const list = (values: readonly string[]) => `[${values.map((value) => `'${value}'`).join(', ')}]`;
const anyIn = (column: string, values: readonly string[]) => `multiSearchAny(lower(${column}), ${list(values)})`;
const has = (column: string, value: string) => `position(lower(${column}), '${value}') > 0`;

/**
 * The channel of a website_event row as a ClickHouse expression: the same decision as `channelOf`
 * in shared/channels.ts, in the same order ('' when none applies).
 */
export const channelExpression = `multiIf(
    referrer_domain = '' AND url_query = '', 'direct',
    ${anyIn('url_query', paidAdParams)}, 'paidAds',
    ${anyIn('utm_medium', referralMedia)}, 'referral',
    ${has('utm_medium', 'affiliate')}, 'affiliate',
    ${has('utm_medium', 'sms')} OR ${has('utm_source', 'sms')}, 'sms',
    ${anyIn('referrer_domain', channelDomains.search)} OR ${has('utm_medium', 'organic')}, concat(channel_prefix, 'Search'),
    ${anyIn('referrer_domain', channelDomains.social)}, concat(channel_prefix, 'Social'),
    ${anyIn('referrer_domain', channelDomains.email)} OR ${has('utm_medium', 'mail')}, 'email',
    ${anyIn('referrer_domain', channelDomains.shopping)} OR ${has('utm_medium', 'shop')}, concat(channel_prefix, 'Shopping'),
    ${anyIn('referrer_domain', channelDomains.video)} OR ${has('utm_medium', 'video')}, concat(channel_prefix, 'Video'),
    referrer_domain != hostname AND referrer_domain != '', 'referral',
    '')`.replaceAll('channel_prefix', `if(${anyIn('utm_medium', paidMedia)}, 'paid', 'organic')`);
