import { Type, type TSchema } from 'typebox';
import { uuidPattern } from './ids';

// Building blocks of the route schemas (TypeBox: JSON Schema with its static type). A route's
// request and response schemas are the one source of its types (Fastify's TypeBox provider) and
// of its serializer: a field missing from a response schema never leaves the server.

/** An id as the API takes it (any case). */
export const Uuid = Type.String({ pattern: uuidPattern });

/** `T` or null. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** A date-time as ClickHouse writes it, or ISO 8601. */
export const DateText = Type.String();

/** A time as the read API takes it: Unix milliseconds, from 1970 to 2106 (the end of ClickHouse's DateTime). */
export const UnixMs = Type.Integer({ minimum: 0, maximum: Date.UTC(2106, 0, 1) });

/** The answer of a change that returns nothing else. */
export const Ok = Type.Object({ ok: Type.Literal(true) });

/**
 * Paging for list routes: pages of up to 1000 items, up to page 100,000 (so the offset stays
 * within the UInt32 ClickHouse takes; past it, 400 instead of a failed query).
 */
export const pagingProperties = {
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  pageSize: Type.Integer({ minimum: 1, maximum: 1000, default: 20 }),
};

export const PageQuery = Type.Object(pagingProperties);

/** Umami's list answer: one page of items, the total count, and the page asked for. */
export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), count: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() });

/**
 * The body of a route that takes none: nothing, or an empty JSON object. `null`, arrays, text
 * and objects with fields are refused (400), so a client's mistake does not pass unnoticed.
 */
export const NoBody = Type.Object({}, { maxProperties: 0 });

/** One of `values`, as `{type: 'string', enum}` (the validator's message names the allowed values). */
export const StringEnum = <const T extends readonly string[]>(values: T, options: { default?: T[number] } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
