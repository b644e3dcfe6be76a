// A bulk load's indexes and keys: dropped before the rows go in, built again after.
import { sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { rowsOf, type Db } from '../../core/database.js';
import { qualifiedNameOf } from './columns.js';

/**
 * Sets aside the indexes and keys of `tables` (primary, unique, and foreign to or from them) for a bulk load;
 * `rebuild` refreshes the planner's statistics (for the departments that read these tables next) and builds
 * them again exactly as they were (pg_get_indexdef, pg_get_constraintdef). Sorting once per index beats a random
 * B-tree insertion per row and index, and a foreign-key look-up per row and key, several times over at a million
 * holders. Both run in the caller's transaction: a load that fails or is interrupted rolls back to the tables as
 * they were, indexes included. Meant for empty tables under the seed lock: until the commit, other sessions
 * wait on them.
 */
export async function setIndexesAside(tx: Db, tables: PgTable[]): Promise<{ rebuild(): Promise<void> }> {
  const oids = sql.join(
    tables.map((t) => sql`${qualifiedNameOf(t)}::regclass`),
    sql`, `,
  );
  const statements = (query: SQL) => rowsOf<{ drop: string; create: string }>(tx, query);
  const foreignKeys =
    await statements(sql`select format('alter table %s drop constraint %I', conrelid::regclass, conname) as drop,
      format('alter table %s add constraint %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) as create
    from pg_constraint where contype = 'f' and (conrelid in (${oids}) or confrelid in (${oids})) order by oid`);
  const keys =
    await statements(sql`select format('alter table %s drop constraint %I', conrelid::regclass, conname) as drop,
      format('alter table %s add constraint %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) as create
    from pg_constraint where contype in ('p', 'u') and conrelid in (${oids}) order by oid`);
  const indexes =
    await statements(sql`select format('drop index %s', indexrelid::regclass) as drop, pg_get_indexdef(indexrelid) as create
    from pg_index i where indrelid in (${oids})
      and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.contype in ('p', 'u', 'x'))
    order by indexrelid`);
  // Dropped dependants first (a foreign key needs the key it references), built again in the opposite order.
  const deferred = [...foreignKeys, ...indexes, ...keys];
  for (const { drop } of deferred) await tx.execute(sql.raw(drop));
  return {
    async rebuild() {
      // Statistics first: the foreign keys' validating joins are planned with them (a third faster).
      for (const table of tables) await tx.execute(sql.raw(`analyze ${qualifiedNameOf(table)}`));
      // Index builds sort in memory up to this much (the default, 64 MB, spills a million rows to disk).
      await tx.execute(sql`set local maintenance_work_mem = '256MB'`);
      for (const { create } of deferred.reverse()) await tx.execute(sql.raw(create));
    },
  };
}
