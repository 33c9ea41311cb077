import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteInfo } from '../app';
import { allTime, startTestCollector, type TestCollector } from '../../../test-support/collector';

let collector: TestCollector;
let adminToken: string;
let adminSite: string;
let userToken: string;
let viewerToken: string;
let viewerSite: string;

beforeAll(async () => {
  collector = await startTestCollector();
  adminToken = await collector.login();
  adminSite = await collector.createWebsite(adminToken, 'admin-site');
  await collector.users.create('alice', 'alice-password', 'user');
  userToken = await collector.login('alice', 'alice-password');
  const viewer = await collector.users.create('viewer', 'viewer-password', 'view-only');
  viewerToken = await collector.login('viewer', 'viewer-password');
  // A website the view-only user owns, so a 403 below is about the role, not ownership.
  viewerSite = (await collector.websites.create(viewer.id, 'viewer-site', 'viewer.example')).id;
});
afterAll(() => collector?.destroy());

/** The parameters a report route needs besides the range, so a request is valid and only access decides its answer. */
const reportQuery: [suffix: string, query: string][] = [
  ['/utm/metrics', '&type=utm_source'],
  // Before /metrics, which its path ends with too.
  ['/revenue/metrics', '&currency=EUR&type=channel'],
  ['/metrics', '&type=path'],
  ['/revenue/stats', '&currency=EUR'],
  ['/revenue/chart', '&currency=EUR'],
  ['/revenue/sessions', '&currency=EUR'],
  ['/funnels/stats', `&window=60&steps=${encodeURIComponent('[{"type":"path","value":"/"},{"type":"path","value":"/a"}]')}`],
  ['/goals/stats', '&type=path&value=/'],
  ['/journeys', '&steps=3'],
  ['/attribution', '&model=first-click&type=path&step=/'],
  ['/breakdown', '&fields=country,browser'],
  ['/segments', '&type=segment'],
  ['/metrics/expanded', '&type=path'],
  // Before /values, which their paths end with too.
  ['/event-data/values', '&propertyName=plan'],
  ['/session-data/values', '&propertyName=plan'],
  ['/session-data/stats', '&propertyName=plan'],
  ['/values', '&type=path'],
  // Pivots and series of visitor data, then of event data (which also need the event's name).
  ...['property', 'array', 'numeric', 'date'].map((kind): [string, string] => [`/session-data/${kind}-series`, '&propertyName=plan']),
  ['/session-data/numeric-stats', '&propertyName=plan'],
  ['/event-data-pivot', '&eventName=buy'],
  ['-series', '&eventName=buy&propertyName=plan'],
  ['/numeric-stats', '&eventName=buy&propertyName=plan'],
  ['/session-data-pivot', '&propertyName=plan'],
  ['/websites/charts', '&ids=:websiteId'],
];
const reportBody = (url: string) =>
  url.includes('/goals')
    ? { name: 'g', parameters: { type: 'path', value: '/' } }
    : url.includes('/funnels')
      ? {
          name: 'f',
          parameters: {
            steps: [
              { type: 'path', value: '/' },
              { type: 'path', value: '/a' },
            ],
            window: 60,
          },
        }
      : url.includes('/segments')
        ? { name: 's', type: 'segment', parameters: {} }
        : url.includes('/annotations')
          ? { date: '2026-01-01', note: 'n' }
          : url.endsWith('/shares')
            ? { name: 's' }
            : {};

/** A concrete URL for a route, its parameters filled with ids that exist. */
function concrete(route: RouteInfo, websiteId: string): string {
  const extra = (reportQuery.find(([suffix]) => route.url.endsWith(suffix))?.[1] ?? '').replace(':websiteId', websiteId);
  return (
    route.url
      .replace(':websiteId', websiteId)
      .replace(':userId', '00000000-0000-4000-8000-000000000001')
      .replace(':keyId', '00000000-0000-4000-8000-000000000002')
      .replace(':goalId', '00000000-0000-4000-8000-000000000003')
      .replace(':funnelId', '00000000-0000-4000-8000-000000000003')
      .replace(':segmentId', '00000000-0000-4000-8000-000000000004')
      .replace(':sessionId', '00000000-0000-4000-8000-000000000005')
      .replace(':annotationId', '00000000-0000-4000-8000-000000000006')
      .replace(':eventId', '00000000-0000-4000-8000-000000000007')
      .replace(':shareId', '00000000-0000-4000-8000-000000000008') + (route.method === 'GET' ? `?${allTime}${extra}` : '')
  );
}

const call = (route: RouteInfo, websiteId: string, headers: Record<string, string>) =>
  collector.request(concrete(route, websiteId), {
    method: route.method,
    headers: { ...headers, ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { 'content-type': 'application/json' } : {}) },
    body: ['POST', 'PUT', 'PATCH'].includes(route.method) ? JSON.stringify(reportBody(route.url)) : undefined,
  });

const guarded = () => collector.routes.filter((r) => !r.public);

