// All of the health subgraph's SQL. Reads take lists so the loaders can batch; writes take the transaction they run in.
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../../core/database.js';
import { jsonList, jsonRow, type JsonValue } from '../kit/holder-lists.js';
import { pageByHolder, type Page } from '../kit/pagination.js';
import {
  healthRecords,
  medicalInstitutions,
  settlements,
  visitDiagnoses,
  visits,
  type DiagnosisRow,
  type HealthRecordRow,
  type InstitutionRow,
  type SettlementRow,
  type VisitRow,
} from './tables.js';

// ---- reads, batched by the loaders ----

export function listInstitutions(db: Db, city: string | null): Promise<InstitutionRow[]> {
  return db
    .select()
    .from(medicalInstitutions)
    .where(city ? eq(medicalInstitutions.city, city) : undefined)
    .orderBy(asc(medicalInstitutions.city), asc(medicalInstitutions.code));
}

export function findInstitutionsByIds(db: Db, ids: readonly string[]): Promise<InstitutionRow[]> {
  return db
    .select()
    .from(medicalInstitutions)
    .where(inArray(medicalInstitutions.id, [...ids]));
}

export function findVisitsByIds(db: Db, ids: readonly string[]): Promise<VisitRow[]> {
  return db
    .select()
    .from(visits)
    .where(inArray(visits.id, [...ids]));
}

export function findDiagnosesByVisitIds(db: Db, visitIds: readonly string[]): Promise<DiagnosisRow[]> {
  return db
    .select()
    .from(visitDiagnoses)
    .where(inArray(visitDiagnoses.visitId, [...visitIds]))
    .orderBy(asc(visitDiagnoses.visitId), asc(visitDiagnoses.position));
}

export function findSettlementsByVisitIds(db: Db, visitIds: readonly string[]): Promise<SettlementRow[]> {
  return db
    .select()
    .from(settlements)
    .where(inArray(settlements.visitId, [...visitIds]));
}

export function findRecordsByIds(db: Db, ids: readonly string[]): Promise<HealthRecordRow[]> {
  return db
    .select()
    .from(healthRecords)
    .where(inArray(healthRecords.id, [...ids]));
}

export async function hasInstitutions(db: Db): Promise<boolean> {
  return (await db.select({ id: medicalInstitutions.id }).from(medicalInstitutions).limit(1)).length > 0;
}

// ---- holder lists (shared/holder-lists.ts): a holder's visits and records asked together cost one statement ----

const visitRow = jsonRow(visits);
const institutionRow = jsonRow(medicalInstitutions);
const settlementRow = jsonRow(settlements);
const recordRow = jsonRow(healthRecords);

/** A visit's or record's institution (a foreign key: always there). */
const institutionOf = (institutionId: AnyPgColumn) =>
  sql`(select ${institutionRow.sql} from ${medicalInstitutions} where ${medicalInstitutions.id} = ${institutionId})`;
const diagnosesOfVisit = jsonList(
  jsonRow(visitDiagnoses),
  sql`from ${visitDiagnoses} where ${visitDiagnoses.visitId} = ${visits.id} order by ${visitDiagnoses.position}`,
);

/** A visit with what its fields read, fetched with it so that they cost no statement of their own. */
export interface VisitWithDetails {
  visit: VisitRow;
  institution: InstitutionRow;
  settlement: SettlementRow | null;
  diagnoses: DiagnosisRow[];
}

const visitWithDetails: JsonValue<VisitWithDetails> = {
  sql: sql`json_build_array(${visitRow.sql}, ${institutionOf(visits.institutionId)},
    (select ${settlementRow.sql} from ${settlements} where ${settlements.visitId} = ${visits.id}), ${diagnosesOfVisit.sql})`,
  decode(value) {
    const [visit, institution, settlement, diagnoses] = value as unknown[];
    return {
      visit: visitRow.decode(visit),
      institution: institutionRow.decode(institution),
      settlement: settlement === null ? null : settlementRow.decode(settlement),
      diagnoses: diagnosesOfVisit.decode(diagnoses),
    };
  },
};

export interface RecordWithInstitution {
  record: HealthRecordRow;
  institution: InstitutionRow;
}

const recordWithInstitution: JsonValue<RecordWithInstitution> = {
  sql: sql`json_build_array(${recordRow.sql}, ${institutionOf(healthRecords.institutionId)})`,
  decode(value) {
    const [record, institution] = value as unknown[];
    return { record: recordRow.decode(record), institution: institutionRow.decode(institution) };
  },
};

export function visitsPerHolder(page: Page): JsonValue<VisitWithDetails[]> {
  return pageByHolder(
    visitWithDetails,
    visits,
    { holderId: visits.holderId, at: visits.visitedAt, id: visits.id },
    page,
  );
}

export function recordsPerHolder(page: Page): JsonValue<RecordWithInstitution[]> {
  return pageByHolder(
    recordWithInstitution,
    healthRecords,
    { holderId: healthRecords.holderId, at: healthRecords.recordedAt, id: healthRecords.id },
    page,
  );
}

// ---- writes, inside the caller's transaction ----

export async function findInstitutionByCode(tx: Db, code: string): Promise<InstitutionRow | undefined> {
  const [row] = await tx.select().from(medicalInstitutions).where(eq(medicalInstitutions.code, code));
  return row;
}

/** Undefined when an institution with this code is already registered. */
export async function insertInstitution(
  tx: Db,
  row: typeof medicalInstitutions.$inferInsert,
): Promise<InstitutionRow | undefined> {
  const [inserted] = await tx
    .insert(medicalInstitutions)
    .values(row)
    .onConflictDoNothing({ target: medicalInstitutions.code })
    .returning();
  return inserted;
}

export async function insertVisit(tx: Db, row: typeof visits.$inferInsert): Promise<VisitRow> {
  const [inserted] = await tx.insert(visits).values(row).returning();
  return inserted!;
}

export async function insertDiagnoses(tx: Db, visitId: string, codes: readonly string[]): Promise<void> {
  if (codes.length > 0)
    await tx.insert(visitDiagnoses).values(codes.map((code, position) => ({ visitId, position, code })));
}

export async function insertSettlement(tx: Db, row: typeof settlements.$inferInsert): Promise<void> {
  await tx.insert(settlements).values(row);
}

export async function insertRecord(tx: Db, row: typeof healthRecords.$inferInsert): Promise<HealthRecordRow> {
  const [inserted] = await tx.insert(healthRecords).values(row).returning();
  return inserted!;
}
