// All of the transport subgraph's SQL.
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../core/database.js';
import { HOLDER, jsonList, jsonRow, type JsonValue } from '../kit/holder-lists.js';
import { pageByHolder, type Page } from '../kit/pagination.js';
import { rides, transitFunctions, type RideMode, type RideRow, type TransitFunctionRow } from './tables.js';

const transitFunctionRow = jsonRow(transitFunctions);
const rideRow = jsonRow(rides);

export function findTransitFunctionsByCards(db: Db, cardNumbers: readonly string[]): Promise<TransitFunctionRow[]> {
  return db
    .select()
    .from(transitFunctions)
    .where(inArray(transitFunctions.cardNumber, [...cardNumbers]));
}

export function findTransitFunctionsByIds(db: Db, ids: readonly string[]): Promise<TransitFunctionRow[]> {
  return db
    .select()
    .from(transitFunctions)
    .where(inArray(transitFunctions.id, [...ids]));
}

/** Cards among these that carry a loaded transit function. */
export async function cardsWithTransit(db: Db, cardNumbers: readonly string[]): Promise<Set<string>> {
  const rows = await db
    .selectDistinct({ cardNumber: transitFunctions.cardNumber })
    .from(transitFunctions)
    .where(and(inArray(transitFunctions.cardNumber, [...cardNumbers]), isNull(transitFunctions.unloadedAt)));
  return new Set(rows.map((r) => r.cardNumber));
}

// Holder lists (shared/holder-lists.ts): a holder's transit functions and rides asked together cost one statement.

export const transitFunctionsPerHolder: JsonValue<TransitFunctionRow[]> = jsonList(
  transitFunctionRow,
  sql`from ${transitFunctions} where ${eq(transitFunctions.holderId, HOLDER)}`,
);

export function ridesPerHolder(page: Page & { mode: RideMode | null }): JsonValue<RideRow[]> {
  return pageByHolder(
    rideRow,
    rides,
    { holderId: rides.holderId, at: rides.occurredAt, id: rides.id },
    page,
    page.mode ? eq(rides.mode, page.mode) : undefined,
  );
}

export function findRidesByIds(db: Db, ids: readonly string[]): Promise<RideRow[]> {
  return db
    .select()
    .from(rides)
    .where(inArray(rides.id, [...ids]));
}

/** Loads (or reloads) the transit function of a card in a city. */
export async function loadTransitFunction(
  tx: Db,
  row: { cardNumber: string; holderId: string; city: string; operator: string },
): Promise<TransitFunctionRow> {
  const [loaded] = await tx
    .insert(transitFunctions)
    .values(row)
    .onConflictDoUpdate({
      target: [transitFunctions.cardNumber, transitFunctions.city],
      set: { operator: row.operator, loadedAt: sql`now()`, unloadedAt: null },
    })
    .returning();
  return loaded!;
}

export async function lockTransitFunction(
  tx: Db,
  cardNumber: string,
  city: string,
): Promise<TransitFunctionRow | undefined> {
  const [row] = await tx
    .select()
    .from(transitFunctions)
    .where(and(eq(transitFunctions.cardNumber, cardNumber), eq(transitFunctions.city, city)))
    .for('update');
  return row;
}

export async function unloadTransitFunction(tx: Db, id: string): Promise<TransitFunctionRow> {
  const [row] = await tx
    .update(transitFunctions)
    .set({ unloadedAt: sql`now()` })
    .where(eq(transitFunctions.id, id))
    .returning();
  return row!;
}

export async function insertRides(tx: Db, rows: (typeof rides.$inferInsert)[]): Promise<void> {
  if (rows.length) await tx.insert(rides).values(rows);
}
