/** The page's whole state lives in the URL's hash, so a view can be bookmarked and shared. */

export const ranges = {
  today: 'Today',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  month: 'This month',
  lastmonth: 'Last month',
  '12m': 'Last 12 months',
  custom: 'Custom range…',
} as const;
export type RangeName = keyof typeof ranges;

/** Umami's filter names, as the read API takes them. */
export const filterNames = [
  'path',
  'referrer',
  'title',
  'query',
  'browser',
  'os',
  'device',
  'country',
  'region',
  'city',
  'language',
  'event',
  'hostname',
  'tag',
  'utmSource',
  'utmMedium',
  'utmCampaign',
  'utmContent',
  'utmTerm',
  // A saved segment's id: its filters apply on the server.
  'segment',
] as const;
export type FilterName = (typeof filterNames)[number];

/** The panels' groups whose shown tab is kept in the URL. */
export const tabGroups = ['pages', 'sources', 'locations', 'tech'] as const;
export type TabGroup = (typeof tabGroups)[number];

/** Pages of the account and its settings, loaded on first use. */
export const settingsPages = ['account', 'teams', 'users'] as const;
export type SettingsPage = (typeof settingsPages)[number];

export interface Route {
  /**
   * `rules`: one website's counting rules, in the settings chunk. `forgot`, `reset` and `signup`:
   * the pages a visitor without a session reaches (a reset link's and an invitation's carry `secret`).
   */
  page: 'websites' | 'overview' | 'share' | 'rules' | 'reports' | 'visitors' | 'forgot' | 'reset' | 'signup' | SettingsPage;
  /** On the visitors page: the one visitor (session) whose timeline is shown. */
  sessionId?: string;
  /** On the reports page: which report (goals, funnel, journeys, vitals, revenue, utm). */
  report?: string;
  /** The secret of a reset link or an invitation. */
  secret?: string;
  websiteId?: string;
  /** For a share link's page. */
  shareId?: string;
  range: RangeName;
  /** A custom range's first and last day (YYYY-MM-DD), in the viewer's time zone. */
  start?: string;
  end?: string;
  /** Draw the previous period beside this one. */
  compare: boolean;
  /** Umami filters, e.g. `path` → `eq./pricing`. */
  filters: Partial<Record<FilterName, string>>;
  /** The tab shown in each panel group, e.g. `pages` → `entry`. */
  tabs: Partial<Record<TabGroup, string>>;
}

const isoDay = /^\d{4}-\d{2}-\d{2}$/;
const plain = (page: 'websites' | SettingsPage): Route => ({ page, range: '30d', compare: false, filters: {}, tabs: {} });

export function readRoute(hash = location.hash): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const named = params.get('range') ?? '30d';
  const start = params.get('start') ?? '';
  const end = params.get('end') ?? '';
  const customOk = named === 'custom' && isoDay.test(start) && isoDay.test(end) && start <= end;
  const range: RangeName = named in ranges && (named !== 'custom' || customOk) ? (named as RangeName) : '30d';
  const filters: Route['filters'] = {};
  for (const name of filterNames) {
    const value = params.get(name);
    if (value) filters[name] = value;
  }
  const tabs: Route['tabs'] = {};
  for (const group of tabGroups) {
    const value = params.get(group);
    if (value) tabs[group] = value;
  }
  const view = { range, ...(range === 'custom' ? { start, end } : {}), compare: params.get('compare') === 'prev', filters, tabs };
  if (path === '/forgot') return { ...plain('websites'), page: 'forgot' };
  const access = /^\/(reset|signup)\/([A-Za-z0-9_-]{16,256})$/.exec(path);
  if (access) return { ...plain('websites'), page: access[1] as 'reset' | 'signup', secret: access[2] };
  const shared = /^\/share\/([A-Za-z0-9_-]{8,64})$/.exec(path);
  if (shared) return { page: 'share', shareId: shared[1], ...view };
  const settings = settingsPages.find((p) => path === `/${p}`);
  if (settings) return plain(settings);
  const rules = /^\/websites\/([0-9a-f-]{36})\/rules$/.exec(path);
  if (rules) return { ...plain('websites'), page: 'rules', websiteId: rules[1] };
  const reports = /^\/websites\/([0-9a-f-]{36})\/reports(?:\/([a-z]{2,16}))?$/.exec(path);
  if (reports) return { page: 'reports', websiteId: reports[1], ...view, ...(reports[2] ? { report: reports[2] } : {}) };
  const visitors = /^\/websites\/([0-9a-f-]{36})\/visitors(?:\/([0-9a-f-]{36}))?$/.exec(path);
  if (visitors) return { page: 'visitors', websiteId: visitors[1], ...view, ...(visitors[2] ? { sessionId: visitors[2] } : {}) };
  const match = /^\/websites\/([0-9a-f-]{36})$/.exec(path);
  return match ? { page: 'overview', websiteId: match[1], ...view } : plain('websites');
}

