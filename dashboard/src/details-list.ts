/** The details view's list work, in plain code: order, pages, and CSV. */

export type Row = { x: string; y: number };
export type Order = 'most' | 'fewest' | 'name';

const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** The rows in `order`: most or fewest first (ties by name), or by name. */
export function sortRows(rows: readonly Row[], order: Order): Row[] {
  const copy = [...rows];
  if (order === 'name') return copy.sort((a, b) => byName.compare(a.x, b.x) || b.y - a.y);
  const sign = order === 'most' ? -1 : 1;
  return copy.sort((a, b) => sign * (a.y - b.y) || byName.compare(a.x, b.x));
}

/** Page `page` (from 1) of `size` rows, and how many pages there are (at least 1). */
export function pageOf<T>(rows: readonly T[], page: number, size: number): { rows: T[]; pages: number; page: number } {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const current = Math.min(Math.max(1, page), pages);
  return { rows: rows.slice((current - 1) * size, current * size), pages, page: current };
}

// CSV (RFC 4180, formula-safe): shared with the collector's export.
export { csvField, toCsv } from '../../collector/src/shared/csv';
