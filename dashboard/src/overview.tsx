import { useMemo } from 'preact/hooks';
import type { ImportedRange, Point, Stats, Website } from './api';
import { Annotations, useAnnotations } from './annotations';
import { SeriesChart } from './chart';
import { FilterBar } from './filter-bar';
import { change, formatDuration, formatNumber, formatPercent } from './format';
import { Live } from './live';
import { EventsPanel, Panel, panelGroups } from './panels';
import { dayString, rangeBounds, ranges, readQuery, routeHash, type RangeName, type Route } from './state';
import { read } from './read-batch';
import { useLoad, useRead } from './use-read';

type Series = { pageviews: Point[]; sessions: Point[]; compare?: { pageviews: Point[]; sessions: Point[] }; imported?: { pageviews: Point[] } };

interface Figures {
  website: Website;
  stats: Stats;
  series: Series;
}

/** One website on one page: headline figures, the chart, realtime, ranked panels; every row filters. */
export function Overview({ route, canWrite = false }: { route: Route; canWrite?: boolean }) {
  const base = `/websites/${route.websiteId}`;
  // Imported days (Plausible's export) join the figures when no filter is on: they have no visits to
  // filter. The figures do not wait for the list (most sites have none): a site with some reads again.
  const imported = useRead<{ data: ImportedRange[] }>(`${base}/imported`);
  const withImported = Boolean(imported.data?.data.length) && !Object.values(route.filters).some(Boolean);
  const key = `${routeHash({ ...route, tabs: {} })}${withImported ? '&imported' : ''}`;
  // One moment for every request of this view, so the figures and the panels cover the same range.
  const bounds = useMemo(() => rangeBounds(route), [routeHash({ ...route, tabs: {} })]);
  const query = `${readQuery(route, bounds)}${withImported ? '&imported=true' : ''}`;
  const { annotations, reload } = useAnnotations(route.websiteId!, bounds);

  // The view's reads go out in one batch with the panels' (read-batch.ts), and are cancelled when the view changes;
  // the figures of the view before stay (dimmed) until the new ones arrive.
  const figures = useLoad<Figures>(
    key,
    async (signal) => {
      const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      const [website, stats, series] = await Promise.all([
        read<Website>(base, signal),
        read<Stats>(`${base}/stats?${query}`, signal),
        read<Series>(`${base}/pageviews?${query}&unit=${bounds.unit}&timezone=${encodeURIComponent(timezone)}${route.compare ? '&compare=prev' : ''}`, signal),
      ]);
      return { website, stats, series };
    },
    { keep: true },
  );
  const { data, error } = figures;

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
  return (
    <section>
      <div class="title">
        <h1>{data?.website.name ?? '…'}</h1>
        <nav class="view-links" aria-label="This website">
          <a href={routeHash({ ...route, page: 'visitors' })}>Visitors</a>
          <a href={routeHash({ ...route, page: 'reports', report: 'goals' })}>Reports</a>
        </nav>
        <RangePicker route={route} go={go} />
      </div>
      <FilterBar route={route} go={go} canWrite={canWrite} />
      {data === null ? <HeadlinePlaceholder /> : <Headline stats={data.stats} compare={route.compare} stale={figures.stale} />}
      {data === null ? (
        <div class="chart" aria-busy="true" />
      ) : (
        <SeriesChart series={data.series} unit={bounds.unit} totals={data.stats} annotations={annotations} />
      )}
      {imported.data?.data.map((range) => (
        <p class="imported-note muted" key={range.source}>
          {withImported
            ? `Includes figures imported from ${sourceNames[range.source] ?? range.source} for ${range.firstDay} to ${range.lastDay} (shaded): whole days, added to the totals, the chart and the lists; visitors are summed day by day.`
            : `Figures imported from ${sourceNames[range.source] ?? range.source} (${range.firstDay} to ${range.lastDay}) are left out while a filter is on: they have no visits to filter.`}
        </p>
      ))}
      <Annotations websiteId={route.websiteId!} annotations={annotations} reload={reload} canWrite={canWrite} />
      {/* Realtime waits for the figures: the engine runs parameterized reads one at a time, and these come first. */}
      {data ? <Live websiteId={route.websiteId!} /> : <section class="panel live" />}
      <div class="panels">
        {panelGroups.map((group) => (
          <Panel key={group.group} {...group} base={base} query={query} route={route} go={go} visitors={data?.stats.visitors} />
        ))}
        <EventsPanel base={base} query={query} route={route} go={go} />
      </div>
    </section>
  );
}

