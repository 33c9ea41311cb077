import { maxJsonDepth } from './shared/json-depth';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

/** Every error the API answers with: a stable code, an HTTP status and a message. */
export const errors = {
  badRequest: { status: 400, code: 'bad-request', message: 'The request is not valid' },
  invalidJson: { status: 400, code: 'invalid-json', message: 'The body is not valid JSON' },
  jsonTooDeep: { status: 400, code: 'json-too-deep', message: `The JSON body is nested more than ${maxJsonDepth} levels deep` },
  invalidWebsite: { status: 400, code: 'invalid-website', message: 'payload.website must be a website id (UUID)' },
  unknownWebsite: { status: 400, code: 'unknown-website', message: 'No website has this id' },
  invalidData: { status: 400, code: 'invalid-data', message: 'The event data is not acceptable' },
  ignoredIp: { status: 403, code: 'ignored-ip', message: 'Beacons from this address are ignored' },
  rateLimited: { status: 429, code: 'rate-limited', message: 'Too many requests from this address' },
  missingUserAgent: { status: 400, code: 'missing-user-agent', message: 'A User-Agent header is required' },
  unauthorized: { status: 401, code: 'unauthorized', message: 'A valid token is required' },
  badCredentials: { status: 401, code: 'bad-credentials', message: 'Incorrect username or password' },
  invalidCode: { status: 401, code: 'invalid-code', message: 'The two-factor code is not valid' },
  usernameTaken: { status: 400, code: 'username-taken', message: 'A user with this username exists' },
  emailTaken: { status: 400, code: 'email-taken', message: 'An account with this email address exists' },
  invalidInvitation: { status: 400, code: 'invalid-invitation', message: 'This invitation is not valid: it has expired, was revoked or was already used' },
  invalidResetLink: { status: 401, code: 'invalid-reset-link', message: 'This reset link is not valid: it has expired or was already used; ask for a new one' },
  tooManyAttempts: { status: 429, code: 'too-many-attempts', message: 'Too many attempts; wait before trying again' },
  tooManyReads: { status: 429, code: 'too-many-reads', message: 'Too many of your reads are running or waiting; retry in a second' },
  busy: { status: 429, code: 'busy', message: 'Too many passwords are being checked at this moment; retry in a second' },
  forbidden: { status: 403, code: 'forbidden', message: 'You may not do this' },
  passwordChangeRequired: {
    status: 403,
    code: 'password-change-required',
    message: 'Choose your own password first (POST /api/me/password or PUT /api/auth/me/password)',
  },
  twoFactorRequired: {
    status: 403,
    code: 'two-factor-required',
    message: 'This instance requires two-factor sign-in: turn it on first (POST /api/2fa/setup/initiate, then /confirm)',
  },
  mailNotConfigured: { status: 503, code: 'mail-not-configured', message: 'No SMTP server is configured (SMTP_URL), so no mail can be sent' },
  notFound: { status: 404, code: 'not-found', message: 'Not found' },
  shareIdTaken: { status: 409, code: 'share-id-taken', message: 'Another website is shared under this id; choose another' },
  bodyTooLarge: { status: 413, code: 'body-too-large', message: 'The body is larger than the limit' },
  unsupportedMediaType: { status: 415, code: 'unsupported-media-type', message: 'Send application/json or text/plain' },
  overloaded: { status: 503, code: 'overloaded', message: 'The spool is full while storage catches up; retry later' },
  diskFull: {
    status: 503,
    code: 'disk-full',
    message: "The collector's disk is full or nearly (MIN_FREE_DISK_MB): events are taken again once space returns; retry later",
  },
  readTimeout: { status: 503, code: 'read-timeout', message: 'The query took longer than READ_TIMEOUT_MS allows; narrow the range or the filters' },
  readTooLarge: {
    status: 503,
    code: 'read-too-large',
    message: 'The query needed more memory than READ_MAX_MEMORY_BYTES allows; narrow the range or the filters',
  },
  storageUnavailable: { status: 503, code: 'storage-unavailable', message: 'ClickHouse cannot be reached at the moment; retry later' },
  internal: { status: 500, code: 'internal', message: 'Something went wrong on our side' },
} as const;

