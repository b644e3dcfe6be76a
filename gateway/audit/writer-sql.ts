// The writer's two statements (writer.ts): the batch INSERT, prepared once, and the read of a chain's tip.
import { desc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Db } from '../../core/database.js';
import { auditRecords } from '../../store/tables.js';
import { GENESIS_HASH } from './chain.js';

/**
 * `insert into gateway.audit_records (…) select … from json_to_recordset($1::json) as r(…)`, every column read from
 * the row's member of the same name as the record's property (tables.ts), so the statement follows the table.
 */
export function prepareInsert(db: Db) {
  const columns = Object.entries(getTableColumns(auditRecords));
  const selected = sql.join(
    columns.map(([key]) => sql`r.${sql.identifier(key)}`),
    sql`, `,
  );
  const shape = sql.join(
    columns.map(([key, column]) => sql`${sql.identifier(key)} ${sql.raw(column.getSQLType())}`),
    sql`, `,
  );
  return db
    .insert(auditRecords)
    .select(sql`select ${selected} from json_to_recordset(${sql.placeholder('rows')}::json) as r(${shape})`)
    .prepare('gateway_audit_records_insert');
}

/** The chain's last committed link, as the database has it. */
export async function readTip(db: Db, chainId: string): Promise<{ seq: number; hash: string }> {
  const [last] = await db
    .select({ seq: auditRecords.seq, hash: auditRecords.hash })
    .from(auditRecords)
    .where(eq(auditRecords.chainId, chainId))
    .orderBy(desc(auditRecords.seq))
    .limit(1);
  return last ? { seq: Number(last.seq), hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
}
