// All of the civil affairs subgraph's SQL.
import { and, eq, gte, inArray, isNull, lte, or } from 'drizzle-orm';
import type { Db } from '../shared/database.js';
import { pageByHolder, type Page } from '../shared/pagination.js';
import { certificates, reliefEntitlements, type CertificateRow, type ReliefRow } from './tables.js';

export function findCertificatesByNumbers(db: Db, numbers: readonly string[]): Promise<CertificateRow[]> {
  return db.select().from(certificates).where(inArray(certificates.certificateNumber, [...numbers]));
}

export function findCertificatesByIds(db: Db, ids: readonly string[]): Promise<CertificateRow[]> {
  return db.select().from(certificates).where(inArray(certificates.id, [...ids]));
}

export function pageCertificates(db: Db, holderIds: readonly string[], page: Page): Promise<CertificateRow[]> {
  return pageByHolder(db, certificates, { holderId: certificates.holderId, at: certificates.issuedAt, id: certificates.id }, holderIds, page);
}

/** Certificates that hold on `today`, for many holders in one statement. */
export function findValidCertificates(db: Db, holderIds: readonly string[], today: string): Promise<CertificateRow[]> {
  return db.select().from(certificates).where(and(
    inArray(certificates.holderId, [...holderIds]),
    eq(certificates.status, 'VALID'),
    lte(certificates.validFrom, today),
    or(isNull(certificates.validUntil), gte(certificates.validUntil, today)),
  ));
}

export function pageReliefEntitlements(db: Db, holderIds: readonly string[], page: Page): Promise<ReliefRow[]> {
  return pageByHolder(db, reliefEntitlements, { holderId: reliefEntitlements.holderId, at: reliefEntitlements.grantedAt, id: reliefEntitlements.id }, holderIds, page);
}

export function findReliefByIds(db: Db, ids: readonly string[]): Promise<ReliefRow[]> {
  return db.select().from(reliefEntitlements).where(inArray(reliefEntitlements.id, [...ids]));
}

export async function insertCertificate(tx: Db, row: typeof certificates.$inferInsert): Promise<CertificateRow | undefined> {
  const [inserted] = await tx.insert(certificates).values(row).onConflictDoNothing({ target: certificates.certificateNumber }).returning();
  return inserted;
}

export async function lockCertificate(tx: Db, certificateNumber: string): Promise<CertificateRow | undefined> {
  const [row] = await tx.select().from(certificates).where(eq(certificates.certificateNumber, certificateNumber)).for('update');
  return row;
}

export async function revokeCertificate(tx: Db, id: string, reason: string, at: Date): Promise<CertificateRow> {
  const [row] = await tx.update(certificates).set({ status: 'REVOKED', revokedAt: at, revocationReason: reason }).where(eq(certificates.id, id)).returning();
  return row!;
}

export async function insertRelief(tx: Db, row: typeof reliefEntitlements.$inferInsert): Promise<ReliefRow> {
  const [inserted] = await tx.insert(reliefEntitlements).values(row).returning();
  return inserted!;
}