describe('the guard, on every registered route', () => {
  it("leaves open only the beacon, the script, heartbeat, the dashboard's page, share links and the two sign-in steps", () => {
    const open = collector.routes.filter((r) => r.public).map((r) => `${r.method} ${r.url}`);
    expect(open.sort()).toEqual(
      [
        'GET /',
        'GET /dashboard/:file',
        'GET /api/heartbeat',
        // The API's description, as Umami's API docs are public.
        'GET /api/openapi.json',
        'GET /api/share/:slug',
        'GET /script.js',
        // The tracker's opt-in extras module, imported by pages that use them.
        'GET /tracker-extras.js',
        'OPTIONS /api/send',
        'POST /api/2fa/verify',
        'POST /api/auth/login',
        'POST /api/send',
        // Beacons in one request; its reads carry their own credentials (each goes through this guard).
        'OPTIONS /api/batch',
        'POST /api/batch',
        // Reference documents 002-004: signup by invitation and its look-up, reset by mail, the
        // email code (its token is the credential), user-token checks, Rocket.Chat's and UTMStack's sign-in.
        'POST /api/auth/signup',
        'POST /api/auth/invitation',
        'POST /api/auth/send-password-reset-link',
        'POST /api/auth/reset-password-with-token',
        'POST /api/auth/verify-otp',
        'GET /api/auth/verify-token',
        'POST /api/v1/login',
        'POST /api/authenticate',
        // Checks an admin's credentials or the operator's signature itself (backup-route.ts).
        'POST /api/admin/backups',
      ].sort(),
    );
    expect(guarded().length).toBeGreaterThan(15);
  });

  it('declares the schema of its answer on every route but the script, the dashboard and preflight', () => {
    const undeclared = collector.routes.filter((r) => !r.answerSchema).map((r) => `${r.method} ${r.url}`);
    expect(undeclared.sort()).toEqual(
      [
        'GET /',
        'GET /dashboard/:file',
        'GET /script.js',
        'GET /tracker-extras.js',
        'OPTIONS /api/send',
        'OPTIONS /api/batch',
        // A zip, not JSON.
        'GET /api/websites/:websiteId/export/plausible',
      ].sort(),
    );
  });

  it('answers 401 without credentials, or with malformed, forged, expired or revoked ones', async () => {
    const expired = await collector.login();
    await collector.db.command({
      query: `INSERT INTO auth_tokens SELECT token_hash, user_id, created_at, now64(3) - INTERVAL 1 SECOND, revoked, version + 1
        FROM auth_tokens FINAL WHERE token_hash = {hash:String}`,
      query_params: { hash: createHash('sha256').update(expired).digest('hex') },
    });
    const revoked = await collector.login();
    await collector.request('/api/auth/logout', { method: 'POST', token: revoked });
    const credentials: [string, Record<string, string>][] = [
      ['none', {}],
      ['empty bearer', { authorization: 'Bearer ' }],
      ['not bearer', { authorization: `Basic ${adminToken}` }],
      ['malformed', { authorization: 'Bearer a.b.c' }],
      ['forged token', { authorization: `Bearer ${'A'.repeat(43)}` }],
      ['forged key', { 'x-umami-api-key': `umami_${'A'.repeat(43)}` }],
      ['forged key as bearer', { authorization: `Bearer umami_${'A'.repeat(43)}` }],
      ['expired', { authorization: `Bearer ${expired}` }],
      ['revoked', { authorization: `Bearer ${revoked}` }],
    ];
    for (const route of guarded()) {
      for (const [name, headers] of credentials) {
        const response = await call(route, adminSite, headers);
        expect(response.status, `${route.method} ${route.url} with ${name}`).toBe(401);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
    }
  });

  it("hides other users' websites: 404 on every website route, as if the id did not exist", async () => {
    const websiteRoutes = guarded().filter((r) => r.url.includes(':websiteId'));
    expect(websiteRoutes.length).toBeGreaterThan(1);
    for (const route of websiteRoutes) {
      const response = await call(route, adminSite, { authorization: `Bearer ${userToken}` });
      expect(response.status, `${route.method} ${route.url}`).toBe(404);
    }
  });

  it('refuses view-only users every route that changes websites (403)', async () => {
    const writes = guarded().filter((r) => r.write);
    expect(writes.length).toBeGreaterThan(0);
    for (const route of writes) {
      const response = await call(route, viewerSite, { authorization: `Bearer ${viewerToken}` });
      expect(response.status, `${route.method} ${route.url}`).toBe(403);
    }
    // Reading stays allowed.
    expect((await collector.request(`/api/websites/${viewerSite}`, { token: viewerToken })).status).toBe(200);
  });

  it('keeps admin routes for admins (403 for others)', async () => {
    const adminRoutes = guarded().filter((r) => r.admin);
    expect(adminRoutes.map((r) => r.url)).toContain('/api/users');
    for (const route of adminRoutes) {
      for (const token of [userToken, viewerToken]) {
        const response = await call(route, adminSite, { authorization: `Bearer ${token}` });
        expect(response.status, `${route.method} ${route.url}`).toBe(403);
      }
    }
  });
});
