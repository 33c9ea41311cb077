import { useRead } from './use-read';
import { DetailsLink } from './details';
import { formatNumber } from './format';
import type { FilterName, Route, TabGroup } from './state';

interface Tab {
  /** The read API's metric type. */
  type: string;
  label: string;
  /** The filter a row sets when clicked; none for metrics that cannot be filtered on. */
  filter?: FilterName;
  /** How a row's value reads to people (a country code as its name, …). */
  show?: (value: string) => string;
  /** What an empty list means, when more than "no data". */
  empty?: string;
  /** The name of a row without a value (no referrer, an address the geo database does not know). */
  unknown?: string;
}

const regionNames = displayNames('region');
const languageNames = displayNames('language');
function displayNames(type: 'region' | 'language') {
  try {
    const names = new Intl.DisplayNames(undefined, { type });
    return (code: string) => {
      try {
        return names.of(code) ?? code;
      } catch {
        return code;
      }
    };
  } catch {
    return (code: string) => code;
  }
}
/** Umami's browser keys as their product names; others as they are. */
const browserNames: Record<string, string> = {
  chrome: 'Chrome',
  crios: 'Chrome (iOS)',
  firefox: 'Firefox',
  fxios: 'Firefox (iOS)',
  safari: 'Safari',
  ios: 'Safari (iOS)',
  'ios-webview': 'iOS web view',
  'edge-chromium': 'Edge',
  edge: 'Edge (legacy)',
  samsung: 'Samsung Internet',
  opera: 'Opera',
  'chromium-webview': 'Android web view',
  yandexbrowser: 'Yandex Browser',
};
const browserName = (key: string) => browserNames[key] ?? key;
const capitalized = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);
const noGeo = 'No data. The geo database in use gives countries only; see the README to use one with regions and cities.';

/** The ranked panels, grouped as on Plausible's dashboard; the shown tab of each group lives in the URL. */
export const panelGroups: { group: TabGroup | 'languages'; tabs: Tab[] }[] = [
  {
    group: 'pages',
    tabs: [
      { type: 'path', label: 'Pages', filter: 'path' },
      { type: 'entry', label: 'Entry', filter: 'path' },
      { type: 'exit', label: 'Exit', filter: 'path' },
      { type: 'title', label: 'Titles', filter: 'title' },
    ],
  },
  {
    group: 'sources',
    tabs: [
      { type: 'referrer', label: 'Referrers', filter: 'referrer', unknown: 'Direct / none' },
      { type: 'utmSource', label: 'Sources', filter: 'utmSource' },
      { type: 'utmMedium', label: 'Mediums', filter: 'utmMedium' },
      { type: 'utmCampaign', label: 'Campaigns', filter: 'utmCampaign' },
    ],
  },
  {
    group: 'locations',
    tabs: [
      { type: 'country', label: 'Countries', filter: 'country', show: regionNames, unknown: 'Unknown' },
      { type: 'region', label: 'Regions', filter: 'region', empty: noGeo, unknown: 'Unknown' },
      { type: 'city', label: 'Cities', filter: 'city', empty: noGeo, unknown: 'Unknown' },
    ],
  },
  {
    group: 'tech',
    tabs: [
      { type: 'browser', label: 'Browsers', filter: 'browser', show: browserName },
      { type: 'os', label: 'OS', filter: 'os' },
      { type: 'device', label: 'Devices', filter: 'device', show: capitalized },
      { type: 'screen', label: 'Screens' },
    ],
  },
  { group: 'languages', tabs: [{ type: 'language', label: 'Languages', filter: 'language', show: languageNames }] },
];

type Row = { x: string; y: number };

/** Loads a list for the panel's query; `null` while loading. */
function useList<T>(path: string | null): { rows: T[] | null; error: string } {
  const { data, error } = useRead<T[]>(path, 'Could not load this list');
  return { rows: error ? [] : data, error };
}

interface PanelProps {
  base: string;
  query: string;
  route: Route;
  go: (next: Partial<Route>) => void;
  /** The period's unique visitors (the stats), for each row's share; undefined until known. */
  visitors?: number;
}

