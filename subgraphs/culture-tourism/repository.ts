// All of the culture and tourism subgraph's SQL. Reads take lists so the loaders can batch; writes take the
// transaction they run in.
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../../core/database.js';
import { jsonRow, type JsonValue } from '../kit/holder-lists.js';
import { pageByHolder, type Page } from '../kit/pagination.js';
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
  return db
    .select()
    .from(venues)
    .where(inArray(venues.id, [...ids]));
}

export function findVenuesByCodes(db: Db, codes: readonly string[]): Promise<VenueRow[]> {
  return db
    .select()
    .from(venues)
    .where(inArray(venues.code, [...codes]));
}

export function listVenues(db: Db, filter: { city?: string | null; kind?: VenueKind | null }): Promise<VenueRow[]> {
  return db
    .select()
    .from(venues)
    .where(
      and(
        filter.city ? eq(venues.city, filter.city) : undefined,
        filter.kind ? eq(venues.kind, filter.kind) : undefined,
      ),
    )
    .orderBy(asc(venues.city), asc(venues.code));
}

export function findAdmissionsByIds(db: Db, ids: readonly string[]): Promise<AdmissionRow[]> {
  return db
    .select()
    .from(admissions)
    .where(inArray(admissions.id, [...ids]));
}

export function findLoansByIds(db: Db, ids: readonly string[]): Promise<LibraryLoanRow[]> {
  return db
    .select()
    .from(libraryLoans)
    .where(inArray(libraryLoans.id, [...ids]));
}

export async function hasVenues(db: Db): Promise<boolean> {
  return (await db.select({ id: venues.id }).from(venues).limit(1)).length > 0;
}

// ---- holder lists (shared/holder-lists.ts): a holder's admissions and loans asked together cost one statement ----

const venueRow = jsonRow(venues);

/** A row with its venue (a foreign key: always there), fetched with it so that `venue` costs no statement. */
export interface WithVenue<R> {
  row: R;
  venue: VenueRow;
}

function withVenue<R>(row: JsonValue<R>, venueId: AnyPgColumn): JsonValue<WithVenue<R>> {
  return {
    sql: sql`json_build_array(${row.sql}, (select ${venueRow.sql} from ${venues} where ${venues.id} = ${venueId}))`,
    decode(value) {
      const [own, venue] = value as unknown[];
      return { row: row.decode(own), venue: venueRow.decode(venue) };
    },
  };
}

const admissionWithVenue = withVenue(jsonRow(admissions), admissions.venueId);
const loanWithVenue = withVenue(jsonRow(libraryLoans), libraryLoans.venueId);

export function admissionsPerHolder(page: Page): JsonValue<WithVenue<AdmissionRow>[]> {
  return pageByHolder(
    admissionWithVenue,
    admissions,
    { holderId: admissions.holderId, at: admissions.admittedAt, id: admissions.id },
    page,
  );
}

export function loansPerHolder(page: Page): JsonValue<WithVenue<LibraryLoanRow>[]> {
  return pageByHolder(
    loanWithVenue,
    libraryLoans,
    { holderId: libraryLoans.holderId, at: libraryLoans.borrowedAt, id: libraryLoans.id },
    page,
  );
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
  for (let i = 0; i < rows.length; i += INSERT_CHUNK)
    await tx.insert(admissions).values(rows.slice(i, i + INSERT_CHUNK));
}

export async function insertLoans(tx: Db, rows: (typeof libraryLoans.$inferInsert)[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK)
    await tx.insert(libraryLoans).values(rows.slice(i, i + INSERT_CHUNK));
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
  const [loan] = await tx
    .update(libraryLoans)
    .set({ returnedAt })
    .where(and(eq(libraryLoans.id, id), isNull(libraryLoans.returnedAt)))
    .returning();
  return loan;
}
