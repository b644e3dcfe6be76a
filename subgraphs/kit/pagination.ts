// Holder-level lists (a holder may have thousands of rides) come a page at a time, newest first, within an
// optional time range. One statement serves a page for many holders at once, so batching survives paging.
import { and, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import { badInput } from '../../core/protocol/errors.js';
import { HOLDER, jsonList, type JsonValue } from './holder-lists.js';
import { isUuid } from './text.js';
import { readDayOrInstant, readInstant } from './time.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 500;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  from?: string | null;
  to?: string | null;
}

export interface Page {
  /** The list the page is of: a cursor from one list is refused by another. */
  list: string;
  limit: number;
  /** Rows strictly older than this position (time to the millisecond, then id). */
  after: { at: string; id: string } | null;
  from: string | null;
  to: string | null;
}

export function encodeCursor(list: string, at: Date | string, id: string): string {
  return Buffer.from(JSON.stringify([list, new Date(at).toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string, list: string): Page['after'] {
  let parts: unknown[] = [];
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
  } catch {
    // refused below
  }
  const [from, at, id] = Array.isArray(parts) ? parts : [];
  if (from === list && typeof at === 'string' && typeof id === 'string' && isUuid(id)) {
    try {
      return { at: readInstant(at, 'after').toISOString(), id };
    } catch {
      // refused below
    }
  }
  throw badInput(`after is not a cursor of ${list} (use that list's pageInfo.endCursor)`, 'after');
}

/** Validates paging arguments once, for every holder the field is asked of. A day as from/to is Guangdong's day. */
export function readPage(args: PageArgs, list: string): Page {
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
    throw badInput(`first must be from 1 to ${MAX_PAGE_SIZE}`, 'first');
  const from = args.from ? readDayOrInstant(args.from, 'from').toISOString() : null;
  const to = args.to ? readDayOrInstant(args.to, 'to').toISOString() : null;
  if (from && to && from > to) throw badInput('from must not be after to', 'from');
  return { list, limit, after: args.after ? decodeCursor(args.after, list) : null, from, to };
}

export interface Connection<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Turns the up to `limit + 1` rows fetched for one holder into a page. */
export function toConnection<T>(
  rows: T[],
  page: Page,
  position: (row: T) => { at: Date | string; id: string },
): Connection<T> {
  const nodes = rows.slice(0, page.limit);
  const last = nodes.at(-1);
  return {
    nodes,
    pageInfo: {
      hasNextPage: rows.length > page.limit,
      endCursor: last ? encodeCursor(page.list, position(last).at, position(last).id) : null,
    },
  };
}

export interface PagedColumns {
  holderId: AnyPgColumn;
  at: AnyPgColumn;
  id: AnyPgColumn;
}

/**
 * Each holder's page as a holder list (holder-lists.ts): the holder's rows newest first, `limit + 1` of them (the
 * extra one tells whether there is a next page), each as `row`. Each page is read from the `(holder, time, id)`
 * index, so a holder with thousands of rows costs no more than one with a page's worth. Paged times are stored to
 * the millisecond, the precision a cursor carries, so paging never skips a row.
 */
export function pageByHolder<T>(
  row: JsonValue<T>,
  table: PgTable,
  columns: PagedColumns,
  page: Page,
  where?: SQL,
): JsonValue<T[]> {
  const conditions = and(
    sql`${columns.holderId} = ${HOLDER}`,
    page.from ? gte(columns.at, new Date(page.from)) : undefined,
    page.to ? lt(columns.at, new Date(page.to)) : undefined,
    // Raw parameters carry no column type, so the cursor's time is cast explicitly (postgres.js would not bind a Date).
    page.after
      ? sql`(${columns.at}, ${columns.id}) < (${page.after.at}::timestamptz, ${page.after.id}::uuid)`
      : undefined,
    where,
  );
  return jsonList(
    row,
    sql`from ${table} where ${conditions} order by ${columns.at} desc, ${columns.id} desc limit ${page.limit + 1}`,
  );
}
