import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure, type Point, type Stats, type Website } from './api';
import { SeriesChart } from './chart';
import { Live } from './live';
import { change, formatDuration, formatNumber, formatPercent } from './format';
import { rangeBounds, ranges, routeHash, type RangeName, type Route } from './state';

const panels = [
  { type: 'path', title: 'Pages', filter: 'path' },
  { type: 'referrer', title: 'Referrers', filter: 'referrer' },
  { type: 'browser', title: 'Browsers', filter: 'browser' },
  { type: 'os', title: 'Operating systems', filter: 'os' },
  { type: 'device', title: 'Devices', filter: 'device' },
  { type: 'country', title: 'Countries', filter: 'country' },
] as const;

interface Data {
  website: Website;
  stats: Stats;
  series: { pageviews: Point[]; sessions: Point[] };
  metrics: Record<string, { x: string; y: number }[]>;
}

/** One website on one page: headline figures, the chart, ranked panels; every row filters. */
export function Overview({ route }: { route: Route }) {
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState('');
  const key = routeHash(route);

  useEffect(() => {
    let current = true;
    const { startAt, endAt, unit } = rangeBounds(route.range);
    const filters = Object.entries(route.filters).map(([k, v]) => `&${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('');
    const query = `startAt=${startAt}&endAt=${endAt}${filters}`;
    const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const base = `/websites/${route.websiteId}`;
    Promise.all([
      api<Website>(base),
      api<Stats>(`${base}/stats?${query}`),
      api<{ pageviews: Point[]; sessions: Point[] }>(`${base}/pageviews?${query}&unit=${unit}&timezone=${encodeURIComponent(timezone)}`),
      ...panels.map((p) => api<{ x: string; y: number }[]>(`${base}/metrics?${query}&type=${p.type}&limit=10`)),
    ])
      .then(([website, stats, series, ...lists]) => {
        if (!current) return;
        setError('');
        setData({ website, stats, series, metrics: Object.fromEntries(panels.map((p, i) => [p.type, lists[i]!])) });
      })
      .catch((failure) => current && setError(failure instanceof ApiFailure ? failure.message : 'Could not load the figures'));
    return () => {
      current = false;
    };
  }, [key]);

  const go = (next: Partial<Route>) => {
    location.hash = routeHash({ ...route, ...next });
  };

  if (error) {
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  }
  if (!data) return <p class="loading">Loading…</p>;
  const { stats } = data;
  const prev = stats.comparison;
  const headline = [
    { label: 'Visitors', value: formatNumber(stats.visitors), delta: change(stats.visitors, prev.visitors) },
    { label: 'Visits', value: formatNumber(stats.visits), delta: change(stats.visits, prev.visits) },
    { label: 'Pageviews', value: formatNumber(stats.pageviews), delta: change(stats.pageviews, prev.pageviews) },
    {
      label: 'Bounce rate',
      value: stats.visits ? formatPercent(stats.bounces / stats.visits) : '—',
      delta: stats.visits && prev.visits ? change(stats.bounces / stats.visits, prev.bounces / prev.visits) : null,
      lowerIsBetter: true,
    },
    {
      label: 'Visit duration',
      value: stats.visits ? formatDuration(stats.totaltime / stats.visits) : '—',
      delta: stats.visits && prev.visits ? change(stats.totaltime / stats.visits, prev.totaltime / prev.visits) : null,
    },
  ];

  return (
    <section>
      <div class="title">
        <h1>{data.website.name}</h1>
        <select aria-label="Date range" value={route.range} onChange={(e) => go({ range: (e.currentTarget as HTMLSelectElement).value as RangeName })}>
          {Object.entries(ranges).map(([value, label]) => (
            <option value={value}>{label}</option>
          ))}
        </select>
      </div>
      {Object.keys(route.filters).length > 0 && (
        <ul class="chips" aria-label="Filters">
          {Object.entries(route.filters).map(([name, value]) => (
            <li>
              {name} is <strong>{value.replace(/^eq\./, '')}</strong>
              <button
                type="button"
                aria-label={`Remove the ${name} filter`}
                onClick={() => go({ filters: Object.fromEntries(Object.entries(route.filters).filter(([k]) => k !== name)) })}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <dl class="headline">
        {headline.map((h) => (
          <div data-figure={h.label}>
            <dt>{h.label}</dt>
            <dd>
              <span class="value">{h.value}</span>
              {h.delta !== null && (
                <span class={`delta ${(h.delta >= 0) !== Boolean(h.lowerIsBetter) ? 'up' : 'down'}`}>
                  {h.delta >= 0 ? '+' : ''}
                  {formatPercent(h.delta)}
                </span>
              )}
            </dd>
          </div>
        ))}
      </dl>
      <SeriesChart pageviews={data.series.pageviews} visitors={data.series.sessions} />
      <Live websiteId={data.website.id} />
      <div class="panels">
        {panels.map((panel) => (
          <section class="panel" data-panel={panel.type}>
            <h2>{panel.title}</h2>
            {data.metrics[panel.type]!.length === 0 ? (
              <p class="muted">No data</p>
            ) : (
              <ol>
                {data.metrics[panel.type]!.map((row) => (
                  <li>
                    <button type="button" class="row" onClick={() => go({ filters: { ...route.filters, [panel.filter]: `eq.${row.x}` } })}>
                      <span class="label">{row.x || '(none)'}</span>
                      <span class="count">{formatNumber(row.y)}</span>
                    </button>
                  </li>
                ))}
              </ol>
            )}
          </section>
        ))}
      </div>
    </section>
  );
}
