import { cleanText } from '../ingest/clean-text';

/**
 * The CSV files of Plausible's export ("imported_<table>_<first>_<last>.csv", daily aggregates)
 * as rows of our imported_stats table: which files there are, the columns each holds, and each
 * line checked and turned into a row. Pure, so it is tested beside it.
 */

/** The counts a file's rows may carry; a column the file lacks counts 0. */
export const importedCounts = ['visitors', 'visits', 'pageviews', 'bounces', 'visit_duration', 'entrances', 'exits', 'events', 'pageleave_visitors'] as const;
export type ImportedCount = (typeof importedCounts)[number];

/** Each table of the export and its text columns, as Plausible's CSV importer reads them; the rest are counts. */
export const importedTables = {
  visitors: [],
  sources: ['source', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'],
  pages: ['hostname', 'page', 'scroll_depth'],
  entry_pages: ['entry_page'],
  exit_pages: ['exit_page'],
  custom_events: ['name', 'link_url', 'path'],
  locations: ['country', 'region', 'city'],
  browsers: ['browser', 'browser_version'],
  devices: ['device'],
  operating_systems: ['operating_system', 'operating_system_version'],
} as const satisfies Record<string, readonly string[]>;
export type ImportedTable = keyof typeof importedTables;

/** A row of imported_stats. */
export interface ImportedRow {
  table: ImportedTable;
  date: string;
  dims: Record<string, string>;
  counts: Record<ImportedCount, number>;
}

export class ImportFileError extends Error {}

/** The longest text a column keeps (a page or referrer as long as ingest keeps a URL's path). */
export const maxImportedText = 2000;

const fileName = /^(?:.*\/)?(?:imported_)?([a-z_]+?)_(\d{8})_(\d{8})\.csv$/;

/** The table and days a file holds, from its name; null for a file that is not one of the export's. */
export function parseFileName(name: string): { table: ImportedTable; first: string; last: string } | null {
  const match = fileName.exec(name);
  if (!match || !Object.hasOwn(importedTables, match[1]!)) return null;
  const day = (compact: string) => `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;
  const [first, last] = [day(match[2]!), day(match[3]!)];
  if (!isDate(first) || !isDate(last) || first > last) return null;
  return { table: match[1] as ImportedTable, first, last };
}

/** A real calendar day, YYYY-MM-DD. */
function isDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const at = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(at) && new Date(at).toISOString().startsWith(text);
}

// Plausible names devices, browsers and systems its own way; ours are Umami's. The common ones
// are renamed so an imported day sits beside a native one under the same name; others stay.
const renamed: Partial<Record<string, Record<string, string>>> = {
  source: { 'Direct / None': '' },
  device: { Desktop: 'desktop', Laptop: 'laptop', Mobile: 'mobile', Tablet: 'tablet', '(not set)': '' },
  browser: {
    Chrome: 'chrome',
    Firefox: 'firefox',
    Safari: 'safari',
    'Microsoft Edge': 'edge-chromium',
    Opera: 'opera',
    'Samsung Browser': 'samsung',
    'Mobile App': 'ios-webview',
    '(not set)': '',
  },
  operating_system: {
    Windows: 'Windows 10',
    Mac: 'Mac OS',
    macOS: 'Mac OS',
    iOS: 'iOS',
    Android: 'Android OS',
    'GNU/Linux': 'Linux',
    'Chrome OS': 'Chrome OS',
    '(not set)': '',
  },
};

/** The referrer a sources row counts for in the referrer report: the referrer's domain, else the source. */
export function referrerDomain(dims: Record<string, string>): string {
  const referrer = dims.referrer ?? '';
  return referrer
    ? referrer
        .replace(/^[a-z]+:\/\//i, '')
        .split('/')[0]!
        .toLowerCase()
    : (dims.source ?? '');
}

/**
 * The rows of one file's lines, given as they arrive (its heading first): each line checked (a
 * real date inside the file's days, whole non-negative counts, as many fields as the heading),
 * text cleaned as ingest cleans it and cut to maxImportedText. Unknown columns are skipped; a
 * missing count is 0.
 */
export class FileRows {
  #heading: string[] | null = null;
  #line = 0;
  readonly #textColumns: readonly string[];
  /** The dates seen and found good (a file repeats each day on many lines). */
  readonly #goodDates = new Set<string>();

  constructor(private readonly file: { table: ImportedTable; first: string; last: string; name: string }) {
    this.#textColumns = importedTables[file.table];
  }

  *of(lines: Iterable<string[]>): Generator<ImportedRow> {
    const file = this.file;
    for (const fields of lines) {
      this.#line++;
      const where = () => `${file.name} line ${this.#line}`;
      if (this.#heading === null) {
        this.#heading = fields.map((field) => field.trim());
        if (!this.#heading.includes('date')) throw new ImportFileError(`${where()}: the heading has no "date" column`);
        continue;
      }
      const heading = this.#heading;
      if (fields.length === 1 && fields[0] === '') continue;
      if (fields.length !== heading.length) throw new ImportFileError(`${where()}: ${fields.length} fields where the heading has ${heading.length}`);
      const row: ImportedRow = { table: file.table, date: '', dims: {}, counts: zeroCounts() };
      for (const [i, column] of heading.entries()) {
        const value = fields[i]!;
        if (column === 'date') {
          if (!this.#goodDates.has(value)) {
            if (!isDate(value)) throw new ImportFileError(`${where()}: "${value.slice(0, 40)}" is not a date (YYYY-MM-DD)`);
            if (value < file.first || value > file.last)
              throw new ImportFileError(`${where()}: ${value} is outside the file's days, ${file.first} to ${file.last}`);
            this.#goodDates.add(value);
          }
          row.date = value;
        } else if (this.#textColumns.includes(column)) {
          const text = cleanText(value === '\\N' ? '' : value).slice(0, maxImportedText);
          row.dims[column] = renamed[column]?.[text] ?? text;
        } else if ((importedCounts as readonly string[]).includes(column)) {
          if (value === '' || value === '\\N') continue;
          if (!/^\d{1,15}$/.test(value)) throw new ImportFileError(`${where()}: ${column} "${value.slice(0, 40)}" is not a whole number`);
          row.counts[column as ImportedCount] = Number(value);
        }
      }
      // The referrer report's value, kept beside the source's columns (see referrerDomain).
      if (file.table === 'sources') row.dims.referrer_domain = referrerDomain(row.dims);
      yield row;
    }
  }

  /** The file has ended: it must have had a heading. */
  end(): void {
    if (this.#heading === null) throw new ImportFileError(`${this.file.name}: the file is empty (no heading)`);
  }
}

/** The rows of a file's lines, all at hand. */
export function* fileRows(file: { table: ImportedTable; first: string; last: string; name: string }, lines: Iterable<string[]>): Generator<ImportedRow> {
  const reader = new FileRows(file);
  yield* reader.of(lines);
  reader.end();
}

const zeroCounts = (): Record<ImportedCount, number> => ({
  visitors: 0,
  visits: 0,
  pageviews: 0,
  bounces: 0,
  visit_duration: 0,
  entrances: 0,
  exits: 0,
  events: 0,
  pageleave_visitors: 0,
});

/**
 * RFC 4180 fields of a text that arrives in chunks: quoted fields may hold commas, doubled quotes
 * and line breaks, and a chunk may end anywhere. Lines end in LF or CRLF.
 */
export class CsvLines {
  #field = '';
  #fields: string[] = [];
  #quoted = false;
  #afterQuote = false;
  #pendingCr = false;

  /** The whole lines the chunk completes. */
  push(chunk: string): string[][] {
    const lines: string[][] = [];
    let start = 0;
    let field = this.#field;
    const endLine = () => {
      this.#fields.push(field);
      lines.push(this.#fields);
      this.#fields = [];
      field = '';
    };
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.#pendingCr) {
        this.#pendingCr = false;
        if (c === 10) {
          start = i + 1;
          continue;
        }
      }
      if (this.#quoted) {
        if (c !== 34) continue;
        field += chunk.slice(start, i);
        this.#quoted = false;
        this.#afterQuote = true;
        start = i + 1;
        continue;
      }
      if (c === 34) {
        // A quote opens a field, or (right after a closing quote) is a doubled quote: data.
        field += chunk.slice(start, i);
        if (this.#afterQuote) field += '"';
        this.#quoted = true;
        this.#afterQuote = false;
        start = i + 1;
      } else if (c === 44) {
        field += chunk.slice(start, i);
        this.#fields.push(field);
        field = '';
        this.#afterQuote = false;
        start = i + 1;
      } else if (c === 10 || c === 13) {
        field += chunk.slice(start, i);
        endLine();
        this.#afterQuote = false;
        this.#pendingCr = c === 13;
        start = i + 1;
      } else this.#afterQuote = false;
    }
    this.#field = field + chunk.slice(start);
    return lines;
  }

  /** The last line, when the text did not end with a line break. */
  end(): string[][] {
    if (this.#quoted) throw new ImportFileError('the file ends inside a quoted field');
    const last = this.#field !== '' || this.#fields.length > 0 ? [[...this.#fields, this.#field]] : [];
    this.#field = '';
    this.#fields = [];
    return last;
  }
}
