/** The page's whole state lives in the URL's hash, so a view can be bookmarked and shared. */

export const ranges = {
  today: 'Today',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  month: 'This month',
  lastmonth: 'Last month',
  '12m': 'Last 12 months',
} as const;
export type RangeName = keyof typeof ranges;

export interface Route {
  page: 'websites' | 'overview' | 'share' | 'account';
  websiteId?: string;
  /** For a share link's page. */
  shareId?: string;
  range: RangeName;
  /** Umami filters, e.g. `path` → `eq./pricing`. */
  filters: Record<string, string>;
}

export function readRoute(hash = location.hash): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const range = (params.get('range') ?? '30d') as RangeName;
  const filters: Record<string, string> = {};
  for (const [key, value] of params) if (key !== 'range') filters[key] = value;
  const checkedRange = range in ranges ? range : '30d';
  const shared = /^\/share\/([A-Za-z0-9_-]{8,64})$/.exec(path);
  if (shared) return { page: 'share', shareId: shared[1], range: checkedRange, filters };
  if (path === '/account') return { page: 'account', range: '30d', filters: {} };
  const match = /^\/websites\/([0-9a-f-]{36})$/.exec(path);
  return match ? { page: 'overview', websiteId: match[1], range: checkedRange, filters } : { page: 'websites', range: '30d', filters: {} };
}

export function routeHash(route: Route): string {
  if (route.page === 'websites') return '#/';
  if (route.page === 'account') return '#/account';
  const params = new URLSearchParams({ range: route.range, ...route.filters });
  return route.page === 'share' ? `#/share/${route.shareId}?${params}` : `#/websites/${route.websiteId}?${params}`;
}

/** The range's start and end (Unix ms) and the bucket unit that fits it, in the viewer's time zone. */
export function rangeBounds(name: RangeName, now = new Date()): { startAt: number; endAt: number; unit: 'hour' | 'day' | 'month' } {
  const day = 86_400_000;
  const startOfDay = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const endAt = now.getTime();
  switch (name) {
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
      return { startAt: new Date(now.getFullYear(), now.getMonth() - 1, 1).getTime(), endAt: new Date(now.getFullYear(), now.getMonth(), 1).getTime() - 1, unit: 'day' };
    case '12m':
      return { startAt: new Date(now.getFullYear() - 1, now.getMonth() + 1, 1).getTime(), endAt, unit: 'month' };
  }
}
