/**
 * ClickHouse's errors that mean "these rows cannot be stored as they are": the input did not
 * parse or did not fit a column's type. Retrying never helps, so the writer isolates the rows
 * instead. Every other error (a connection refused, a timeout, TOO_MANY_PARTS, memory, a view's
 * target table missing) is an outage, and the batch is retried until it goes in.
 */
const contentErrorTypes = new Set([
  'ATTEMPT_TO_READ_AFTER_EOF',
  'CANNOT_CONVERT_TYPE',
  'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN',
  'CANNOT_READ_ALL_DATA',
  'ILLEGAL_SYNTAX_FOR_DATA_TYPE',
  'INCORRECT_DATA',
  'TOO_LARGE_STRING_SIZE',
  'TYPE_MISMATCH',
  'UNKNOWN_ELEMENT_OF_ENUM',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
]);

/**
 * True when ClickHouse refused an insert for its rows' content. An error raised while pushing
 * the block to a materialized view is never one: the table had stored the block by then, so only
 * a retry under the same deduplication token (which fills the view and skips the table) is safe.
 */
export function refusedForContent(error: unknown): boolean {
  const { type, message } = (error ?? {}) as { type?: unknown; message?: unknown };
  if (typeof type !== 'string') return false;
  if (!type.startsWith('CANNOT_PARSE_') && !contentErrorTypes.has(type)) return false;
  return !String(message).includes('while pushing to view');
}
