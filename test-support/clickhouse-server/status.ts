/**
 * The HTTP status ClickHouse's HTTP handler answers for an exception, by its name (as in the
 * server's exceptionCodeToHTTPStatus): credentials 401/403, bad input 400, unknown names 404,
 * too large 413, not implemented 501, everything else 500.
 */
export function clickhouseStatus(_code: number, type: string): number {
  if (type === 'REQUIRED_PASSWORD') return 401;
  if (['UNKNOWN_USER', 'WRONG_PASSWORD', 'AUTHENTICATION_FAILED', 'SET_NON_GRANTED_ROLE', 'READONLY', 'ACCESS_DENIED'].includes(type)) return 403;
  if (
    type.startsWith('CANNOT_PARSE') ||
    [
      'SYNTAX_ERROR',
      'UNKNOWN_ELEMENT_IN_AST',
      'UNKNOWN_TYPE_OF_AST_NODE',
      'TOO_DEEP_AST',
      'TOO_BIG_AST',
      'UNEXPECTED_AST_STRUCTURE',
      'INCORRECT_DATA',
      'TYPE_MISMATCH',
      'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
      'BAD_QUERY_PARAMETER',
      'UNKNOWN_QUERY_PARAMETER',
    ].includes(type)
  )
    return 400;
  if (type.startsWith('UNKNOWN_')) return 404;
  if (type === 'QUERY_IS_TOO_LARGE') return 413;
  if (type === 'NOT_IMPLEMENTED') return 501;
  return 500;
}
