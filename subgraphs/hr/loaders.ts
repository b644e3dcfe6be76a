// Per-request batching of every HR read, so a query for 100 holders with their cards, card events and bank accounts
// costs two statements (the holders, then their cards and accounts), not hundreds.
import type { Db } from '../../core/database.js';
import { holderLists } from '../kit/holder-lists.js';
import { groupLoader, pagedLoader, rowLoader } from '../kit/loaders.js';
import { hasLapsed } from './card-rules.js';
import { eFileLoaders } from './e-file-loaders.js';
import { violationsPerHolder } from './violations.js';
import type { Page } from '../kit/pagination.js';
import * as repo from './repository.js';
import type { CardRow } from './tables.js';

/** A temporary loss report that has lapsed reads as an active card even before the sweep records the lapse. */
function asOf(now: Date) {
  return (card: CardRow): CardRow =>
    hasLapsed(card, now)
      ? { ...card, status: 'ACTIVE', lossKind: null, lossReportedAt: null, lossLapsesAt: null }
      : card;
}

export function createLoaders(db: Db, now = new Date()) {
  const present = asOf(now);
  const cards = (rows: CardRow[]) => rows.map(present);
  const list = holderLists(db);
  const cardById = rowLoader(
    async (ids: readonly string[]) => cards(await repo.findCardsByIds(db, ids)),
    (c) => c.id,
  );
  const eventsByCardId = groupLoader(
    (ids: readonly string[]) => repo.findEventsByCardIds(db, ids),
    (e) => e.cardId,
  );
  const bankAccountById = rowLoader(
    (ids: readonly string[]) => repo.findBankAccountsByIds(db, ids),
    (a) => a.id,
  );
  const bankByCode = rowLoader(
    (codes: readonly string[]) => repo.findBanksByCodes(db, codes),
    (b) => b.code,
  );
  // What is read with a holder's cards and account primes the loaders of the fields reading it, which then cost no
  // statement: a card's events; the card by id, as a holder's cards are the ones its cards point to (physicalCard,
  // replacedBy); the account by id (Card.bankAccount) and its bank.
  const cardOf = ({ card, events }: repo.CardWithEvents) => {
    const presented = present(card);
    cardById.prime(card.id, presented);
    eventsByCardId.prime(card.id, events);
    return presented;
  };
  const accountOf = ({ account, bank }: repo.AccountWithBank) => {
    bankAccountById.prime(account.id, account);
    bankByCode.prime(bank.code, bank);
    return account;
  };
  return {
    holderById: rowLoader(
      (ids: readonly string[]) => repo.findHoldersByIds(db, ids),
      (h) => h.id,
    ),
    holderByIdNumber: rowLoader(
      (numbers: readonly string[]) => repo.findHoldersByIdNumbers(db, numbers),
      (h) => h.idNumber,
    ),
    cardsByHolderId: list(repo.cardsPerHolder, cardOf),
    cardByNumber: rowLoader(
      async (numbers: readonly string[]) => cards(await repo.findCardsByNumbers(db, numbers)),
      (c) => c.cardNumber,
    ),
    cardById,
    eventsByCardId,
    bankAccountById,
    /** A list of at most one. */
    openBankAccountsByHolderId: list(repo.openAccountPerHolder, accountOf),
    bankByCode,
    ...eFileLoaders(db, list),
    violationsPage: pagedLoader((page: Page) => list(violationsPerHolder(page))),
  };
}

export type HrLoaders = ReturnType<typeof createLoaders>;
