/**
 * A query parameter's value as @clickhouse/client sends it (ClickHouse's escaped text: `\t`,
 * `\n`, `\r`, `\'`, `\\`, and `\N` for NULL) turned back into the raw value chDB binds.
 */
export function unescapeParam(text: string): string | null {
  if (text === '\\N') return null;
  const escapes: Record<string, string> = { t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', '0': '\0', "'": "'", '"': '"', '\\': '\\' };
  return text.replace(/\\(.)/gs, (_whole, next: string) => escapes[next] ?? next);
}