/** One group of ranked rows with its tabs; a row click filters the whole page by its value. */
export function Panel({ group, tabs, base, query, route, go, visitors }: PanelProps & (typeof panelGroups)[number]) {
  const chosen = group === 'languages' ? undefined : route.tabs[group];
  const tab = tabs.find((t) => t.type === chosen) ?? tabs[0]!;
  const { rows, error } = useList<Row>(`${base}/metrics?${query}&type=${tab.type}&limit=10`);
  const pick = tab.filter ? (x: string) => go({ filters: { ...route.filters, [tab.filter!]: `eq.${x}` } }) : undefined;
  const ranked = (
    <Rows rows={rows} error={error} empty={tab.empty} show={tab.show} unknown={tab.unknown} heading={[tab.label, 'Visitors']} total={visitors} onPick={pick} />
  );
  return (
    <section class="panel" data-panel={tab.type} aria-busy={rows === null}>
      {tabs.length === 1 ? (
        <h2>{tab.label}</h2>
      ) : (
        <div class="tabs" role="tablist" aria-label={group}>
          {tabs.map((t) => (
            <button
              type="button"
              role="tab"
              id={`tab-${group}-${t.type}`}
              aria-controls={`tabpanel-${group}`}
              aria-selected={t === tab}
              class={t === tab ? 'tab current' : 'tab'}
              onClick={() => go({ tabs: { ...route.tabs, [group]: t === tabs[0] ? undefined : t.type } })}
            >
              {t.label}
            </button>
          ))}
        </div>
      )}
      {tabs.length === 1 ? (
        ranked
      ) : (
        <div role="tabpanel" id={`tabpanel-${group}`} aria-labelledby={`tab-${group}-${tab.type}`}>
          {ranked}
        </div>
      )}
      <DetailsLink
        hasRows={Boolean(rows?.length)}
        title={tab.label}
        measure="Visitors"
        path={`${base}/metrics?${query}&type=${tab.type}`}
        show={tab.show}
        unknown={tab.unknown ?? '(none)'}
        total={visitors}
        onPick={pick}
      />
    </section>
  );
}

/** Custom events by count; with an event filter on, that event's properties and their values. */
export function EventsPanel({ base, query, route, go }: PanelProps) {
  const { rows, error } = useList<Row>(`${base}/metrics?${query}&type=event&limit=10`);
  const pickEvent = (x: string) => go({ filters: { ...route.filters, event: `eq.${x}` } });
  const picked = route.filters.event?.startsWith('eq.') ? route.filters.event.slice(3) : null;
  // The event-data routes take the event's name as `event`, in place of the filter of that name.
  const withoutEvent = new URLSearchParams(query);
  withoutEvent.delete('event');
  const properties = useList<{ propertyName: string; propertyValue: string; total: number }>(
    picked === null ? null : `${base}/event-data/events?${withoutEvent}&event=${encodeURIComponent(picked)}`,
  );
  return (
    <section class="panel" data-panel="event" aria-busy={rows === null || (picked !== null && properties.rows === null)}>
      <h2>Custom events</h2>
      <Rows
        rows={rows}
        error={error}
        heading={['Event', 'Count']}
        empty="No custom events. Send them with umami.track('name', { … }) or data-umami-event."
        onPick={pickEvent}
      />
      <DetailsLink
        hasRows={Boolean(rows?.length)}
        title="Custom events"
        measure="Count"
        path={`${base}/metrics?${query}&type=event`}
        unknown="(none)"
        onPick={pickEvent}
      />
      {picked !== null && (
        <>
          <h3>Properties of {picked}</h3>
          <Rows
            rows={properties.rows?.map((p) => ({ x: `${p.propertyName}: ${p.propertyValue}`, y: p.total })) ?? null}
            error={properties.error}
            empty="This event has no properties."
          />
        </>
      )}
    </section>
  );
}

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });

/**
 * Ranked rows under a heading of their two columns, each with a bar showing its share of the
 * first and, given `total`, its share of the period's visitors; buttons when a row filters.
 */
function Rows({
  rows,
  error,
  empty,
  show,
  unknown = '(none)',
  heading,
  total,
  onPick,
}: {
  rows: Row[] | null;
  error: string;
  empty?: string;
  show?: (x: string) => string;
  unknown?: string;
  heading?: [string, string];
  total?: number;
  onPick?: (x: string) => void;
}) {
  if (rows === null) return <p class="muted placeholder">Loading…</p>;
  if (error) return <p class="error">{error}</p>;
  if (rows.length === 0) return <p class="muted placeholder">{empty ?? 'No data'}</p>;
  const top = Math.max(...rows.map((r) => r.y), 1);
  return (
    <>
      {heading && (
        <div class="columns" aria-hidden="true">
          <span>{heading[0]}</span>
          <span>{heading[1]}</span>
        </div>
      )}
      <ol>
        {rows.map((row) => {
          const label = row.x ? (show ? show(row.x) : row.x) : unknown;
          const content = (
            <>
              <span class="share-bar" style={{ width: `${(row.y / top) * 100}%` }} aria-hidden="true" />
              <span class="label" title={row.x}>
                {label}
              </span>
              <span class="figures">
                <span class="count">{formatNumber(row.y)}</span>
                {total ? <span class="share">{percent.format(Math.min(1, row.y / total))}</span> : null}
              </span>
            </>
          );
          return (
            <li>
              {onPick ? (
                <button type="button" class="row" onClick={() => onPick(row.x)}>
                  {content}
                </button>
              ) : (
                <div class="row">{content}</div>
              )}
            </li>
          );
        })}
      </ol>
    </>
  );
}
