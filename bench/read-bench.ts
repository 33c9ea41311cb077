/** One read endpoint to time, as a path under the website with its query. */
export interface Endpoint {
  name: string;
  path: string;
}

/** The endpoints of the read API over the `days` (30) up to `now`, as a dashboard asks for them. */
export function readEndpoints(websiteId: string, now: number, days = 30): Endpoint[] {
  const range = `startAt=${now - days * 86400_000}&endAt=${now}`;
  const site = `/api/websites/${websiteId}`;
  return [
    { name: 'stats', path: `${site}/stats?${range}` },
    { name: 'pageviews (day, tz)', path: `${site}/pageviews?${range}&unit=day&timezone=Europe/Berlin` },
    { name: 'pageviews (hour)', path: `${site}/pageviews?startAt=${now - 2 * 86400_000}&endAt=${now}&unit=hour` },
    { name: 'metrics path', path: `${site}/metrics?${range}&type=path` },
    { name: 'metrics entry', path: `${site}/metrics?${range}&type=entry` },
    { name: 'metrics exit', path: `${site}/metrics?${range}&type=exit` },
    { name: 'metrics title', path: `${site}/metrics?${range}&type=title` },
    { name: 'metrics referrer', path: `${site}/metrics?${range}&type=referrer` },
    { name: 'metrics browser', path: `${site}/metrics?${range}&type=browser` },
    { name: 'metrics country', path: `${site}/metrics?${range}&type=country` },
    { name: 'metrics event', path: `${site}/metrics?${range}&type=event` },
    { name: 'stats, country filter', path: `${site}/stats?${range}&country=DE` },
    { name: 'stats, page filter', path: `${site}/stats?${range}&path=eq./pricing` },
    { name: 'stats, path contains + country', path: `${site}/stats?${range}&country=DE&path=c.docs` },
    { name: 'events', path: `${site}/events?${range}` },
    { name: 'sessions', path: `${site}/sessions?${range}` },
    { name: 'event-data events', path: `${site}/event-data/events?${range}` },
    { name: 'event-data properties', path: `${site}/event-data/properties?${range}` },
    { name: 'active', path: `${site}/active` },
    { name: 'realtime', path: `/api/realtime/${websiteId}` },
    { name: 'daterange', path: `${site}/daterange` },
  ];
}

/** The report endpoints (issue 26) over the same 30 days. */
export function reportEndpoints(websiteId: string, now: number, days = 30): Endpoint[] {
  const range = `startAt=${now - days * 86400_000}&endAt=${now}`;
  const site = `/api/websites/${websiteId}`;
  const steps = encodeURIComponent(
    JSON.stringify([
      { type: 'path', value: '/' },
      { type: 'path', value: '/pricing' },
      { type: 'event', value: 'signup' },
    ]),
  );
  return [
    { name: 'goal (event)', path: `${site}/goals/stats?${range}&type=event&value=signup` },
    { name: 'funnel (3 steps, 30 min)', path: `${site}/funnels/stats?${range}&steps=${steps}&window=30` },
    { name: 'journeys (3 steps)', path: `${site}/journeys?${range}&steps=3` },
    { name: 'attribution (last-click)', path: `${site}/attribution?${range}&model=last-click&type=event&step=signup` },
    { name: 'attribution (first-click)', path: `${site}/attribution?${range}&model=first-click&type=path&step=/pricing` },
    { name: 'retention (day)', path: `${site}/retention?${range}&unit=day&timezone=Europe/Berlin` },
    { name: 'retention (week)', path: `${site}/retention?${range}&unit=week` },
    { name: 'breakdown (country, browser)', path: `${site}/breakdown?${range}&fields=country,browser` },
    { name: 'utm source', path: `${site}/utm/metrics?${range}&type=utm_source` },
    { name: 'revenue stats', path: `${site}/revenue/stats?${range}&currency=EUR` },
    { name: 'revenue chart', path: `${site}/revenue/chart?${range}&currency=EUR&unit=day` },
    { name: 'revenue by country', path: `${site}/revenue/metrics?${range}&currency=EUR&type=country` },
    { name: 'revenue by channel', path: `${site}/revenue/metrics?${range}&currency=EUR&type=channel` },
    { name: 'revenue sessions', path: `${site}/revenue/sessions?${range}&currency=EUR&page=1&pageSize=20` },
    { name: 'performance stats', path: `${site}/performance/stats?${range}` },
    { name: 'performance by page', path: `${site}/performance/metrics?${range}&type=path` },
    { name: 'performance chart', path: `${site}/performance/chart?${range}&unit=day` },
  ];
}

