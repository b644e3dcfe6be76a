// PGlite: a table's rows as one INSERT per few thousand, whose values travel as a single JSON parameter of column
// arrays that PostgreSQL unpacks itself (json_to_record, unnest).
import { sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../../core/database.js';
import type { Batch, Writer } from './batch.js';
import { qualifiedNameOf, quote, targetsOf, type ColumnType, type Target } from './columns.js';

/** Rows per INSERT (PGlite): big enough that statements do not count, small enough to keep each parameter a few MB. */
const ROWS_PER_STATEMENT = 5_000;

/**
 * The INSERT statements for `rows`. Values go through JSON: strings, numbers, booleans, objects for json columns,
 * and Dates (for a timestamp column, as epoch milliseconds: Date#toJSON costs more than all the rest).
 */
function insertStatements(table: PgTable, targets: Target[], rows: readonly Record<string, unknown>[]): SQL[] {
  const statements: SQL[] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const end = Math.min(start + ROWS_PER_STATEMENT, rows.length);
    // JSON's keys are positional (c0, c1, …): property keys may be anything, SQL names must be quoted.
    const fields = targets.map(({ key, type }, i) => {
      const values: unknown[] = new Array(end - start);
      let instants = true;
      for (let r = start; r < end; r++) {
        const value = rows[r]![key];
        if (value instanceof Date) values[r - start] = value.getTime();
        else {
          values[r - start] = value ?? null;
          if (value != null) instants = false;
        }
      }
      const epoch = type.name === 'timestamptz' || type.name === 'timestamp';
      // Back to Dates (JSON's ISO strings) where a column mixes them with other values, or is no timestamp.
      if (!(epoch && instants))
        for (let r = start; r < end; r++) if (rows[r]![key] instanceof Date) values[r - start] = rows[r]![key];
      const field = `c${i}`;
      return {
        field,
        values,
        type: epoch && instants ? 'bigint' : type.sql,
        value: epoch && instants ? `${type.name} 'epoch' + u.${field} * interval '1 millisecond'` : `u.${field}`,
      };
    });
    const json = JSON.stringify(Object.fromEntries(fields.map((f) => [f.field, f.values])));
    const list = (f: (field: (typeof fields)[number], i: number) => string) => sql.raw(fields.map(f).join(', '));
    statements.push(sql`insert into ${sql.raw(qualifiedNameOf(table))} (${list((_, i) => quote(targets[i]!.column.name))})
      select ${list((f) => f.value)} from json_to_record(${json}::text::json) as r(${list((f) => `${f.field} ${f.type}[]`)}),
      unnest(${list((f) => `r.${f.field}`)}) as u(${list((f) => f.field)})`);
  }
  return statements;
}

/** PGlite: a batch's statements in one go; PGlite runs them in this thread, one after the other. */
export class InsertWriter implements Writer {
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly tx: Db,
    private readonly types: Map<PgTable, Map<string, ColumnType>>,
  ) {}

  async write(batch: Batch[]) {
    await this.pending;
    const statements = batch.flatMap(([table, rows]) =>
      rows.length === 0
        ? []
        : insertStatements(
            table,
            targetsOf(table, this.types.get(table)!, rows as Record<string, unknown>[]),
            rows as Record<string, unknown>[],
          ),
    );
    this.pending = Promise.all(statements.map((statement) => this.tx.execute(statement)));
  }

  async flush() {
    await this.pending;
  }

  async settle() {
    await this.pending.catch(() => {});
  }
}
