/** Pure logic of the reports page: web vitals ratings and funnel steps typed as lines. */

export const vitalNames = {
  lcp: 'Largest contentful paint',
  inp: 'Interaction to next paint',
  cls: 'Cumulative layout shift',
  fcp: 'First contentful paint',
  ttfb: 'Time to first byte',
} as const;
export type Vital = keyof typeof vitalNames;

/** Google's thresholds (web.dev): good up to the first, poor above the second; ms except CLS. */
export const vitalThresholds: Record<Vital, [good: number, poor: number]> = {
  lcp: [2500, 4000],
  inp: [200, 500],
  cls: [0.1, 0.25],
  fcp: [1800, 3000],
  ttfb: [800, 1800],
};

export type Rating = 'good' | 'needs-improvement' | 'poor';

export function ratingOf(vital: Vital, value: number): Rating {
  const [good, poor] = vitalThresholds[vital];
  return value <= good ? 'good' : value <= poor ? 'needs-improvement' : 'poor';
}

/** A vital as people read it: CLS as a score, the others in ms or s. */
export const vitalText = (vital: Vital, value: number) =>
  vital === 'cls' ? value.toFixed(3) : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;

export interface FunnelStep {
  type: 'path' | 'event';
  value: string;
}

/**
 * Funnel steps typed one per line: a line starting with `/` is a page (`*` at either end for any
 * text), anything else a custom event's name. A message when there are not 2 to 8.
 */
export function parseStepLines(text: string): FunnelStep[] | string {
  const steps = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line): FunnelStep => (line.startsWith('/') || line.startsWith('*') ? { type: 'path', value: line } : { type: 'event', value: line }));
  if (steps.length < 2 || steps.length > 8) return 'Give 2 to 8 steps, one per line.';
  return steps;
}

/** Steps back as lines (the form shows a saved funnel so). */
export const stepLines = (steps: FunnelStep[]) => steps.map((step) => step.value).join('\n');

export interface RetentionRow {
  date: string;
  day: number;
  visitors: number;
  returnVisitors: number;
  percentage: number;
}

export interface RetentionGrid {
  /** Period numbers shown as columns, 0 to the last any cohort reached. */
  periods: number[];
  /** One row per cohort, oldest first: its size and, per period, the share that came back (null: no one, or not reached yet). */
  cohorts: { date: string; visitors: number; shares: (number | null)[] }[];
}

/** The retention answer (one row per cohort and period with returns) as a grid. */
export function retentionGrid(rows: RetentionRow[]): RetentionGrid {
  const last = rows.reduce((max, row) => Math.max(max, row.day), 0);
  const periods = Array.from({ length: last + 1 }, (_, i) => i);
  const byDate = new Map<string, { date: string; visitors: number; shares: (number | null)[] }>();
  for (const row of rows) {
    const cohort = byDate.get(row.date) ?? { date: row.date, visitors: row.visitors, shares: periods.map(() => null) };
    cohort.shares[row.day] = row.percentage / 100;
    byDate.set(row.date, cohort);
  }
  return { periods, cohorts: [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : 1)) };
}

/** Local calendar days (YYYY-MM-DD) from `startAt` to `endAt`, both included (Unix ms, in this browser's time zone). */
export function localDays(startAt: number, endAt: number): string[] {
  const days: string[] = [];
  const day = new Date(startAt);
  day.setHours(0, 0, 0, 0);
  while (day.getTime() <= endAt) {
    days.push(`${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`);
    day.setDate(day.getDate() + 1);
  }
  return days;
}

/** Revenue per day of the range from the chart's rows (per event and day, `t` the day's local start): every day present, 0 without orders. */
export function revenueByDay(rows: { t: string; y: number }[], days: string[]): { day: string; revenue: number }[] {
  const sums = new Map<string, number>();
  for (const row of rows) sums.set(row.t.slice(0, 10), (sums.get(row.t.slice(0, 10)) ?? 0) + row.y);
  return days.map((day) => ({ day, revenue: sums.get(day) ?? 0 }));
}
