import { useState } from 'preact/hooks';
import { api, failureText, type Website } from './api';
import { formatNumber, formatPercent } from './format';
import {
  localDays,
  parseStepLines,
  ratingOf,
  retentionGrid,
  revenueByDay,
  stepLines,
  vitalNames,
  vitalText,
  type FunnelStep,
  type RetentionRow,
  type Vital,
} from './report-logic';
import { rangeBounds, ranges, routeHash, type RangeName, type Route } from './state';
import { useRead } from './use-read';
import { Properties } from './properties';

export const reportNames = {
  goals: 'Goals',
  funnel: 'Funnel',
  journeys: 'Journeys',
  retention: 'Retention',
  attribution: 'Attribution',
  vitals: 'Web vitals',
  revenue: 'Revenue',
  utm: 'UTM',
  properties: 'Properties',
} as const;
export type ReportName = keyof typeof reportNames;

/** A website's reports: goals, a funnel, journeys, retention, attribution, web vitals, revenue and UTM, over the view's range; linkable like the overview. */
export function Reports({ route }: { route: Route }) {
  const report = (route.report ?? 'goals') as ReportName;
  const base = `/websites/${route.websiteId}`;
  const bounds = rangeBounds(route);
  const range = `startAt=${bounds.startAt}&endAt=${bounds.endAt}`;
  const website = useRead<Website>(base);
  const go = (next: Partial<Route>) => {
    location.hash = routeHash({ ...route, ...next });
  };
  return (
    <section class="reports">
      <p>
        <a href={`#/websites/${route.websiteId}?range=${route.range}`}>← {website.data?.name ?? 'Overview'}</a>
      </p>
      <div class="title">
        <h1>Reports</h1>
        <select aria-label="Date range" value={route.range} onChange={(e) => go({ range: (e.currentTarget as HTMLSelectElement).value as RangeName })}>
          {Object.entries(ranges)
            .filter(([value]) => value !== 'custom')
            .map(([value, label]) => (
              <option value={value}>{label}</option>
            ))}
        </select>
      </div>
      <nav class="tabs" aria-label="Reports">
        {Object.entries(reportNames).map(([name, label]) => (
          <a class={`tab${name === report ? ' current' : ''}`} aria-current={name === report ? 'page' : undefined} href={routeHash({ ...route, report: name })}>
            {label}
          </a>
        ))}
      </nav>
      {report === 'goals' && <Goals base={base} range={range} />}
      {report === 'funnel' && <Funnel base={base} range={range} />}
      {report === 'journeys' && <Journeys base={base} range={range} />}
      {report === 'retention' && <Retention base={base} range={range} />}
      {report === 'attribution' && <Attribution base={base} range={range} />}
      {report === 'vitals' && <Vitals base={base} range={range} />}
      {report === 'revenue' && <Revenue base={base} range={range} bounds={bounds} />}
      {report === 'utm' && <Utm base={base} range={range} />}
      {report === 'properties' && <Properties base={base} range={range} />}
    </section>
  );
}

const Failure = ({ text }: { text: string }) =>
  text ? (
    <p class="error" role="alert">
      {text}
    </p>
  ) : null;

interface SavedGoal {
  id: string;
  name: string;
  parameters: { type: 'path' | 'event' | 'property'; value: string; property?: string; propertyValue?: string };
}

