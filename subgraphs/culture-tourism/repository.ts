// All of the culture and tourism subgraph's SQL. Reads take lists so the loaders can batch; writes take the
// transaction they run in.
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../shared/database.js';
import { pageByHolder, type Page } from '../shared/pagination.js';
import {
  admissions,
  libraryLoans,
  venues,
  type AdmissionRow,
  type LibraryLoanRow,
  type VenueKind,
  type VenueRow,
} from './tables.js';

// Multi-row inserts stay well under PostgreSQL's 65,535 bind parameters (8 columns a row).
const INSERT_CHUNK = 1_000;

// ---- reads, batched by the loaders ----

export function findVenuesByIds(db: Db, ids: readonly string[]): Promise<VenueRow[]> {
  return db.select().from(venues).where(inArray(venues.id, [...ids]));
}

export function findVenuesByCodes(db: Db, codes: readonly string[]): Promise<VenueRow[]> {
  return db.select().from(venues).where(inArray(venues.code, [...codes]));
}

export function listVenues(db: Db, filter: { city?: string | null; kind?: VenueKind | null }): Promise<VenueRow[]> {
  return db.select().from(venues)
    .where(and(filter.city ? eq(venues.city, filter.city) : undefined, filter.kind ? eq(venues.kind, filter.kind) : undefined))
    .orderBy(asc(venues.city), asc(venues.code));
}

export function findAdmissionsByIds(db: Db, ids: readonly string[]): Promise<AdmissionRow[]> {
  return db.select().from(admissions).where(inArray(admissions.id, [...ids]));
}

export function findLoansByIds(db: Db, ids: readonly string[]): Promise<LibraryLoanRow[]> {
  return db.select().from(libraryLoans).where(inArray(libraryLoans.id, [...ids]));
}

export function pageAdmissions(db: Db, holderIds: readonly string[], page: Page): Promise<AdmissionRow[]> {
  return pageByHolder(db, admissions, { holderId: admissions.holderId, at: admissions.admittedAt, id: admissions.id }, holderIds, page);
}

export function pageLoans(db: Db, holderIds: readonly string[], page: Page): Promise<LibraryLoanRow[]> {
  return pageByHolder(db, libraryLoans, { holderId: libraryLoans.holderId, at: libraryLoans.borrowedAt, id: libraryLoans.id }, holderIds, page);
}

export async function hasVenues(db: Db): Promise<boolean> {
  return (await db.select({ id: venues.id }).from(venues).limit(1)).length > 0;
}

// ---- writes, inside the caller's transaction ----

/** Undefined when the code is taken. */
export async function insertVenue(tx: Db, row: typeof venues.$inferInsert): Promise<VenueRow | undefined> {
  const [venue] = await tx.insert(venues).values(row).onConflictDoNothing({ target: venues.code }).returning();
  return venue;
}

export async function insertVenues(tx: Db, rows: (typeof venues.$inferInsert)[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await tx.insert(venues).values(rows.slice(i, i + INSERT_CHUNK));
}

export async function insertAdmissions(tx: Db, rows: (typeof admissions.$inferInsert)[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await tx.insert(admissions).values(rows.slice(i, i + INSERT_CHUNK));
}

export async function insertLoans(tx: Db, rows: (typeof libraryLoans.$inferInsert)[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await tx.insert(libraryLoans).values(rows.slice(i, i + INSERT_CHUNK));
}

/** Undefined when the copy is already out on an open loan (the partial unique index says so). */
export async function insertLoan(tx: Db, row: typeof libraryLoans.$inferInsert): Promise<LibraryLoanRow | undefined> {
  const [loan] = await tx.insert(libraryLoans).values(row).onConflictDoNothing().returning();
  return loan;
}

/** Locks the loan: of two concurrent returns, the second sees the first. */
export async function lockLoan(tx: Db, id: string): Promise<LibraryLoanRow | undefined> {
  const [loan] = await tx.select().from(libraryLoans).where(eq(libraryLoans.id, id)).for('update');
  return loan;
}

export async function markReturned(tx: Db, id: string, returnedAt: Date): Promise<LibraryLoanRow | undefined> {
  const [loan] = await tx.update(libraryLoans).set({ returnedAt }).where(and(eq(libraryLoans.id, id), isNull(libraryLoans.returnedAt))).returning();
  return loan;
}
