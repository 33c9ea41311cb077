import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addressList,
  compileRules,
  defaultIngestRules,
  isReferrerSpam,
  listed,
  normalizeRules,
  pathPatternRegExp,
  ruleLimits,
  rulesProblem,
  type IngestRules,
} from './ingest-rules';
import { referrerSpamDomains } from './referrer-spam-domains';

/** A glob matcher written the slow, obvious way: the reference for pathPatternRegExp. */
function globMatches(pattern: string, path: string): boolean {
  if (pattern === '') return path === '';
  if (pattern.startsWith('**')) {
    for (let i = 0; i <= path.length; i++) if (globMatches(pattern.slice(2), path.slice(i))) return true;
    return false;
  }
  if (pattern.startsWith('*')) {
    for (let i = 0; i <= path.length && (i === 0 || path[i - 1] !== '/'); i++) if (globMatches(pattern.slice(1), path.slice(i))) return true;
    return false;
  }
  return path[0] === pattern[0] && globMatches(pattern.slice(1), path.slice(1));
}

const pathChars = fc.constantFrom('/', 'a', 'b', '.', '-', '(', '+', '$', '[', '\\', 'é');
const paths = fc.array(pathChars, { maxLength: 12 }).map((cs) => `/${cs.join('')}`);
const patterns = fc.array(fc.oneof(pathChars, fc.constant('*'), fc.constant('**')), { maxLength: 8 }).map((cs) => `/${cs.join('')}`.replace(/\*{3,}/g, '**'));

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
const ipNumber = ([a, b, c, d]: number[]) => ((a! << 24) >>> 0) + (b! << 16) + (c! << 8) + d!;

describe('path patterns', () => {
  it('match exactly the paths the reference glob matches', () => {
    fc.assert(
      fc.property(patterns, paths, (pattern, path) => {
        expect(pathPatternRegExp(pattern).test(path)).toBe(globMatches(pattern, path));
      }),
      { numRuns: 3000 },
    );
  });

  it('read as documented', () => {
    expect(pathPatternRegExp('/admin').test('/admin')).toBe(true);
    expect(pathPatternRegExp('/admin').test('/admin/users')).toBe(false);
    expect(pathPatternRegExp('/admin/**').test('/admin/users/7')).toBe(true);
    expect(pathPatternRegExp('/blog/*/edit').test('/blog/hello/edit')).toBe(true);
    expect(pathPatternRegExp('/blog/*/edit').test('/blog/a/b/edit')).toBe(false);
  });
});

describe('address lists', () => {
  it('hold an IPv4 address exactly when a reference range check says so', () => {
    fc.assert(
      fc.property(ipv4, fc.integer({ min: 0, max: 32 }), ipv4, (base, bits, probe) => {
        const list = addressList([`${base.join('.')}/${bits}`])!;
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        const inside = (ipNumber(base) & mask) >>> 0 === (ipNumber(probe) & mask) >>> 0;
        expect(listed(list, probe.join('.'))).toBe(inside);
        expect(listed(list, `::ffff:${probe.join('.')}`)).toBe(inside);
      }),
    );
  });

  it('take IPv6 addresses and ranges, and never match a malformed address', () => {
    const list = addressList(['2001:db8::/32', '::1'])!;
    expect(listed(list, '2001:db8:1::7')).toBe(true);
    expect(listed(list, '2001:db9::7')).toBe(false);
    expect(listed(list, '::1')).toBe(true);
    expect(listed(list, 'not an address')).toBe(false);
  });
});

describe('referrer spam', () => {
  it('is every listed domain and any subdomain of one, and not a domain that only ends in the same letters', () => {
    const listedDomains = referrerSpamDomains.split('\n');
    fc.assert(
      fc.property(fc.constantFrom(...listedDomains), fc.stringMatching(/^[a-z0-9]{1,10}$/), (domain, label) => {
        expect(isReferrerSpam(domain)).toBe(true);
        expect(isReferrerSpam(`${label}.${domain}`)).toBe(true);
        expect(isReferrerSpam(domain.toUpperCase())).toBe(true);
        if (!listedDomains.some((d) => `${label}${domain}`.endsWith(`.${d}`) || `${label}${domain}` === d)) {
          expect(isReferrerSpam(`${label}${domain}`)).toBe(false);
        }
      }),
    );
    expect(isReferrerSpam('semalt.com')).toBe(true);
    expect(isReferrerSpam('google.com')).toBe(false);
    expect(isReferrerSpam('')).toBe(false);
  });
});

