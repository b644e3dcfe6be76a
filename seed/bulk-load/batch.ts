// What a bulk load is handed (a batch: each table's rows), and what its two writers have in common.
import type { PgTable } from 'drizzle-orm/pg-core';

/** One table's rows within a batch; `into` checks them against the table. */
export type Batch = readonly [table: PgTable, rows: readonly object[]];
export const into = <T extends PgTable>(table: T, rows: readonly T['$inferInsert'][]): Batch => [table, rows];

export interface Writer {
  write(batch: Batch[]): Promise<void>;
  /** Once everything written is in. */
  flush(): Promise<void>;
  /** Once nothing is under way any more, written or failed (before the transaction ends). */
  settle(): Promise<void>;
}