export type ErrorName = keyof typeof errors;

/** An error that carries its registry entry; throw it from a handler to answer with it. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Seconds, sent as Retry-After (429 and 503). */
  readonly retryAfter: number | undefined;
  constructor(name: ErrorName, message?: string, retryAfter?: number) {
    const entry = errors[name];
    super(message ?? entry.message);
    this.status = entry.status;
    this.code = entry.code;
    this.retryAfter =
      retryAfter ??
      (name === 'diskFull' ? 30 : name === 'overloaded' || name === 'storageUnavailable' ? 5 : name === 'busy' || name === 'tooManyReads' ? 1 : undefined);
  }
}

export function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json').send({ error: { message, code, status } });
}

/** ClickHouse's errors for a read query that went past READ_TIMEOUT_MS or READ_MAX_MEMORY_BYTES. */
const readBoundErrors: Record<string, ErrorName> = { TIMEOUT_EXCEEDED: 'readTimeout', MEMORY_LIMIT_EXCEEDED: 'readTooLarge' };

type ErrorFields = { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };

/** True when the error, or one it wraps (`cause`, a few levels: the client library wraps), passes `test`. */
const inCauses = (error: unknown, test: (fields: ErrorFields) => boolean): boolean => {
  let current = error as ErrorFields | undefined;
  for (let depth = 0; depth < 4 && current; depth++, current = current.cause as ErrorFields | undefined) {
    if (test(current)) return true;
  }
  return false;
};

/** True for the error of a query cancelled because its client went away. */
export const cancelled = (error: unknown): boolean => inCauses(error, ({ name, code }) => name === 'AbortError' || code === 'CHDB_ABORT');

/** Socket errors of a ClickHouse server that is down or unreachable. */
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);
export const storageUnreachable = (error: unknown): boolean =>
  inCauses(
    error,
    ({ code, message }) =>
      (typeof code === 'string' && unreachableCodes.has(code)) || (typeof message === 'string' && /socket hang up|Timeout error/.test(message)),
  );

/** Maps Fastify's own errors (validation, parsing, limits) and ClickHouse's read bounds onto the registry. */
function fromFrameworkOrStorage(error: FastifyError): ApiError {
  const bound = readBoundErrors[String((error as { type?: unknown }).type)];
  if (bound) return new ApiError(bound);
  if (storageUnreachable(error)) return new ApiError('storageUnavailable');
  if (error.validation) {
    const context = error.validationContext ?? 'request';
    const unknown = error.validation.find((v) => v.keyword === 'additionalProperties')?.params.additionalProperty;
    if (typeof unknown === 'string') return new ApiError('badRequest', `${context} has an unknown parameter "${unknown.slice(0, 100)}"`);
    return new ApiError('badRequest', `${context}${error.message.startsWith(context) ? error.message.slice(context.length) : ' ' + error.message}`);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('bodyTooLarge');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupportedMediaType');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('invalidJson', 'The body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('invalidJson');
  }
  if (error instanceof SyntaxError) return new ApiError('invalidJson');
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return Object.assign(new ApiError('badRequest', error.message), { status: error.statusCode });
  }
  return new ApiError('internal');
}

/** The registry's error an error answers as (an ApiError itself, or Fastify's and ClickHouse's mapped). */
export const apiErrorOf = (error: FastifyError | ApiError): ApiError => (error instanceof ApiError ? error : fromFrameworkOrStorage(error));

/** Installs the JSON error body `{error:{message,code,status}}` for every error and unknown route. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    const apiError = apiErrorOf(error);
    if (cancelled(error)) request.log.info('read cancelled: the client went away');
    else if (apiError.code.startsWith('read-') || apiError.code === 'storage-unavailable') request.log.warn({ err: error }, apiError.message);
    else if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
    if (apiError.retryAfter !== undefined) reply.header('retry-after', String(apiError.retryAfter));
    // The rest of an oversized body is not read: the connection closes after the answer.
    if (apiError.status === 413) reply.header('connection', 'close');
    return sendError(reply, apiError.status, apiError.code, apiError.message);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, errors.notFound.code, `No route ${request.method} ${request.url.split('?')[0]}`));
}
