// All of the public security subgraph's SQL.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../core/database.js';
import { HOLDER, jsonList, jsonRow, type JsonValue } from '../kit/holder-lists.js';
import { licences, type LicenceKind, type LicenceRow } from './tables.js';

const licenceRow = jsonRow(licences);

/** A holder's licences, driving licence first (holder lists: kit/holder-lists.ts). */
export function licencesPerHolder(): JsonValue<LicenceRow[]> {
  return jsonList(
    licenceRow,
    sql`from ${licences} where ${eq(licences.holderId, HOLDER)} order by ${asc(licences.kind)}`,
  );
}

export function findLicencesByIds(db: Db, ids: readonly string[]): Promise<LicenceRow[]> {
  return db
    .select()
    .from(licences)
    .where(inArray(licences.id, [...ids]));
}

/** The new row, or undefined when the number is taken or the holder has a licence of this kind already. */
export async function insertLicence(tx: Db, row: typeof licences.$inferInsert): Promise<LicenceRow | undefined> {
  const [inserted] = await tx.insert(licences).values(row).onConflictDoNothing().returning();
  return inserted;
}

export async function lockLicenceByNumber(tx: Db, licenceNumber: string): Promise<LicenceRow | undefined> {
  const [row] = await tx.select().from(licences).where(eq(licences.licenceNumber, licenceNumber)).for('update');
  return row;
}

export async function lockLicenceOf(tx: Db, holderId: string, kind: LicenceKind): Promise<LicenceRow | undefined> {
  const [row] = await tx
    .select()
    .from(licences)
    .where(and(eq(licences.holderId, holderId), eq(licences.kind, kind)))
    .for('update');
  return row;
}

export async function updateLicence(
  tx: Db,
  id: string,
  changes: Partial<typeof licences.$inferInsert>,
  at: Date,
): Promise<LicenceRow> {
  const [row] = await tx
    .update(licences)
    .set({ ...changes, updatedAt: at })
    .where(eq(licences.id, id))
    .returning();
  return row!;
}
