import { BlockList, isIP } from 'node:net';
import { referrerSpamDomains } from './referrer-spam-domains';

/**
 * A website's counting rules (data hygiene): which beacons it keeps. Everything here is pure; the
 * rules are stored by storage/ingest-rules-table.ts and applied by the send route.
 */
export interface IngestRules {
  /** Only beacons from these hostnames count; empty: every hostname. A leading `www.` is ignored on both sides. */
  hostnames: string[];
  /** With `hostnames`, also count their subdomains (`blog.example.com` for `example.com`). */
  includeSubdomains: boolean;
  /** Addresses (`203.0.113.7`, `2001:db8::1`) and ranges (`203.0.113.0/24`, `2001:db8::/32`) whose beacons do not count. */
  excludedIps: string[];
  /** Page paths that do not count: `/admin` exactly, `*` for any text within one segment, `**` for any text. */
  excludedPaths: string[];
  /** Drop beacons whose referrer is on the shipped referrer spam list (on by default). */
  blockReferrerSpam: boolean;
}

/** Why a beacon was not stored; the keys of the dropped-event counts. */
export const dropReasons = ['bot', 'ip', 'hostname', 'path', 'referrer-spam'] as const;
export type DropReason = (typeof dropReasons)[number];

export const defaultIngestRules: IngestRules = { hostnames: [], includeSubdomains: false, excludedIps: [], excludedPaths: [], blockReferrerSpam: true };

/** The limits the API enforces (README, "Limits"). */
export const ruleLimits = { entries: 50, hostnameLength: 253, ipLength: 64, pathLength: 200 } as const;

const hostnamePattern = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

/** A hostname as rules compare it: lower case, no trailing dot, no leading `www.`. */
export const comparableHost = (hostname: string) =>
  hostname
    .trim()
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^www\./, '');

/** `::ffff:203.0.113.7` (an IPv4 client on a dual-stack socket) as `203.0.113.7`; other addresses as they are. */
export const plainAddress = (ip: string) => (ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip);

/** Why an address or range entry is not valid, or null. */
export function ipEntryProblem(entry: string): string | null {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return `"${entry}" is not an IP address or a range like 203.0.113.0/24`;
  if (prefix === undefined) return null;
  const bits = Number(prefix);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || bits > max) return `"${entry}": the prefix length must be 0 to ${max}`;
  return null;
}

/** Why a path pattern is not valid, or null. */
export function pathPatternProblem(pattern: string): string | null {
  if (!pattern.startsWith('/')) return `"${pattern}" must start with /`;
  if (/[\s?#]/.test(pattern)) return `"${pattern}": a path pattern has no spaces, query (?) or fragment (#)`;
  if (/\*{3,}/.test(pattern)) return `"${pattern}": use * (within a segment) or ** (anything)`;
  return null;
}

/** The rules as they will be stored: trimmed, hostnames lower case, no repeats. */
export function normalizeRules(rules: IngestRules): IngestRules {
  const unique = (values: string[]) => [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))];
  return {
    hostnames: unique(rules.hostnames.map((h) => h.trim().toLowerCase().replace(/\.$/, ''))),
    includeSubdomains: rules.includeSubdomains,
    excludedIps: unique(rules.excludedIps),
    excludedPaths: unique(rules.excludedPaths),
    blockReferrerSpam: rules.blockReferrerSpam,
  };
}

/** The first thing wrong with normalized rules, as a message for a 400, or null when they can be stored. */
export function rulesProblem(rules: IngestRules): string | null {
  const lists = { hostnames: rules.hostnames, excludedIps: rules.excludedIps, excludedPaths: rules.excludedPaths };
  for (const [name, list] of Object.entries(lists)) {
    if (list.length > ruleLimits.entries) return `${name} has ${list.length} entries; at most ${ruleLimits.entries} are allowed`;
  }
  for (const hostname of rules.hostnames) {
    if (hostname.length > ruleLimits.hostnameLength || !hostnamePattern.test(hostname)) return `"${hostname}" is not a hostname (like example.com)`;
  }
  for (const entry of rules.excludedIps) {
    if (entry.length > ruleLimits.ipLength) return `"${entry.slice(0, 20)}…" is not an IP address or a range`;
    const problem = ipEntryProblem(entry);
    if (problem) return problem;
  }
  for (const pattern of rules.excludedPaths) {
    if (pattern.length > ruleLimits.pathLength) return `path patterns are at most ${ruleLimits.pathLength} characters`;
    const problem = pathPatternProblem(pattern);
    if (problem) return problem;
  }
  return null;
}

/** A block list of valid address and range entries (see ipEntryProblem), or null for none. */
export function addressList(entries: string[]): BlockList | null {
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

/** Whether the block list holds the address (IPv4 clients on IPv6 sockets checked as IPv4). */
export function listed(list: BlockList, ip: string): boolean {
  const address = plainAddress(ip);
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** A path pattern as a regular expression over the whole path: `**` any text, `*` any text without `/`. */
export function pathPatternRegExp(pattern: string): RegExp {
  const source = pattern
    .split('**')
    .map((part) => part.split('*').map(escapeRegExp).join('[^/]*'))
    .join('.*');
  return new RegExp(`^${source}$`);
}

let spamDomains: Set<string> | null = null;

/** Whether a referrer's domain is, or is under, a domain of the shipped spam list. */
export function isReferrerSpam(domain: string): boolean {
  if (!domain) return false;
  spamDomains ??= new Set(referrerSpamDomains.split('\n'));
  let host = domain.toLowerCase().replace(/\.$/, '');
  for (;;) {
    if (spamDomains.has(host)) return true;
    const dot = host.indexOf('.');
    if (dot < 0) return false;
    host = host.slice(dot + 1);
  }
}

/** What a beacon is checked on: the client's address, and for events the page's hostname, path and referrer domain. */
export interface BeaconFacts {
  ip: string;
  /** Absent for beacons without a page (identify). */
  page?: { hostname: string; path: string; referrerDomain: string };
}

/** Rules made ready for the hot path: one check per beacon, no allocation for the usual case. */
export interface CompiledRules {
  rules: IngestRules;
  /** Why the beacon is dropped, or null when it counts. */
  check(facts: BeaconFacts): DropReason | null;
}

export function compileRules(rules: IngestRules): CompiledRules {
  const ips = addressList(rules.excludedIps);
  const hosts = new Set(rules.hostnames.map(comparableHost));
  const paths = rules.excludedPaths.length > 0 ? new RegExp(rules.excludedPaths.map((p) => pathPatternRegExp(p).source).join('|')) : null;
  const hostAllowed = (hostname: string) => {
    let host = comparableHost(hostname);
    if (hosts.has(host)) return true;
    if (!rules.includeSubdomains) return false;
    for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.')) {
      host = host.slice(dot + 1);
      if (hosts.has(host)) return true;
    }
    return false;
  };
  return {
    rules,
    check({ ip, page }) {
      if (ips && listed(ips, ip)) return 'ip';
      if (!page) return null;
      if (hosts.size > 0 && !hostAllowed(page.hostname)) return 'hostname';
      if (paths?.test(page.path)) return 'path';
      if (rules.blockReferrerSpam && isReferrerSpam(page.referrerDomain)) return 'referrer-spam';
      return null;
    },
  };
}