function Goals({ base, range }: { base: string; range: string }) {
  const saved = useRead<{ data: SavedGoal[] }>(`${base}/goals?pageSize=100`);
  const [error, setError] = useState('');
  const add = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const fields = new FormData(form);
    try {
      const value = String(fields.get('value') ?? '').trim();
      const property = String(fields.get('property') ?? '').trim();
      const type = value.startsWith('/') || value.startsWith('*') ? 'path' : property ? 'property' : 'event';
      const parameters = type === 'property' ? { type, value, property, propertyValue: String(fields.get('propertyValue') ?? '') } : { type, value };
      await api(`${base}/goals`, { method: 'POST', body: { name: fields.get('name') || value, parameters } });
      form.reset();
      setError('');
      saved.reload();
    } catch (failure) {
      setError(failureText(failure, 'Could not add the goal'));
    }
  };
  const remove = async (goal: SavedGoal) => {
    await api(`${base}/goals/${goal.id}`, { method: 'DELETE' }).catch((failure) => setError(failureText(failure, 'Could not delete the goal')));
    saved.reload();
  };
  return (
    <div class="card wide">
      <Failure text={saved.error || error} />
      {saved.data === null ? (
        <p class="loading-inline">Loading…</p>
      ) : saved.data.data.length === 0 ? (
        <p class="muted">No goals yet. A goal is a page (starting with /), a custom event's name, or an event with a property's value.</p>
      ) : (
        <table class="keys report-table">
          <thead>
            <tr>
              <th>Goal</th>
              <th class="number">Converted</th>
              <th class="number">Rate</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {saved.data.data.map((goal) => (
              <GoalRow key={goal.id} goal={goal} base={base} range={range} remove={() => remove(goal)} />
            ))}
          </tbody>
        </table>
      )}
      <form class="inline" onSubmit={add}>
        <label>
          Page or event
          <input name="value" required maxLength={500} placeholder="/signup or signed-up" />
        </label>
        <label>
          Event property (optional)
          <input name="property" maxLength={50} placeholder="plan" />
        </label>
        <label>
          Property value
          <input name="propertyValue" maxLength={500} placeholder="pro" />
        </label>
        <label>
          Name (optional)
          <input name="name" maxLength={200} />
        </label>
        <button type="submit">Add goal</button>
      </form>
    </div>
  );
}

function GoalRow({ goal, base, range, remove }: { goal: SavedGoal; base: string; range: string; remove: () => void }) {
  const stats = useRead<{ num: number; total: number }>(`${base}/goals/${goal.id}/stats?${range}`);
  return (
    <tr data-goal={goal.name}>
      <td>
        {goal.name}{' '}
        <span class="muted">
          {goal.parameters.value}
          {goal.parameters.type === 'property' && ` with ${goal.parameters.property} = ${goal.parameters.propertyValue}`}
        </span>
      </td>
      <td class="number">{stats.data ? `${formatNumber(stats.data.num)} of ${formatNumber(stats.data.total)}` : '…'}</td>
      <td class="number">{stats.data ? formatPercent(stats.data.total ? stats.data.num / stats.data.total : 0) : ''}</td>
      <td>
        <button type="button" class="link danger" onClick={remove}>
          Delete
        </button>
      </td>
    </tr>
  );
}

interface FunnelFigure extends FunnelStep {
  visitors: number;
  dropoff: number;
  remaining: number;
}

interface SavedFunnel {
  id: string;
  name: string;
  parameters: { steps: FunnelStep[]; window: number };
}

