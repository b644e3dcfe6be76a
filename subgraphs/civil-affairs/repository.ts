// All of the civil affairs subgraph's SQL.
import { and, eq, gte, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../../core/database.js';
import { HOLDER, jsonList, jsonRow, type JsonValue } from '../kit/holder-lists.js';
import { pageByHolder, type Page } from '../kit/pagination.js';
import { certificates, reliefEntitlements, type CertificateRow, type ReliefRow } from './tables.js';

const certificateRow = jsonRow(certificates);
const reliefRow = jsonRow(reliefEntitlements);

export function findCertificatesByNumbers(db: Db, numbers: readonly string[]): Promise<CertificateRow[]> {
  return db
    .select()
    .from(certificates)
    .where(inArray(certificates.certificateNumber, [...numbers]));
}

export function findCertificatesByIds(db: Db, ids: readonly string[]): Promise<CertificateRow[]> {
  return db
    .select()
    .from(certificates)
    .where(inArray(certificates.id, [...ids]));
}

// Holder lists (shared/holder-lists.ts): a holder's lists asked together cost one statement.

export function certificatesPerHolder(page: Page): JsonValue<CertificateRow[]> {
  return pageByHolder(
    certificateRow,
    certificates,
    { holderId: certificates.holderId, at: certificates.issuedAt, id: certificates.id },
    page,
  );
}

/** Certificates that hold on `today`. */
export function validCertificatesPerHolder(today: string): JsonValue<CertificateRow[]> {
  return jsonList(
    certificateRow,
    sql`from ${certificates} where ${and(
      eq(certificates.holderId, HOLDER),
      eq(certificates.status, 'VALID'),
      lte(certificates.validFrom, today),
      or(isNull(certificates.validUntil), gte(certificates.validUntil, today)),
    )}`,
  );
}

export function reliefPerHolder(page: Page): JsonValue<ReliefRow[]> {
  return pageByHolder(
    reliefRow,
    reliefEntitlements,
    { holderId: reliefEntitlements.holderId, at: reliefEntitlements.grantedAt, id: reliefEntitlements.id },
    page,
  );
}

export function findReliefByIds(db: Db, ids: readonly string[]): Promise<ReliefRow[]> {
  return db
    .select()
    .from(reliefEntitlements)
    .where(inArray(reliefEntitlements.id, [...ids]));
}

export async function insertCertificate(
  tx: Db,
  row: typeof certificates.$inferInsert,
): Promise<CertificateRow | undefined> {
  const [inserted] = await tx
    .insert(certificates)
    .values(row)
    .onConflictDoNothing({ target: certificates.certificateNumber })
    .returning();
  return inserted;
}

export async function lockCertificate(tx: Db, certificateNumber: string): Promise<CertificateRow | undefined> {
  const [row] = await tx
    .select()
    .from(certificates)
    .where(eq(certificates.certificateNumber, certificateNumber))
    .for('update');
  return row;
}

export async function revokeCertificate(tx: Db, id: string, reason: string, at: Date): Promise<CertificateRow> {
  const [row] = await tx
    .update(certificates)
    .set({ status: 'REVOKED', revokedAt: at, revocationReason: reason })
    .where(eq(certificates.id, id))
    .returning();
  return row!;
}

export async function insertRelief(tx: Db, row: typeof reliefEntitlements.$inferInsert): Promise<ReliefRow> {
  const [inserted] = await tx.insert(reliefEntitlements).values(row).returning();
  return inserted!;
}
