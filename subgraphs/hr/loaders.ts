// Per-request batching of every HR read, so a query for 100 holders costs a handful of statements, not hundreds.
import type { Db } from '../shared/database.js';
import { groupLoader, rowLoader } from '../shared/loaders.js';
import { hasLapsed } from './card-rules.js';
import * as repo from './repository.js';
import type { CardRow } from './tables.js';

/** A temporary loss report that has lapsed reads as an active card even before the sweep records the lapse. */
function asOf(now: Date) {
  return (card: CardRow): CardRow =>
    hasLapsed(card, now) ? { ...card, status: 'ACTIVE', lossKind: null, lossReportedAt: null, lossLapsesAt: null } : card;
}

export function createLoaders(db: Db, now = new Date()) {
  const present = asOf(now);
  const cards = (rows: CardRow[]) => rows.map(present);
  return {
    holderById: rowLoader((ids: readonly string[]) => repo.findHoldersByIds(db, ids), (h) => h.id),
    holderByIdNumber: rowLoader((numbers: readonly string[]) => repo.findHoldersByIdNumbers(db, numbers), (h) => h.idNumber),
    cardsByHolderId: groupLoader(async (ids: readonly string[]) => cards(await repo.findCardsByHolderIds(db, ids)), (c) => c.holderId),
    cardByNumber: rowLoader(async (numbers: readonly string[]) => cards(await repo.findCardsByNumbers(db, numbers)), (c) => c.cardNumber),
    cardById: rowLoader(async (ids: readonly string[]) => cards(await repo.findCardsByIds(db, ids)), (c) => c.id),
    eventsByCardId: groupLoader((ids: readonly string[]) => repo.findEventsByCardIds(db, ids), (e) => e.cardId),
    bankAccountById: rowLoader((ids: readonly string[]) => repo.findBankAccountsByIds(db, ids), (a) => a.id),
    openBankAccountByHolderId: rowLoader((ids: readonly string[]) => repo.findOpenBankAccountsByHolderIds(db, ids), (a) => a.holderId),
    bankByCode: rowLoader((codes: readonly string[]) => repo.findBanksByCodes(db, codes), (b) => b.code),
  };
}

export type HrLoaders = ReturnType<typeof createLoaders>;
