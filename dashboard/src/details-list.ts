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

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A value a
 * spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return: a path or
 * referrer is whatever a visitor sent) gets a leading apostrophe, as OWASP advises.
 */
export function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows as CSV with a heading line, CRLF line ends. */
export function toCsv(heading: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [heading, ...rows].map((line) => line.map(csvField).join(',')).join('\r\n') + '\r\n';
}
