/**
 * A query's `{name:Type}` parameters written into its text as typed literals.
 *
 * Why: chDB's Node binding runs every parameterized query of the process one after another (its
 * parameter state is not isolated per connection, so it chains them all), while plain SQL runs
 * on as many connections as are open at once. With the values in the text, a slow report no
 * longer holds every other reader back (see engine-connections.ts).
 *
 * Safety: a string's bytes are written as `\xHH` escapes except printable ASCII other than `'`
 * and `\`, so no value can end its literal; every value is then cast to its declared type as the
 * engine's own substitution does (`_CAST(literal, 'Type')`), and a type this module does not know
 * is refused rather than guessed.
 */

const placeholder = /\{([A-Za-z_][A-Za-z0-9_]*):([^{}]+)\}/g;

/** A string as a ClickHouse string literal in which only printable ASCII other than `'` and `\` appears as itself. */
export function stringLiteral(value: string): string {
  let out = "'";
  for (const byte of Buffer.from(value, 'utf8')) {
    out += byte >= 0x20 && byte < 0x7f && byte !== 0x27 && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${out}'`;
}

const scalarTypes = new Set(['String', 'UUID', 'Date', 'DateTime', 'Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64', 'Float64']);
const integerType = /^U?Int(8|16|32|64)$/;

/** `YYYY-MM-DD HH:MM:SS` in UTC, the text a Date parameter is bound as. */
const dateTimeText = (date: Date) => date.toISOString().slice(0, 19).replace('T', ' ');

/** The text of one scalar value of `type`, as the engine would parse it from a bound parameter. */
function scalarText(name: string, type: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return type === 'Date' ? dateTimeText(value).slice(0, 10) : dateTimeText(value);
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'number' && Number.isFinite(value) && (!integerType.test(type) || Number.isInteger(value))) return String(value);
  if (typeof value === 'boolean' && integerType.test(type)) return value ? '1' : '0';
  throw new Error(`query parameter ${name}: ${typeof value} is not a ${type}`);
}

/** One value of `type` as a literal of exactly that type. */
function literal(name: string, type: string, value: unknown): string {
  const array = /^Array\((.+)\)$/.exec(type);
  if (array) {
    const element = array[1]!;
    if (!Array.isArray(value)) throw new Error(`query parameter ${name}: expected an array for ${type}`);
    if (!scalarTypes.has(element)) throw new Error(`query parameter ${name}: type ${type} is not supported inline`);
    return `_CAST([${value.map((item) => stringLiteral(scalarText(name, element, item))).join(', ')}], '${type}')`;
  }
  if (!scalarTypes.has(type)) throw new Error(`query parameter ${name}: type ${type} is not supported inline`);
  const text = stringLiteral(scalarText(name, type, value));
  return type === 'String' ? text : `_CAST(${text}, '${type}')`;
}

/**
 * `query` with each `{name:Type}` replaced by its value from `params` as a typed literal. Throws
 * when a placeholder has no value, a value does not fit its type, or the type is not one known
 * here (the callers' SQL uses String, UUID, Date, integers and arrays of them).
 */
export function inlineParams(query: string, params: Record<string, unknown>): string {
  return query.replace(placeholder, (_, name: string, rawType: string) => {
    const type = rawType.trim();
    if (!Object.hasOwn(params, name) || params[name] === undefined) throw new Error(`query parameter ${name} (${type}) has no value`);
    return literal(name, type, params[name]);
  });
}
