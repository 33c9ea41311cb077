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
