// Holder-level lists (a holder may have thousands of rides) come a page at a time, newest first, within an
// optional time range. One windowed query serves a page for many holders at once, so batching survives paging.
import { and, getTableColumns, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from './database.js';
import { badInput } from './errors.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 500;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  from?: string | null;
  to?: string | null;
}

export interface Page {
  limit: number;
  /** Rows strictly older than this position. */
  after: { at: string; id: string } | null;
  from: string | null;
  to: string | null;
}

function readTime(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw badInput(`${field} must be an ISO 8601 date or time, got "${value}"`, field);
  return time.toISOString();
}

export function encodeCursor(at: Date | string, id: string): string {
  return Buffer.from(JSON.stringify([new Date(at).toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): Page['after'] {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && typeof id === 'string' && !Number.isNaN(new Date(at).getTime()) && /^[\w-]{1,64}$/.test(id)) return { at, id };
  } catch {
    // fall through to the error below
  }
  throw badInput('after is not a cursor this list gave out (use pageInfo.endCursor)', 'after');
}

/** Validates paging arguments once, for every holder the field is asked of. */
export function readPage(args: PageArgs): Page {
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw badInput(`first must be from 1 to ${MAX_PAGE_SIZE}`, 'first');
  const from = readTime(args.from, 'from');
  const to = readTime(args.to, 'to');
  if (from && to && from > to) throw badInput('from must not be after to', 'from');
  return { limit, after: args.after ? decodeCursor(args.after) : null, from, to };
}

export interface Connection<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Turns the up to `limit + 1` rows fetched for one holder into a page. */
export function toConnection<T>(rows: T[], page: Page, position: (row: T) => { at: Date | string; id: string }): Connection<T> {
  const nodes = rows.slice(0, page.limit);
  const last = nodes.at(-1);
  return {
    nodes,
    pageInfo: { hasNextPage: rows.length > page.limit, endCursor: last ? encodeCursor(position(last).at, position(last).id) : null },
  };
}

export interface PagedColumns {
  holderId: AnyPgColumn;
  at: AnyPgColumn;
  id: AnyPgColumn;
}

/**
 * One statement for a page of rows for each of many holders: rank each holder's rows newest first and keep
 * `limit + 1` of them (the extra one tells whether there is a next page).
 */
export async function pageByHolder<T extends PgTable>(
  db: Db,
  table: T,
  columns: PagedColumns,
  holderIds: readonly string[],
  page: Page,
  where?: SQL,
): Promise<T['$inferSelect'][]> {
  // Generic over the table, drizzle's subquery types do not resolve; the rows are the table's own.
  const ranked: any = db
    .select({
      ...getTableColumns(table),
      rank: sql<number>`row_number() over (partition by ${columns.holderId} order by ${columns.at} desc, ${columns.id} desc)`.as('rank'),
    })
    .from(table as PgTable)
    .where(and(
      inArray(columns.holderId, [...holderIds]),
      page.from ? gte(columns.at, new Date(page.from)) : undefined,
      page.to ? lt(columns.at, new Date(page.to)) : undefined,
      // Raw parameters carry no column type, so the cursor's time is cast explicitly (postgres.js would not bind a Date).
      page.after ? sql`(${columns.at}, ${columns.id}) < (${page.after.at}::timestamptz, ${page.after.id})` : undefined,
      where,
    ))
    .as('ranked');
  const rows = await db.select().from(ranked).where(lte(ranked.rank, page.limit + 1)).orderBy(ranked.rank);
  return rows as T['$inferSelect'][];
}
