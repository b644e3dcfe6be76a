// Which table and columns a bulk load writes: the table's quoted name, each column's type as the database has it,
// and the columns a set of rows gives values for.
import { getTableColumns, sql, type Column } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { rowsOf, type Db } from '../../core/database.js';

export const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

export const qualifiedNameOf = (table: PgTable) => {
  const { name, schema } = getTableConfig(table);
  return schema ? `${quote(schema)}.${quote(name)}` : quote(name);
};

export interface ColumnType {
  /** As the database spells it: `hr.card_status`, `timestamp(3) with time zone`. */
  sql: string;
  /** pg_type's typname (`uuid`, `bpchar`, `timestamptz`) and typtype (`e` for an enum). */
  name: string;
  kind: string;
}

const columnTypes = new WeakMap<PgTable, Map<string, ColumnType>>();

/** Each column's type, by column name, read from the database once per table. */
export async function typesOf(db: Db, table: PgTable): Promise<Map<string, ColumnType>> {
  let types = columnTypes.get(table);
  if (!types) {
    const rows = await rowsOf<ColumnType & { column: string }>(
      db,
      sql`select a.attname as column, format_type(a.atttypid, a.atttypmod) as sql,
        t.typname as name, t.typtype as kind
      from pg_attribute a join pg_type t on t.oid = a.atttypid
      where a.attrelid = ${qualifiedNameOf(table)}::regclass and a.attnum > 0 and not a.attisdropped`,
    );
    types = new Map(rows.map(({ column, ...type }) => [column, type]));
    columnTypes.set(table, types);
  }
  return types;
}

export interface Target {
  key: string;
  column: Column;
  type: ColumnType;
}

/**
 * The columns `rows` give a value for. As with drizzle's insert, a key a row leaves out (undefined) is NULL — but
 * not a column default: a column with a default must be given in every row or in none (then the default applies),
 * which is checked.
 */
export function targetsOf(
  table: PgTable,
  types: Map<string, ColumnType>,
  rows: readonly Record<string, unknown>[],
): Target[] {
  const targets: Target[] = [];
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    if (!rows.some((row) => row[key] !== undefined)) continue;
    if (column.hasDefault && rows.some((row) => row[key] === undefined)) {
      throw new Error(
        `Bulk insert into ${qualifiedNameOf(table)}: ${key} is given in some rows and left to its default in others`,
      );
    }
    const type = types.get(column.name);
    if (!type) throw new Error(`Bulk insert into ${qualifiedNameOf(table)}: no column ${column.name}`);
    targets.push({ key, column, type });
  }
  return targets;
}
