/**
 * The chart's axes, decided in plain code: y from 0 in whole-number steps (counts have no
 * halves), compact labels (12K), and as many x labels as fit without touching, one per bucket
 * at most.
 */

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

/** A count as a short label: 950, 12K, 1.2M. */
export const compactNumber = (n: number): string => compact.format(n);

/**
 * Ticks for counts up to `max`: 0, then whole-number steps of 1, 2 or 5 × 10^k, at most
 * `maxTicks` intervals, the last at or above `max`.
 */
export function countTicks(max: number, maxTicks = 5): number[] {
  const top = Math.max(1, Math.ceil(max));
  let step = 1;
  for (let magnitude = 1; ; magnitude *= 10) {
    const found = [1, 2, 5].map((m) => m * magnitude).find((s) => Math.ceil(top / s) <= maxTicks);
    if (found !== undefined) {
      step = found;
      break;
    }
  }
  const intervals = Math.max(1, Math.ceil(top / step));
  return Array.from({ length: intervals + 1 }, (_, i) => i * step);
}

/**
 * Which buckets get an x label: every k-th, counted back from the last one (the most recent
 * is always named), so that labels of `labelWidth` px, centred on buckets spread evenly over
 * `width` px, keep `gap` px between them.
 */
export function labelledBuckets(count: number, width: number, labelWidth: number, gap = 12): number[] {
  if (count === 0) return [];
  const fit = Math.max(1, Math.floor(width / (labelWidth + gap)));
  const every = Math.max(1, Math.ceil(count / fit));
  const chosen: number[] = [];
  for (let i = count - 1; i >= 0; i -= every) chosen.unshift(i);
  return chosen;
}

/** True when the bucket starting at `start` (ms) has not ended at `now`: its figures are still growing. */
export function isIncomplete(start: number, unit: 'hour' | 'day' | 'month', now = Date.now()): boolean {
  const end = new Date(start);
  if (unit === 'hour') end.setHours(end.getHours() + 1);
  else if (unit === 'day') end.setDate(end.getDate() + 1);
  else end.setMonth(end.getMonth() + 1);
  return start <= now && now < end.getTime();
}