/** An ad-hoc funnel built in the page, saved under a name, and saved ones shown, changed (load, edit, update) or deleted. */
function Funnel({ base, range }: { base: string; range: string }) {
  const [asked, setAsked] = useState<{ steps: FunnelStep[]; window: number } | null>(null);
  const [loaded, setLoaded] = useState<SavedFunnel | null>(null);
  const [error, setError] = useState('');
  const saved = useRead<{ data: SavedFunnel[] }>(`${base}/funnels?pageSize=100`);
  const figures = useRead<FunnelFigure[]>(
    asked ? `${base}/funnels/stats?${range}&window=${asked.window}&steps=${encodeURIComponent(JSON.stringify(asked.steps))}` : null,
  );
  const read = (form: HTMLFormElement) => {
    const fields = new FormData(form);
    const steps = parseStepLines(String(fields.get('steps') ?? ''));
    if (typeof steps === 'string') {
      setError(steps);
      return null;
    }
    setError('');
    return { steps, window: Number(fields.get('window')) || 30, name: String(fields.get('name') ?? '').trim() };
  };
  const run = (event: SubmitEvent) => {
    event.preventDefault();
    const funnel = read(event.currentTarget as HTMLFormElement);
    if (funnel) setAsked({ steps: funnel.steps, window: funnel.window });
  };
  /** Saves the form's funnel: as a new one, or over the loaded one. */
  const save = async (form: HTMLFormElement | null, asNew: boolean) => {
    const funnel = form && read(form);
    if (!funnel) return;
    const name = funnel.name || stepLines(funnel.steps).replaceAll('\n', ' → ');
    try {
      const body = { name, parameters: { steps: funnel.steps, window: funnel.window } };
      const answer = await api<SavedFunnel>(asNew || !loaded ? `${base}/funnels` : `${base}/funnels/${loaded.id}`, { method: 'POST', body });
      setLoaded(answer);
      setAsked(body.parameters);
      saved.reload();
    } catch (failure) {
      setError(failureText(failure, 'Could not save the funnel'));
    }
  };
  const remove = async (funnel: SavedFunnel) => {
    await api(`${base}/funnels/${funnel.id}`, { method: 'DELETE' }).catch((failure) => setError(failureText(failure, 'Could not delete the funnel')));
    if (loaded?.id === funnel.id) setLoaded(null);
    saved.reload();
  };
  const top = figures.data?.[0]?.visitors ?? 0;
  return (
    <div class="card wide">
      {saved.data && saved.data.data.length > 0 && (
        <ul class="saved-funnels">
          {saved.data.data.map((funnel) => (
            <li key={funnel.id} data-funnel={funnel.name}>
              <button
                type="button"
                class={`link${loaded?.id === funnel.id ? ' current' : ''}`}
                onClick={() => {
                  setLoaded(funnel);
                  setAsked(funnel.parameters);
                }}
              >
                {funnel.name}
              </button>{' '}
              <button type="button" class="link danger" onClick={() => remove(funnel)}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      {/* Keyed by the loaded funnel, so loading one puts its steps in the form. */}
      <form class="inline" onSubmit={run} key={loaded?.id ?? 'new'}>
        <label class="full">
          Steps, one per line (a page starting with /, else a custom event)
          <textarea name="steps" rows={4} defaultValue={asked ? stepLines(asked.steps) : '/\n/pricing\nsigned-up'} />
        </label>
        <label>
          Within (minutes of the step before)
          <input name="window" type="number" min={1} max={44640} defaultValue={String(asked?.window ?? 30)} />
        </label>
        <label>
          Name
          <input name="name" maxLength={200} defaultValue={loaded?.name ?? ''} />
        </label>
        <button type="submit">Show funnel</button>
        <button type="button" class="secondary" onClick={(e) => save((e.currentTarget as HTMLButtonElement).form, true)}>
          Save as new
        </button>
        {loaded && (
          <button type="button" class="secondary" onClick={(e) => save((e.currentTarget as HTMLButtonElement).form, false)}>
            Update “{loaded.name}”
          </button>
        )}
      </form>
      <Failure text={error || figures.error || saved.error} />
      {figures.data && (
        <ol class="funnel">
          {figures.data.map((step, i) => (
            <li key={i} data-step={i + 1}>
              <div class="funnel-bar" style={{ width: `${top ? Math.max(1, (step.visitors / top) * 100) : 0}%` }} />
              <span class="funnel-label">
                {step.value} <strong>{formatNumber(step.visitors)}</strong> visitors
                {i > 0 && <span class="muted"> · {formatPercent(step.dropoff)} dropped off</span>}
              </span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function Journeys({ base, range }: { base: string; range: string }) {
  const [steps, setSteps] = useState(3);
  const paths = useRead<{ items: string[]; count: number }[]>(`${base}/journeys?${range}&steps=${steps}`);
  return (
    <div class="card wide">
      <label class="inline-label">
        Steps{' '}
        <select value={String(steps)} onChange={(e) => setSteps(Number((e.currentTarget as HTMLSelectElement).value))}>
          {[2, 3, 4, 5, 6, 7].map((n) => (
            <option value={String(n)}>{n}</option>
          ))}
        </select>
      </label>
      <Failure text={paths.error} />
      {paths.data === null ? (
        <p class="loading-inline">Loading…</p>
      ) : paths.data.length === 0 ? (
        <p class="muted">No visits in this range.</p>
      ) : (
        <ol class="journeys">
          {paths.data.slice(0, 20).map((path, i) => (
            <li key={i}>
              <span class="journey">
                {path.items.map((item, j) => (
                  <>
                    {j > 0 && <span class="arrow"> → </span>}
                    <code>{item}</code>
                  </>
                ))}
              </span>
              <span class="count">{formatNumber(path.count)}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

const retentionUnits = { day: 'Day', week: 'Week', month: 'Month' } as const;

function Retention({ base, range }: { base: string; range: string }) {
  const [unit, setUnit] = useState<keyof typeof retentionUnits>('day');
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const rows = useRead<RetentionRow[]>(`${base}/retention?${range}&unit=${unit}&timezone=${encodeURIComponent(timezone)}`);
  const grid = rows.data ? retentionGrid(rows.data) : null;
  return (
    <div class="card wide">
      <label class="inline-label">
        Cohorts by{' '}
        <select value={unit} onChange={(e) => setUnit((e.currentTarget as HTMLSelectElement).value as keyof typeof retentionUnits)}>
          {Object.entries(retentionUnits).map(([value, label]) => (
            <option value={value}>{label}</option>
          ))}
        </select>
      </label>
      <p class="muted">
        Visitors are followed across days only when the site identifies them (umami.identify); anonymous visitor ids change every day by design.
      </p>
      <Failure text={rows.error} />
      {grid === null ? (
        <p class="loading-inline">Loading…</p>
      ) : grid.cohorts.length === 0 ? (
        <p class="muted">No visitors in this range.</p>
      ) : (
        <div class="scrolls">
          <table class="retention">
            <thead>
              <tr>
                <th>Cohort</th>
                <th class="number">Visitors</th>
                {grid.periods.map((period) => (
                  <th class="number">
                    {retentionUnits[unit]} {period}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {grid.cohorts.map((cohort) => (
                <tr key={cohort.date} data-cohort={cohort.date}>
                  <td>{cohort.date}</td>
                  <td class="number">{formatNumber(cohort.visitors)}</td>
                  {cohort.shares.map((share) => (
                    <td
                      class={`number cell${share !== null && share >= 0.6 ? ' strong' : ''}`}
                      style={share === null ? undefined : { '--share': String(share) }}
                    >
                      {share === null ? '' : formatPercent(share)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

const attributionTables = {
  referrer: 'Referrer',
  paidAds: 'Paid ads',
  utm_source: 'Source',
  utm_medium: 'Medium',
  utm_campaign: 'Campaign',
} as const;
type Credited = { name: string; value: number }[];

function Attribution({ base, range }: { base: string; range: string }) {
  const [asked, setAsked] = useState<{ model: string; step: string; currency: string } | null>(null);
  const type = asked && (asked.step.startsWith('/') || asked.step.startsWith('*')) ? 'path' : 'event';
  const credited = useRead<Record<keyof typeof attributionTables, Credited> & { total: { visitors: number; revenue?: number } }>(
    asked
      ? `${base}/attribution?${range}&model=${asked.model}&type=${type}&step=${encodeURIComponent(asked.step)}${asked.currency ? `&currency=${asked.currency}` : ''}`
      : null,
  );
  const run = (event: SubmitEvent) => {
    event.preventDefault();
    const fields = new FormData(event.currentTarget as HTMLFormElement);
    const currency = String(fields.get('currency') ?? '')
      .trim()
      .toUpperCase();
    setAsked({ model: String(fields.get('model')), step: String(fields.get('step') ?? '').trim(), currency });
  };
  // With a currency the credit is the converting orders' revenue (ours), else visitors.
  const currency = asked?.currency ?? '';
  const show = (value: number) => (currency ? new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(value) : formatNumber(value));
  return (
    <div class="card wide">
      <form class="inline" onSubmit={run}>
        <label>
          Conversion: page or event
          <input name="step" required maxLength={500} placeholder="/signup or signed-up" defaultValue={asked?.step} />
        </label>
        <label>
          Credit
          <select name="model" defaultValue={asked?.model ?? 'first-click'}>
            <option value="first-click">First touch</option>
            <option value="last-click">Last touch</option>
          </select>
        </label>
        <label>
          Revenue in (optional)
          <input name="currency" maxLength={3} size={4} pattern="[A-Za-z]{3}" placeholder="EUR" defaultValue={asked?.currency} />
        </label>
        <button type="submit">Attribute</button>
      </form>
      <Failure text={credited.error} />
      {credited.data && (
        <>
          <p class="muted">
            {formatNumber(credited.data.total.visitors)} {credited.data.total.visitors === 1 ? 'visitor' : 'visitors'} converted
            {currency && credited.data.total.revenue !== undefined ? `, paying ${show(credited.data.total.revenue)}` : ''}.
          </p>
          <div class="attribution">
            {Object.entries(attributionTables).map(([field, label]) => (
              <table class="keys report-table" data-field={field}>
                <thead>
                  <tr>
                    <th>{label}</th>
                    <th class="number">{currency ? 'Revenue' : 'Visitors'}</th>
                  </tr>
                </thead>
                <tbody>
                  {credited.data![field as keyof typeof attributionTables].length === 0 ? (
                    <tr>
                      <td class="muted" colSpan={2}>
                        None
                      </td>
                    </tr>
                  ) : (
                    credited.data![field as keyof typeof attributionTables].map((row) => (
                      <tr key={row.name}>
                        <td>{row.name}</td>
                        <td class="number">{show(row.value)}</td>
                      </tr>
                    ))
                  )}
                </tbody>
              </table>
            ))}
          </div>
        </>
      )}
    </div>
  );
}

type Percentiles = { p50: number; p75: number; p95: number };

function Vitals({ base, range }: { base: string; range: string }) {
  const stats = useRead<Record<Vital, Percentiles> & { count: number }>(`${base}/performance/stats?${range}`);
  const pages = useRead<({ name: string; count: number } & Percentiles)[]>(`${base}/performance/metrics?${range}&type=path&metric=lcp&limit=20`);
  return (
    <div class="card wide">
      <Failure text={stats.error || pages.error} />
      {stats.data === null ? (
        <p class="loading-inline">Loading…</p>
      ) : stats.data.count === 0 ? (
        <p class="muted">No measurements yet: add data-performance="true" to the tracking snippet.</p>
      ) : (
        <>
          <p class="muted">{formatNumber(stats.data.count)} page views measured; the 75th percentile, rated against Google's thresholds.</p>
          <dl class="vitals">
            {(Object.keys(vitalNames) as Vital[]).map((vital) => (
              <div key={vital} class={`vital ${ratingOf(vital, stats.data![vital].p75)}`} data-vital={vital}>
                <dt>{vitalNames[vital]}</dt>
                <dd>{vitalText(vital, stats.data![vital].p75)}</dd>
              </div>
            ))}
          </dl>
          {pages.data && pages.data.length > 0 && (
            <table class="keys report-table">
              <thead>
                <tr>
                  <th>Page</th>
                  <th class="number">LCP p75</th>
                  <th class="number">Measured</th>
                </tr>
              </thead>
              <tbody>
                {pages.data.map((page) => (
                  <tr key={page.name}>
                    <td>{page.name}</td>
                    <td class={`number ${ratingOf('lcp', page.p75)}`}>{vitalText('lcp', page.p75)}</td>
                    <td class="number">{formatNumber(page.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}

function Revenue({ base, range, bounds }: { base: string; range: string; bounds: { startAt: number; endAt: number } }) {
  const [currency, setCurrency] = useState('EUR');
  const stats = useRead<{ sum: number; count: number; unique_count: number; average: number }>(`${base}/revenue/stats?${range}&currency=${currency}`);
  const timezone = encodeURIComponent(Intl.DateTimeFormat().resolvedOptions().timeZone);
  const chart = useRead<{ chart: { x: string; t: string; y: number; count: number }[] }>(
    `${base}/revenue/chart?${range}&currency=${currency}&unit=day&timezone=${timezone}`,
  );
  const days = chart.data ? revenueByDay(chart.data.chart, localDays(bounds.startAt, bounds.endAt)) : [];
  const highest = Math.max(0, ...days.map((d) => d.revenue));
  const [dimension, setDimension] = useState<keyof typeof revenueDimensions>('channel');
  const byDimension = useRead<Credited>(`${base}/revenue/metrics?${range}&currency=${currency}&type=${dimension}`);
  const money = (value: number) => new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(value);
  const byEvent = new Map<string, { y: number; count: number }>();
  for (const point of chart.data?.chart ?? []) {
    const entry = byEvent.get(point.x) ?? { y: 0, count: 0 };
    byEvent.set(point.x, { y: entry.y + point.y, count: entry.count + point.count });
  }
  return (
    <div class="card wide">
      <label class="inline-label">
        Currency{' '}
        <input
          value={currency}
          maxLength={3}
          size={4}
          onChange={(e) => {
            const value = (e.currentTarget as HTMLInputElement).value.toUpperCase();
            if (/^[A-Z]{3}$/.test(value)) setCurrency(value);
          }}
        />
      </label>
      <Failure text={stats.error || chart.error} />
      {stats.data && (
        <dl class="headline">
          <div>
            <dt>Revenue</dt>
            <dd>{money(stats.data.sum)}</dd>
          </div>
          <div>
            <dt>Orders</dt>
            <dd>{formatNumber(stats.data.count)}</dd>
          </div>
          <div>
            <dt>Buyers</dt>
            <dd>{formatNumber(stats.data.unique_count)}</dd>
          </div>
          <div>
            <dt>Average order</dt>
            <dd>{money(stats.data.average)}</dd>
          </div>
        </dl>
      )}
      {highest > 0 && (
        <figure class="revenue-days" aria-label={`Revenue per day, up to ${money(highest)}`}>
          <div class="revenue-bars">
            {days.map((d) => (
              <div class="revenue-day" key={d.day} title={`${d.day}: ${money(d.revenue)}`} data-day={d.day}>
                <div class="revenue-bar" style={{ height: `${(d.revenue / highest) * 100}%` }} />
              </div>
            ))}
          </div>
          <figcaption class="muted">
            {days[0]?.day} – {days[days.length - 1]?.day} · highest day {money(highest)}
          </figcaption>
        </figure>
      )}
      {byEvent.size > 0 && (
        <table class="keys report-table">
          <thead>
            <tr>
              <th>Event</th>
              <th class="number">Orders</th>
              <th class="number">Revenue</th>
            </tr>
          </thead>
          <tbody>
            {[...byEvent].map(([name, figures]) => (
              <tr key={name}>
                <td>{name}</td>
                <td class="number">{formatNumber(figures.count)}</td>
                <td class="number">{money(figures.y)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <label class="inline-label">
        Revenue by{' '}
        <select value={dimension} onChange={(e) => setDimension((e.currentTarget as HTMLSelectElement).value as keyof typeof revenueDimensions)}>
          {Object.entries(revenueDimensions).map(([value, label]) => (
            <option value={value}>{label}</option>
          ))}
        </select>
      </label>
      <Failure text={byDimension.error} />
      {byDimension.data && byDimension.data.length > 0 && (
        <table class="keys report-table" data-revenue-by={dimension}>
          <thead>
            <tr>
              <th>{revenueDimensions[dimension]}</th>
              <th class="number">Revenue</th>
            </tr>
          </thead>
          <tbody>
            {byDimension.data.map((row) => (
              <tr key={row.name}>
                <td>{row.name || '(none)'}</td>
                <td class="number">{money(row.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const revenueDimensions = { channel: 'Channel', referrer: 'Referrer', country: 'Country' } as const;

const utmTypes = { utm_source: 'Source', utm_medium: 'Medium', utm_campaign: 'Campaign', utm_term: 'Term', utm_content: 'Content' } as const;

function Utm({ base, range }: { base: string; range: string }) {
  const [type, setType] = useState<keyof typeof utmTypes>('utm_source');
  const rows = useRead<{ utm: string; views: number }[]>(`${base}/utm/metrics?${range}&type=${type}`);
  return (
    <div class="card wide">
      <label class="inline-label">
        Parameter{' '}
        <select value={type} onChange={(e) => setType((e.currentTarget as HTMLSelectElement).value as keyof typeof utmTypes)}>
          {Object.entries(utmTypes).map(([value, label]) => (
            <option value={value}>{label}</option>
          ))}
        </select>
      </label>
      <Failure text={rows.error} />
      {rows.data === null ? (
        <p class="loading-inline">Loading…</p>
      ) : rows.data.length === 0 ? (
        <p class="muted">No pageviews with this parameter in this range.</p>
      ) : (
        <table class="keys report-table">
          <thead>
            <tr>
              <th>{utmTypes[type]}</th>
              <th class="number">Pageviews</th>
            </tr>
          </thead>
          <tbody>
            {rows.data.map((row) => (
              <tr key={row.utm}>
                <td>{row.utm}</td>
                <td class="number">{formatNumber(row.views)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
