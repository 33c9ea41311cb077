import { useMemo, useState } from 'preact/hooks';
import { api, type Website } from './api';
import { FilterBar } from './filter-bar';
import { formatDuration, formatNumber } from './format';
import { RangePicker } from './overview';
import { rangeBounds, readQuery, routeHash, type Route } from './state';
import { useLoad } from './use-read';
import { groupByVisit, type ActivityEvent } from './visitor-logic';

interface SessionRow {
  id: string;
  browser: string;
  os: string;
  device: string;
  country: string;
  city: string;
  lastAt: string;
  visits: number;
  views: number;
  events: number;
}

interface Session extends SessionRow {
  distinctId: string;
  region: string;
  screen: string;
  language: string;
  hostname: string;
  firstAt: string;
  totaltime: number;
  stitchedSessionCount: number;
}

interface Property {
  dataKey: string;
  stringValue: string | null;
}

const place = (s: { city: string; country: string; region?: string }) => [s.city, s.region, s.country].filter(Boolean).join(', ') || 'Unknown';
const device = (s: { browser: string; os: string; device: string }) => [s.browser, s.os, s.device].filter(Boolean).join(' · ') || 'Unknown';
const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The visitors page: the range's recent visitors (filtered like every view), or one visitor's timeline. */
export function VisitorsPage({ route }: { route: Route }) {
  const go = (next: Partial<Route>) => {
    location.hash = routeHash({ ...route, ...next });
  };
  const website = useLoad(`website/${route.websiteId}`, (signal) => api<Website>(`/websites/${route.websiteId}`, { signal }));
  return (
    <section>
      <div class="title">
        <h1>
          <a href={routeHash({ ...route, page: 'overview', sessionId: undefined })}>{website.data?.name ?? '…'}</a> ›{' '}
          {route.sessionId ? <a href={routeHash({ ...route, sessionId: undefined })}>Visitors</a> : 'Visitors'}
        </h1>
        {!route.sessionId && <RangePicker route={route} go={go} />}
      </div>
      {route.sessionId ? (
        <VisitorTimeline route={route} />
      ) : (
        <>
          <FilterBar route={route} go={go} />
          <VisitorList route={route} />
        </>
      )}
    </section>
  );
}