export function routeHash(route: Route): string {
  if (route.page === 'websites') return '#/';
  if ((settingsPages as readonly string[]).includes(route.page)) return `#/${route.page}`;
  if (route.page === 'rules') return `#/websites/${route.websiteId}/rules`;
  if (route.page === 'reports')
    return `#/websites/${route.websiteId}/reports/${route.report ?? 'goals'}?range=${route.range === 'custom' ? '30d' : route.range}`;
  const params = new URLSearchParams({ range: route.range });
  if (route.range === 'custom' && route.start && route.end) {
    params.set('start', route.start);
    params.set('end', route.end);
  }
  if (route.compare) params.set('compare', 'prev');
  for (const [name, value] of Object.entries(route.filters)) if (value) params.set(name, value);
  for (const [group, tab] of Object.entries(route.tabs)) if (tab) params.set(group, tab);
  if (route.page === 'share') return `#/share/${route.shareId}?${params}`;
  if (route.page === 'visitors') return `#/websites/${route.websiteId}/visitors${route.sessionId ? `/${route.sessionId}` : ''}?${params}`;
  return `#/websites/${route.websiteId}?${params}`;
}

/** A local date as YYYY-MM-DD. */
export const dayString = (date: Date) => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;

/** Local midnight of a YYYY-MM-DD day. */
export const midnight = (day: string) => {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d);
};

export interface Bounds {
  startAt: number;
  endAt: number;
  unit: 'hour' | 'day' | 'month';
}

/**
 * The last millisecond of the minute `at` falls in. Ranges that run "up to now" end there, so
 * everybody who opens a view within the same minute asks the very same reads, and the server
 * answers identical reads in flight with one query (npm run bench:readers: eight people at once).
 * No event can carry a later time than its arrival, so the answers are those of "now".
 */
export const endOfMinute = (at: number) => Math.floor(at / 60_000) * 60_000 + 59_999;

/** The range's start and end (Unix ms) and the bucket unit that fits it, in the viewer's time zone. */
export function rangeBounds(route: Pick<Route, 'range' | 'start' | 'end'>, now = new Date()): Bounds {
  const day = 86_400_000;
  const startOfDay = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const endAt = endOfMinute(now.getTime());
  switch (route.range) {
    case 'today':
      return { startAt: startOfDay, endAt, unit: 'hour' };
    case '24h':
      return { startAt: endAt - day, endAt, unit: 'hour' };
    case '7d':
      return { startAt: startOfDay - 6 * day, endAt, unit: 'day' };
    case '30d':
      return { startAt: startOfDay - 29 * day, endAt, unit: 'day' };
    case 'month':
      return { startAt: new Date(now.getFullYear(), now.getMonth(), 1).getTime(), endAt, unit: 'day' };
    case 'lastmonth':
      return {
        startAt: new Date(now.getFullYear(), now.getMonth() - 1, 1).getTime(),
        endAt: new Date(now.getFullYear(), now.getMonth(), 1).getTime() - 1,
        unit: 'day',
      };
    case '12m':
      return { startAt: new Date(now.getFullYear() - 1, now.getMonth() + 1, 1).getTime(), endAt, unit: 'month' };
    case 'custom': {
      const first = midnight(route.start ?? dayString(now));
      const last = midnight(route.end ?? dayString(now));
      const afterLast = new Date(last.getFullYear(), last.getMonth(), last.getDate() + 1).getTime();
      const days = Math.round((afterLast - first.getTime()) / day);
      return { startAt: first.getTime(), endAt: afterLast - 1, unit: days <= 1 ? 'hour' : days <= 92 ? 'day' : 'month' };
    }
  }
}

/** The range and filters as the read API's query string (without `?`). */
export function readQuery(route: Route, bounds = rangeBounds(route)): string {
  const params = new URLSearchParams({ startAt: String(bounds.startAt), endAt: String(bounds.endAt) });
  for (const [name, value] of Object.entries(route.filters)) if (value) params.set(name, value);
  return params.toString();
}
