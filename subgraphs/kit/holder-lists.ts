// Holder-level lists batched across fields. The lists a subgraph is asked for together (a holder's visits and health
// records; certificates, concession certificates and relief entitlements) go to the database as one statement,
// while each list stays a DataLoader of its own, batching its holders. Each holder's list comes back as one JSON
// value (rows within it may nest what their fields read: a visit's institution), so lists of different tables share
// a statement; every value is read back as drizzle reads it from a column.
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import DataLoader from 'dataloader';
import { rowsOf, type Db } from '../../core/database.js';
import { isUuid } from './text.js';

/** SQL giving a JSON value, and how to read that value back. */
export interface JsonValue<T> {
  readonly sql: SQL;
  decode(value: unknown): T;
}

// JSON numbers are doubles: a numeric would lose its scale (12.50 becomes 12.5) and a bigint its precision, so
// those travel as the text a column of their own would carry.
const EXACT_AS_TEXT = /^(numeric|bigint)/;

/** A table's row as one JSON array of its columns, read back to the row a select would give. */
export function jsonRow<T extends PgTable>(table: T): JsonValue<T['$inferSelect']> {
  const columns = Object.entries(getTableColumns(table)) as [string, PgColumn][];
  const values = columns.map(([, column]) =>
    EXACT_AS_TEXT.test(column.getSQLType()) ? sql`${column}::text` : sql`${column}`,
  );
  return {
    sql: sql`json_build_array(${sql.join(values, sql`, `)})`,
    decode(value) {
      const array = value as unknown[];
      return Object.fromEntries(
        columns.map(([key, column], i) => [key, array[i] == null ? null : column.mapFromDriverValue(array[i])]),
      ) as T['$inferSelect'];
    },
  };
}

/** The rows `from` selects (`from … where … order by …`), each as `row`, as one JSON array in the select's order. */
export function jsonList<T>(row: JsonValue<T>, from: SQL): JsonValue<T[]> {
  return {
    sql: sql`array_to_json(array(select ${row.sql} ${from}))`,
    decode: (value) => (value as unknown[]).map((each) => row.decode(each)),
  };
}

/** The holder a holder list is for: a list's SQL names it where it selects that holder's rows. */
export const HOLDER = sql`wanted.holder_id`;

/** Lists beyond this go to a statement of their own (a request asks for a handful; aliases can ask for hundreds). */
export const MAX_LISTS_PER_STATEMENT = 50;

interface Asked {
  list: JsonValue<unknown[]>;
  holderIds: string[];
  resolve(lists: unknown[][]): void;
  reject(error: unknown): void;
}

/**
 * Per request: `listLoader(list)` loads a JSON list (its SQL written for the holder `HOLDER`) per holder id. The
 * lists loaded by one round of resolvers, through any of the request's list loaders, go to the database as one
 * statement: a `union all` with one branch per list, each over its own holders. `each` reads a row into what the
 * list's resolvers expect (and may prime the loaders of what was fetched with it). An id that cannot be hr's (only
 * reachable by calling a subgraph directly) has an empty list and never reaches the uuid column.
 *
 * A statement's size is bounded whatever the operation: a branch's holders are ONE parameter (an array), not one
 * each, and at most MAX_LISTS_PER_STATEMENT lists share a statement. A client's aliases make as many lists as it
 * likes (`r1: rides(first: 1) r2: rides(first: 2) …`, one list per distinct set of paging arguments): 700 of them
 * over 100 holders were 70,000 parameters, past PostgreSQL's 65,535 (every list of the request failed with it), and
 * a union of some 500 branches overflows embedded PGlite's stack, which kills the database for every later request.
 */
export function holderLists(db: Db) {
  const waiting: Asked[] = [];

  async function send(batch: Asked[]): Promise<void> {
    try {
      const branches = batch.map(({ list, holderIds }, part) => {
        // Every id is a UUID (listLoader keeps only those), so `{id,id,…}` is a well-formed array, bound as one parameter.
        const wanted = sql`unnest(${`{${holderIds.join(',')}}`}::uuid[]) with ordinality as wanted(holder_id, n)`;
        return sql`select ${sql.raw(String(part))} as part, wanted.n::int as n, ${list.sql} as list from ${wanted}`;
      });
      const lists = batch.map(({ holderIds }) => holderIds.map((): unknown[] => []));
      for (const row of await rowsOf<{ part: number; n: number; list: unknown }>(
        db,
        sql.join(branches, sql` union all `),
      )) {
        lists[row.part]![row.n - 1] = batch[row.part]!.list.decode(row.list);
      }
      batch.forEach((asked, part) => asked.resolve(lists[part]!));
    } catch (error) {
      for (const asked of batch) asked.reject(error);
    }
  }

  function ask(list: JsonValue<unknown[]>, holderIds: string[]): Promise<unknown[][]> {
    return new Promise((resolve, reject) => {
      // Every load a round of resolvers makes comes before any DataLoader dispatches (each dispatches on a
      // process.nextTick queued once its first load's promise job has run), so a tick queued by the first
      // dispatch runs after all of them: every list loaded in that round joins the statement, at no added wait.
      if (waiting.length === 0) {
        process.nextTick(() => {
          const asked = waiting.splice(0);
          for (let i = 0; i < asked.length; i += MAX_LISTS_PER_STATEMENT)
            void send(asked.slice(i, i + MAX_LISTS_PER_STATEMENT));
        });
      }
      waiting.push({ list, holderIds, resolve, reject });
    });
  }

  return function listLoader<R, T = R>(
    list: JsonValue<R[]>,
    each: (row: R) => T = (row) => row as unknown as T,
  ): DataLoader<string, T[]> {
    return new DataLoader<string, T[]>(async (keys) => {
      const holderIds = keys.filter(isUuid);
      const lists = holderIds.length > 0 ? ((await ask(list, holderIds)) as R[][]) : [];
      const byHolder = new Map(holderIds.map((id, i) => [id, lists[i]!]));
      return keys.map((key) => (byHolder.get(key) ?? []).map(each));
    });
  };
}
