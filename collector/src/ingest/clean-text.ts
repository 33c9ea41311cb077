/**
 * What every stored string is rid of, each such character replaced by U+FFFD: lone UTF-16
 * surrogates (not Unicode at all; ClickHouse refuses their JSON escapes), C0 and C1 control
 * characters with NUL and DEL, and the bidirectional embedding, override and isolate controls
 * that can make a stored text read differently from what it holds (Trojan Source,
 * CVE-2021-42574). Marks such as U+200E and U+200F stay: right-to-left titles use them.
 */
const unsafeCharacter = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unsafeCharacters = new RegExp(unsafeCharacter.source, 'g');

/** The text with every unsafe character (see above) replaced by U+FFFD; the same string when there is none. */
export function cleanText(value: string): string {
  return unsafeCharacter.test(value) ? value.replace(unsafeCharacters, '\ufffd') : value;
}

/** True when `value` has nothing cleanText would replace. */
export const isCleanText = (value: string): boolean => !unsafeCharacter.test(value);

/** Every string in a JSON value, keys included, cleaned; a new value, the input untouched. */
export function cleanJson(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cleanJson);
  // No prototype: a key is only ever data (event data with "__proto__" is refused earlier anyway).
  const cleaned: Record<string, unknown> = Object.create(null);
  for (const [key, child] of Object.entries(value)) cleaned[cleanText(key)] = cleanJson(child);
  return cleaned;
}

/** Cleans every string property of a row in place (the rows built at ingest are plain objects). */
export function cleanStrings<T extends object>(row: T): T {
  const fields = row as Record<string, unknown>;
  for (const key in fields) {
    const value = fields[key];
    if (typeof value === 'string') fields[key] = cleanText(value);
  }
  return row;
}