function VisitorList({ route }: { route: Route }) {
  const [page, setPage] = useState(1);
  const key = `${routeHash(route)}&p=${page}`;
  const bounds = useMemo(() => rangeBounds(route), [routeHash(route)]);
  const { data, error } = useLoad(key, (signal) =>
    api<{ data: SessionRow[]; count: number }>(`/websites/${route.websiteId}/sessions?${readQuery(route, bounds)}&page=${page}&pageSize=50`, { signal }),
  );
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!data) return <div class="panel" aria-busy="true" />;
  return (
    <div class="panel visitors">
      <h2>
        {formatNumber(data.count)} {data.count === 1 ? 'visitor' : 'visitors'}
      </h2>
      {data.data.length === 0 ? (
        <p class="muted">No visitors in this range.</p>
      ) : (
        <div class="scroll-x">
          <table class="keys visitor-table">
            <thead>
              <tr>
                <th>Last seen</th>
                <th>Location</th>
                <th>Device</th>
                <th class="number optional">Visits</th>
                <th class="number">Pageviews</th>
                <th class="number optional">Events</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((s) => (
                <tr>
                  <td>
                    <a href={routeHash({ ...route, sessionId: s.id })} aria-label={`Visitor last seen ${when(s.lastAt)}`}>
                      {when(s.lastAt)}
                    </a>
                  </td>
                  <td>{place(s)}</td>
                  <td>{device(s)}</td>
                  <td class="number optional">{formatNumber(s.visits)}</td>
                  <td class="number">{formatNumber(s.views)}</td>
                  <td class="number optional">{formatNumber(s.events)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data.count > 50 && (
        <nav class="pager" aria-label="Pages">
          <button type="button" disabled={page === 1} onClick={() => setPage(page - 1)}>
            Newer
          </button>
          <span class="muted">Page {page}</span>
          <button type="button" disabled={page * 50 >= data.count} onClick={() => setPage(page + 1)}>
            Older
          </button>
        </nav>
      )}
    </div>
  );
}

function VisitorTimeline({ route }: { route: Route }) {
  const base = `/websites/${route.websiteId}/sessions/${route.sessionId}`;
  const { data, error } = useLoad(`timeline/${route.websiteId}/${route.sessionId}`, async (signal) => {
    const [session, properties] = await Promise.all([api<Session>(base, { signal }), api<Property[]>(`${base}/properties`, { signal })]);
    // A visitor the site identified: every day tied to the same id (a year back), else this session's events.
    const stitched = session.distinctId !== '' && session.stitchedSessionCount > 1;
    const startAt = stitched ? Date.now() - 366 * 86_400_000 : Date.parse(session.firstAt);
    const endAt = stitched ? Date.now() : Date.parse(session.lastAt);
    const distinct = stitched ? `&distinctId=${encodeURIComponent(session.distinctId)}` : '';
    const activity = await api<ActivityEvent[]>(`${base}/activity?startAt=${startAt}&endAt=${endAt}${distinct}`, { signal });
    return { session, properties, activity };
  });
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!data) return <div class="panel" aria-busy="true" />;
  const { session, properties, activity } = data;
  const facts: [string, string][] = [
    ['Location', place(session)],
    ['Device', `${device(session)}${session.screen ? ` · ${session.screen}` : ''}`],
    ['Language', session.language || '—'],
    ['First seen', when(session.firstAt)],
    ['Last seen', when(session.lastAt)],
    ['Visits', formatNumber(session.visits)],
    ['Pageviews', formatNumber(session.views)],
    ['Events', formatNumber(session.events)],
    ['Time spent', formatDuration(session.totaltime)],
    ...(session.distinctId ? ([['Distinct id', session.distinctId]] as [string, string][]) : []),
    ...(session.stitchedSessionCount > 1 ? ([['Days seen', formatNumber(session.stitchedSessionCount)]] as [string, string][]) : []),
  ];
  return (
    <div class="visitor">
      <div class="panel">
        <h2>Visitor</h2>
        <dl class="facts">
          {facts.map(([label, value]) => (
            <div>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        {properties.length > 0 && (
          <>
            <h3>Properties</h3>
            <dl class="facts">
              {properties.map((p) => (
                <div>
                  <dt>{p.dataKey}</dt>
                  <dd>{p.stringValue ?? '—'}</dd>
                </div>
              ))}
            </dl>
          </>
        )}
      </div>
      <div class="panel">
        <h2>Timeline</h2>
        {groupByVisit(activity).map((visit) => (
          <section class="visit" aria-label={`Visit of ${when(visit.startedAt)}`}>
            <h3>
              {when(visit.startedAt)}
              {visit.referrer && <span class="muted"> from {visit.referrer}</span>}
            </h3>
            <ol class="timeline">
              {visit.events.map((e) => (
                <li class={e.eventType === 2 ? 'event' : 'view'}>
                  <time>{new Date(e.createdAt).toLocaleTimeString()}</time>{' '}
                  {e.eventType === 2 ? (
                    <>
                      <strong>{e.eventName}</strong> <span class="muted">on {e.urlPath}</span>
                      {e.data !== null && typeof e.data === 'object' && (
                        <span class="data">
                          {Object.entries(e.data as Record<string, unknown>).map(([k, v]) => (
                            <code>
                              {k}: {typeof v === 'string' ? v : JSON.stringify(v)}
                            </code>
                          ))}
                        </span>
                      )}
                    </>
                  ) : (
                    <>
                      viewed <strong>{e.urlPath}</strong>
                      {e.pageTitle && <span class="muted"> {e.pageTitle}</span>}
                    </>
                  )}
                </li>
              ))}
            </ol>
          </section>
        ))}
      </div>
    </div>
  );
}