const labels = fc.stringMatching(/^[a-z0-9]{1,6}$/);
const hostnames = fc.array(labels, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));

describe('compiled rules', () => {
  it('keep a beacon exactly when a plain reading of the rules keeps it', () => {
    const facts = fc.record({
      ip: ipv4.map((p) => p.join('.')),
      page: fc.option(
        fc.record({
          hostname: fc.oneof(
            hostnames,
            hostnames.map((h) => `www.${h}`),
          ),
          path: paths,
          referrerDomain: fc.oneof(hostnames, fc.constant('semalt.com')),
        }),
        {
          nil: undefined,
        },
      ),
    });
    const rules = fc.record({
      hostnames: fc.array(hostnames, { maxLength: 3 }),
      includeSubdomains: fc.boolean(),
      excludedIps: fc.array(
        fc.tuple(ipv4, fc.integer({ min: 8, max: 32 })).map(([p, bits]) => `${p.join('.')}/${bits}`),
        { maxLength: 3 },
      ),
      excludedPaths: fc.array(patterns, { maxLength: 3 }),
      blockReferrerSpam: fc.boolean(),
    });
    fc.assert(
      fc.property(rules, facts, (r, beacon) => {
        const expected = (() => {
          const inRange = (entry: string) => {
            const [base, bits] = entry.split('/') as [string, string];
            const mask = (0xffffffff << (32 - Number(bits))) >>> 0;
            return (ipNumber(base.split('.').map(Number)) & mask) >>> 0 === (ipNumber(beacon.ip.split('.').map(Number)) & mask) >>> 0;
          };
          if (r.excludedIps.some(inRange)) return 'ip';
          if (!beacon.page) return null;
          const host = beacon.page.hostname.replace(/^www\./, '');
          const allowed = r.hostnames.map((h) => h.replace(/^www\./, ''));
          if (allowed.length > 0 && !allowed.some((h) => host === h || (r.includeSubdomains && host.endsWith(`.${h}`)))) return 'hostname';
          if (r.excludedPaths.some((p) => globMatches(p, beacon.page!.path))) return 'path';
          if (r.blockReferrerSpam && beacon.page.referrerDomain === 'semalt.com') return 'referrer-spam';
          return null;
        })();
        expect(compileRules(r).check(beacon)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('by default keep everything but referrer spam', () => {
    const rules = compileRules(defaultIngestRules);
    expect(rules.check({ ip: '127.0.0.1', page: { hostname: 'anything.example', path: '/', referrerDomain: 'news.ycombinator.com' } })).toBe(null);
    expect(rules.check({ ip: '127.0.0.1', page: { hostname: 'anything.example', path: '/', referrerDomain: 'best.semalt.com' } })).toBe('referrer-spam');
  });
});

describe('rule validation', () => {
  const someRules = (change: Partial<IngestRules>): IngestRules => normalizeRules({ ...defaultIngestRules, ...change });

  it('never throws, and what it accepts compiles and checks without throwing', () => {
    const text = fc.string({ maxLength: 40, unit: 'binary' });
    fc.assert(
      fc.property(fc.array(text, { maxLength: 4 }), fc.array(text, { maxLength: 4 }), fc.array(text, { maxLength: 4 }), (h, ips, p) => {
        const rules = someRules({ hostnames: h, excludedIps: ips, excludedPaths: p });
        if (rulesProblem(rules) === null) {
          expect(() => compileRules(rules).check({ ip: '::1', page: { hostname: 'x', path: '/', referrerDomain: '' } })).not.toThrow();
        }
      }),
    );
  });

  it('names what is wrong', () => {
    expect(rulesProblem(someRules({ excludedIps: ['10.0.0.0/33'] }))).toMatch(/prefix length must be 0 to 32/);
    expect(rulesProblem(someRules({ excludedIps: ['10.0.0'] }))).toMatch(/not an IP address/);
    expect(rulesProblem(someRules({ excludedPaths: ['admin'] }))).toMatch(/must start with \//);
    expect(rulesProblem(someRules({ hostnames: ['exa mple.com'] }))).toMatch(/not a hostname/);
    expect(rulesProblem(someRules({ hostnames: Array.from({ length: ruleLimits.entries + 1 }, (_, i) => `h${i}.example`) }))).toMatch(/at most 50/);
    expect(rulesProblem(someRules({ hostnames: ['Example.COM.', 'example.com'], excludedIps: ['2001:db8::/32'], excludedPaths: ['/admin/**'] }))).toBe(null);
    expect(someRules({ hostnames: ['Example.COM.', ' example.com '] }).hostnames).toEqual(['example.com']);
  });
});