const sourceNames: Record<string, string> = { plausible: 'Plausible' };

export function RangePicker({ route, go }: { route: Route; go: (next: Partial<Route>) => void }) {
  const today = dayString(new Date());
  return (
    <div class="range">
      <select
        aria-label="Date range"
        value={route.range}
        onChange={(e) => {
          const range = (e.currentTarget as HTMLSelectElement).value as RangeName;
          // A custom range starts as the last 7 days, to be changed in the date fields.
          const week = dayString(new Date(Date.now() - 6 * 86_400_000));
          go(range === 'custom' ? { range, start: route.start ?? week, end: route.end ?? today } : { range, start: undefined, end: undefined });
        }}
      >
        {Object.entries(ranges).map(([value, label]) => (
          <option value={value}>{label}</option>
        ))}
      </select>
      {route.range === 'custom' && (
        <>
          <input
            type="date"
            aria-label="From"
            value={route.start}
            max={route.end}
            onChange={(e) => (e.currentTarget as HTMLInputElement).value && go({ start: (e.currentTarget as HTMLInputElement).value })}
          />
          <input
            type="date"
            aria-label="To"
            value={route.end}
            min={route.start}
            max={today}
            onChange={(e) => (e.currentTarget as HTMLInputElement).value && go({ end: (e.currentTarget as HTMLInputElement).value })}
          />
        </>
      )}
      <label class="check">
        <input type="checkbox" checked={route.compare} onChange={(e) => go({ compare: (e.currentTarget as HTMLInputElement).checked })} />
        Compare with previous period
      </label>
    </div>
  );
}

function Headline({ stats, compare, stale }: { stats: Stats; compare: boolean; stale: boolean }) {
  const prev = stats.comparison;
  const rate = (s: Omit<Stats, 'comparison'>) => (s.visits ? s.bounces / s.visits : null);
  const duration = (s: Omit<Stats, 'comparison'>) => (s.visits ? s.totaltime / s.visits : null);
  const figures = [
    { label: 'Visitors', now: stats.visitors, before: prev.visitors, show: formatNumber },
    { label: 'Visits', now: stats.visits, before: prev.visits, show: formatNumber },
    { label: 'Pageviews', now: stats.pageviews, before: prev.pageviews, show: formatNumber },
    { label: 'Bounce rate', now: rate(stats), before: rate(prev), show: formatPercent, lowerIsBetter: true },
    { label: 'Visit duration', now: duration(stats), before: duration(prev), show: formatDuration },
  ];
  return (
    <dl class={stale ? 'headline stale' : 'headline'} aria-busy={stale}>
      {figures.map((f) => {
        const delta = f.now !== null && f.before !== null ? change(f.now, f.before) : null;
        return (
          <div data-figure={f.label}>
            <dt>{f.label}</dt>
            <dd>
              <span class="value">{f.now === null ? '—' : f.show(f.now)}</span>
              {delta !== null && (
                <span class={`delta ${deltaClass(delta, f.lowerIsBetter)}`} title="Against the previous period">
                  {Math.abs(delta) < 0.005 ? '±0%' : `${delta > 0 ? '+' : ''}${formatPercent(delta)}`}
                </span>
              )}
            </dd>
            {compare && <dd class="previous">previous period: {f.before === null ? '—' : f.show(f.before)}</dd>}
          </div>
        );
      })}
    </dl>
  );
}

/** Green when the figure moved the good way, red the bad way, grey when it held (under half a percent). */
const deltaClass = (delta: number, lowerIsBetter = false) => (Math.abs(delta) < 0.005 ? 'same' : delta > 0 !== lowerIsBetter ? 'up' : 'down');

/** The headline's frame while the first figures load, so nothing jumps when they arrive. */
function HeadlinePlaceholder() {
  return (
    <dl class="headline" aria-busy="true">
      {['Visitors', 'Visits', 'Pageviews', 'Bounce rate', 'Visit duration'].map((label) => (
        <div>
          <dt>{label}</dt>
          <dd>
            <span class="value muted">…</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}
