// Seeding's way of writing many rows. drizzle's multi-row VALUES binds a parameter per value, and building those
// was most of a large seed's time; here a table's rows of a batch go in one piece:
// - on PostgreSQL (postgres.js), as a binary COPY (copy-writer.ts);
// - on PGlite, as one INSERT per few thousand rows with the values in one JSON parameter (insert-writer.ts).
// Both give the same rows; test/integration/seed.test.ts runs on either driver.
import type { PgTable } from 'drizzle-orm/pg-core';
import { PostgresJsSession } from 'drizzle-orm/postgres-js';
import type { Sql } from 'postgres';
import type { Db } from '../../core/database.js';
import type { Batch, Writer } from './batch.js';
import { qualifiedNameOf, typesOf, type ColumnType } from './columns.js';
import { CopyWriter } from './copy-writer.js';
import { InsertWriter } from './insert-writer.js';
import { setIndexesAside } from './set-indexes-aside.js';

/**
 * Fills empty `tables` inside the caller's transaction: `load` writes batches of rows (parents before children
 * within a batch), and when it is done the tables' indexes and keys are built, as they were. PostgreSQL gets the
 * rows by binary COPY while `load` builds the next ones; on PostgreSQL, `load` must read through other
 * connections than `tx`'s (see readerIn). A failed or interrupted load leaves the tables as they were, once the
 * transaction rolls back.
 */
export async function bulkLoad(
  tx: Db,
  tables: PgTable[],
  load: (write: (batch: Batch[]) => Promise<void>) => Promise<void>,
): Promise<void> {
  const types = new Map<PgTable, Map<string, ColumnType>>();
  for (const table of tables) types.set(table, await typesOf(tx, table));
  const indexes = await setIndexesAside(tx, tables);
  const session = tx._.session;
  const writer: Writer =
    session instanceof PostgresJsSession ? new CopyWriter(session.client as Sql, types) : new InsertWriter(tx, types);
  const write = (batch: Batch[]) => {
    for (const [table] of batch)
      if (!types.has(table)) throw new Error(`Bulk load: ${qualifiedNameOf(table)} is not among its tables`);
    return writer.write(batch);
  };
  try {
    await load(write);
    await writer.flush();
  } catch (error) {
    // Nothing may be under way on the connection when the transaction rolls back.
    await writer.settle();
    throw error;
  }
  await indexes.rebuild();
}