/** The visitor, data and saved-filter routes (issue 27) over the same 30 days; `sessionId` one recent visitor, `segmentId` a saved segment (country DE). */
export function visitorEndpoints(websiteId: string, sessionId: string, segmentId: string, now: number, days = 30): Endpoint[] {
  const range = `startAt=${now - days * 86400_000}&endAt=${now}`;
  const site = `/api/websites/${websiteId}`;
  return [
    { name: 'one visitor', path: `${site}/sessions/${sessionId}` },
    { name: "visitor's activity", path: `${site}/sessions/${sessionId}/activity?${range}` },
    { name: "visitor's properties", path: `${site}/sessions/${sessionId}/properties` },
    { name: 'sessions stats', path: `${site}/sessions/stats?${range}` },
    { name: 'sessions weekly', path: `${site}/sessions/weekly?${range}&timezone=UTC` },
    { name: 'stats, saved segment', path: `${site}/stats?${range}&segment=${segmentId}` },
    { name: 'metrics expanded (path)', path: `${site}/metrics/expanded?${range}&type=path` },
    { name: 'events stats', path: `${site}/events/stats?${range}` },
    { name: 'events series', path: `${site}/events/series?${range}&unit=day&timezone=UTC` },
    { name: 'event-data fields', path: `${site}/event-data/fields?${range}` },
    { name: 'event-data values', path: `${site}/event-data/values?${range}&propertyName=plan` },
    { name: 'event-data stats', path: `${site}/event-data/stats?${range}` },
    { name: 'event-data list', path: `${site}/event-data?${range}&page=1&pageSize=20` },
    { name: 'session-data properties', path: `${site}/session-data/properties?${range}` },
    { name: 'event-data pivot (signup)', path: `${site}/event-data-pivot?${range}&eventName=signup` },
    { name: 'event-data property series', path: `${site}/event-data-pivot/property-series?${range}&eventName=signup&propertyName=plan&unit=day` },
    { name: 'event-data numeric stats', path: `${site}/event-data-pivot/numeric-stats?${range}&eventName=signup&propertyName=value` },
    { name: 'session-data property series', path: `${site}/session-data/property-series?${range}&propertyName=plan&unit=day` },
    { name: 'values (path, search)', path: `${site}/values?${range}&type=path&search=pri` },
    { name: 'websites charts', path: `/api/websites/charts?ids=${websiteId}&startAt=${now - 14 * 86400_000}&endAt=${now}` },
    { name: 'segments list', path: `${site}/segments?type=segment` },
    { name: 'annotations list', path: `${site}/annotations?${range}` },
  ];
}

/**
 * The overview's reads one at a time against the same reads in one `/api/batch` (run at once, each
 * in its client's turn): the median of `runs` of each, in milliseconds.
 */
export async function benchBatch(url: string, token: string, paths: string[], runs: number): Promise<{ oneByOne: number; batched: number }> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const oneByOne = async () => {
    const started = performance.now();
    for (const path of paths) {
      const response = await fetch(url + path, { headers });
      if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
      await response.text();
    }
    return performance.now() - started;
  };
  const batched = async () => {
    const started = performance.now();
    const response = await fetch(`${url}/api/batch`, { method: 'POST', headers, body: JSON.stringify(paths.map((path) => ({ url: path }))) });
    const answer = (await response.json()) as { errors: number };
    if (response.status !== 200 || answer.errors > 0) throw new Error(`batch: ${response.status} ${JSON.stringify(answer).slice(0, 200)}`);
    return performance.now() - started;
  };
  await oneByOne();
  await batched();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(await oneByOne());
    b.push(await batched());
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return { oneByOne: median(a), batched: median(b) };
}

/** The reads the dashboard's overview makes when it opens (figures, chart, panels' first tabs, realtime). */
export function overviewPaths(websiteId: string, now: number, days = 30): string[] {
  const range = `startAt=${now - days * 86400_000}&endAt=${now}`;
  const site = `/api/websites/${websiteId}`;
  return [
    `${site}`,
    `${site}/stats?${range}`,
    `${site}/pageviews?${range}&unit=day&timezone=UTC`,
    `${site}/metrics?${range}&type=path`,
    `${site}/metrics?${range}&type=referrer`,
    `${site}/metrics?${range}&type=country`,
    `${site}/metrics?${range}&type=browser`,
    `${site}/metrics?${range}&type=event`,
    `${site}/active`,
    `/api/realtime/${websiteId}`,
    `${site}/annotations?${range}`,
  ];
}

export interface Timing {
  name: string;
  p50: number;
  p95: number;
  max: number;
  /** The refusal that ended this endpoint's runs (its status and error code), if one did. */
  refused?: string;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/**
 * Times each endpoint `runs` times after a warm-up call, one request at a time. An endpoint that
 * answers anything but 200 is listed with that answer (e.g. 503 read-too-large over a long range)
 * and the bench goes on with the next.
 */
export async function benchRead(url: string, token: string, endpoints: Endpoint[], runs: number): Promise<Timing[]> {
  const timings: Timing[] = [];
  for (const { name, path } of endpoints) {
    const call = async () => {
      const started = performance.now();
      const response = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } });
      const body = await response.text();
      if (response.status !== 200) {
        const code = /"code":"([^"]+)"/.exec(body)?.[1] ?? '';
        throw Object.assign(new Error(`${name}: ${response.status} ${body.slice(0, 200)}`), { refused: `${response.status} ${code}`.trim() });
      }
      return performance.now() - started;
    };
    try {
      await call();
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await call());
      times.sort((a, b) => a - b);
      timings.push({ name, p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1]! });
    } catch (error) {
      const refused = (error as { refused?: string }).refused;
      if (!refused) throw error;
      timings.push({ name, p50: Number.NaN, p95: Number.NaN, max: Number.NaN, refused });
    }
  }
  return timings;
}

/** A Markdown table of timings, in milliseconds. */
export function timingTable(timings: Timing[]): string {
  const lines = ['| endpoint | p50 ms | p95 ms | max ms |', '|---|---:|---:|---:|'];
  for (const t of timings) {
    lines.push(t.refused ? `| ${t.name} | ${t.refused} | | |` : `| ${t.name} | ${t.p50.toFixed(0)} | ${t.p95.toFixed(0)} | ${t.max.toFixed(0)} |`);
  }
  return lines.join('\n');
}
