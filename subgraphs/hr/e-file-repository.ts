// The SQL of social insurance and the e-file library: each holder's pages as holder lists (one statement with the
// rest of hr's lists, subgraphs/kit/holder-lists.ts), rows by id for replays and answers, and the inserts.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../../core/database.js';
import { jsonRow, type JsonValue } from '../kit/holder-lists.js';
import { pageByHolder, type Page, type PagedColumns } from '../kit/pagination.js';
import {
  employmentPeriods,
  labourContracts,
  qualifications,
  socialInsuranceContributions,
  socialInsuranceEnrolments,
  trainingRecords,
  type ContributionRow,
  type EnrolmentRow,
} from './e-file-tables.js';

const enrolmentRow = jsonRow(socialInsuranceEnrolments);
const contributionRow = jsonRow(socialInsuranceContributions);

/** A contribution with the enrolment it is paid into (a foreign key: always there). */
export interface ContributionWithEnrolment {
  contribution: ContributionRow;
  enrolment: EnrolmentRow;
}

const contributionWithEnrolment: JsonValue<ContributionWithEnrolment> = {
  sql: sql`json_build_array(${contributionRow.sql}, (select ${enrolmentRow.sql} from ${socialInsuranceEnrolments}
    where ${socialInsuranceEnrolments.id} = ${socialInsuranceContributions.enrolmentId}))`,
  decode(value) {
    const [contribution, enrolment] = value as unknown[];
    return { contribution: contributionRow.decode(contribution), enrolment: enrolmentRow.decode(enrolment) };
  },
};

export const enrolmentsPerHolder = (page: Page) =>
  pageByHolder(
    enrolmentRow,
    socialInsuranceEnrolments,
    {
      holderId: socialInsuranceEnrolments.holderId,
      at: socialInsuranceEnrolments.recordedAt,
      id: socialInsuranceEnrolments.id,
    },
    page,
  );

export const contributionsPerHolder = (page: Page) =>
  pageByHolder(
    contributionWithEnrolment,
    socialInsuranceContributions,
    {
      holderId: socialInsuranceContributions.holderId,
      at: socialInsuranceContributions.month,
      id: socialInsuranceContributions.id,
    },
    page,
  );

/** A table whose rows a holder's page lists by `at`, newest first. */
function paged<T extends PgTable>(table: T, columns: PagedColumns) {
  const row = jsonRow(table);
  return (page: Page): JsonValue<T['$inferSelect'][]> => pageByHolder(row, table, columns, page);
}

export const employmentPeriodsPerHolder = paged(employmentPeriods, {
  holderId: employmentPeriods.holderId,
  at: employmentPeriods.recordedAt,
  id: employmentPeriods.id,
});
export const trainingRecordsPerHolder = paged(trainingRecords, {
  holderId: trainingRecords.holderId,
  at: trainingRecords.recordedAt,
  id: trainingRecords.id,
});
export const qualificationsPerHolder = paged(qualifications, {
  holderId: qualifications.holderId,
  at: qualifications.recordedAt,
  id: qualifications.id,
});
export const labourContractsPerHolder = paged(labourContracts, {
  holderId: labourContracts.holderId,
  at: labourContracts.signedAt,
  id: labourContracts.id,
});

export function findEnrolmentsByIds(db: Db, ids: readonly string[]): Promise<EnrolmentRow[]> {
  return db
    .select()
    .from(socialInsuranceEnrolments)
    .where(inArray(socialInsuranceEnrolments.id, [...ids]));
}

export async function findContributionWithEnrolment(db: Db, id: string): Promise<ContributionWithEnrolment> {
  const [row] = await db
    .select({ contribution: socialInsuranceContributions, enrolment: socialInsuranceEnrolments })
    .from(socialInsuranceContributions)
    .innerJoin(socialInsuranceEnrolments, eq(socialInsuranceEnrolments.id, socialInsuranceContributions.enrolmentId))
    .where(eq(socialInsuranceContributions.id, id));
  // Called with the id of a row this hub wrote; hr deletes none.
  if (!row) throw new Error(`contribution ${id} is gone`);
  return row;
}

/** The tables of the e-file library, by what its commands write. */
export const E_FILE_TABLES = { employmentPeriods, trainingRecords, qualifications, labourContracts } as const;
export type EFileTable = (typeof E_FILE_TABLES)[keyof typeof E_FILE_TABLES];

export async function findById<T extends EFileTable>(db: Db, table: T, id: string): Promise<T['$inferSelect']> {
  const [row] = await db
    .select()
    .from(table as EFileTable)
    .where(eq(table.id, id));
  if (!row) throw new Error(`a row an idempotency key names is gone`);
  return row as T['$inferSelect'];
}

export async function insertRow<T extends EFileTable | typeof socialInsuranceEnrolments>(
  tx: Db,
  table: T,
  row: T['$inferInsert'],
): Promise<T['$inferSelect']> {
  const [inserted] = await tx
    .insert(table as PgTable)
    .values(row)
    .returning();
  return inserted as T['$inferSelect'];
}

/** The enrolment a contribution is paid into, locked so that two contributions for one month queue. */
export async function lockEnrolment(tx: Db, id: string): Promise<EnrolmentRow | undefined> {
  const [row] = await tx
    .select()
    .from(socialInsuranceEnrolments)
    .where(eq(socialInsuranceEnrolments.id, id))
    .for('no key update');
  return row;
}

/** The holder's live (ACTIVE or SUSPENDED) enrolment in `scheme`, if any: read under the holder's lock. */
export async function liveEnrolmentOf(
  tx: Db,
  holderId: string,
  scheme: EnrolmentRow['scheme'],
): Promise<EnrolmentRow | undefined> {
  const [row] = await tx
    .select()
    .from(socialInsuranceEnrolments)
    .where(
      and(
        eq(socialInsuranceEnrolments.holderId, holderId),
        eq(socialInsuranceEnrolments.scheme, scheme),
        inArray(socialInsuranceEnrolments.status, ['ACTIVE', 'SUSPENDED']),
      ),
    )
    .limit(1);
  return row;
}

/** Inserts a month's contribution; undefined when the enrolment already has that month. */
export async function insertContribution(
  tx: Db,
  row: typeof socialInsuranceContributions.$inferInsert,
): Promise<ContributionRow | undefined> {
  const [inserted] = await tx.insert(socialInsuranceContributions).values(row).onConflictDoNothing().returning();
  return inserted;
}

export async function updateEnrolmentStatus(
  tx: Db,
  id: string,
  status: EnrolmentRow['status'],
  endDate: string | null,
): Promise<EnrolmentRow> {
  const [row] = await tx
    .update(socialInsuranceEnrolments)
    .set({ status, endDate })
    .where(eq(socialInsuranceEnrolments.id, id))
    .returning();
  return row!;
}

/** The newest month contributed to an enrolment, null when none is. */
export async function latestContributionMonth(tx: Db, enrolmentId: string): Promise<Date | null> {
  const [row] = await tx
    .select({ month: socialInsuranceContributions.month })
    .from(socialInsuranceContributions)
    .where(eq(socialInsuranceContributions.enrolmentId, enrolmentId))
    .orderBy(desc(socialInsuranceContributions.month))
    .limit(1);
  return row?.month ?? null;
}
