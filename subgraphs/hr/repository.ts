// All of the HR subgraph's SQL. Reads take lists so the loaders can batch; writes take the transaction they run in.
import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Db } from '../../core/database.js';
import { HOLDER, jsonList, jsonRow, type JsonValue } from '../kit/holder-lists.js';
import {
  bankAccounts,
  banks,
  cardEvents,
  cards,
  holders,
  type BankAccountRow,
  type BankRow,
  type CardEventRow,
  type CardRow,
  type CardStatus,
  type HolderRow,
} from './tables.js';

const LIVE_STATUSES: CardStatus[] = ['APPLIED', 'ACTIVE', 'LOST'];

// ---- reads, batched by the loaders ----

export function findHoldersByIds(db: Db, ids: readonly string[]): Promise<HolderRow[]> {
  return db
    .select()
    .from(holders)
    .where(inArray(holders.id, [...ids]));
}

export function findHoldersByIdNumbers(db: Db, idNumbers: readonly string[]): Promise<HolderRow[]> {
  return db
    .select()
    .from(holders)
    .where(inArray(holders.idNumber, [...idNumbers]));
}

export function findCardsByNumbers(db: Db, numbers: readonly string[]): Promise<CardRow[]> {
  return db
    .select()
    .from(cards)
    .where(inArray(cards.cardNumber, [...numbers]));
}

export function findCardsByIds(db: Db, ids: readonly string[]): Promise<CardRow[]> {
  return db
    .select()
    .from(cards)
    .where(inArray(cards.id, [...ids]));
}

export function findEventsByCardIds(db: Db, cardIds: readonly string[]): Promise<CardEventRow[]> {
  return db
    .select()
    .from(cardEvents)
    .where(inArray(cardEvents.cardId, [...cardIds]))
    .orderBy(asc(cardEvents.id));
}

export function findBankAccountsByIds(db: Db, ids: readonly string[]): Promise<BankAccountRow[]> {
  return db
    .select()
    .from(bankAccounts)
    .where(inArray(bankAccounts.id, [...ids]));
}

export function findBanksByCodes(db: Db, codes: readonly string[]): Promise<BankRow[]> {
  return db
    .select()
    .from(banks)
    .where(inArray(banks.code, [...codes]));
}

export function listBanks(db: Db): Promise<BankRow[]> {
  return db.select().from(banks).orderBy(asc(banks.code));
}

// ---- holder lists (shared/holder-lists.ts): a holder's cards and open account asked together cost one statement ----

/** A card with its history, oldest first. */
export interface CardWithEvents {
  card: CardRow;
  events: CardEventRow[];
}

const cardRow = jsonRow(cards);
const eventsOfCard = jsonList(
  jsonRow(cardEvents),
  sql`from ${cardEvents} where ${cardEvents.cardId} = ${cards.id} order by ${cardEvents.id}`,
);
const cardWithEvents: JsonValue<CardWithEvents> = {
  sql: sql`json_build_array(${cardRow.sql}, ${eventsOfCard.sql})`,
  decode(value) {
    const [card, events] = value as unknown[];
    return { card: cardRow.decode(card), events: eventsOfCard.decode(events) };
  },
};

/** Each holder's cards, newest first, each with its events. */
export const cardsPerHolder: JsonValue<CardWithEvents[]> = jsonList(
  cardWithEvents,
  sql`from ${cards} where ${eq(cards.holderId, HOLDER)} order by ${cards.createdAt} desc, ${cards.cardNumber} desc`,
);

/** An account with its bank (a foreign key: always there). */
export interface AccountWithBank {
  account: BankAccountRow;
  bank: BankRow;
}

const accountRow = jsonRow(bankAccounts);
const bankRow = jsonRow(banks);
const accountWithBank: JsonValue<AccountWithBank> = {
  sql: sql`json_build_array(${accountRow.sql}, (select ${bankRow.sql} from ${banks} where ${banks.code} = ${bankAccounts.bankCode}))`,
  decode(value) {
    const [account, bank] = value as unknown[];
    return { account: accountRow.decode(account), bank: bankRow.decode(bank) };
  },
};

/** Each holder's open account (at most one: a unique index says so), with its bank. */
export const openAccountPerHolder: JsonValue<AccountWithBank[]> = jsonList(
  accountWithBank,
  sql`from ${bankAccounts} where ${and(eq(bankAccounts.holderId, HOLDER), isNull(bankAccounts.closedAt))}`,
);

// ---- writes, inside the caller's transaction ----

export async function insertHolder(tx: Db, row: typeof holders.$inferInsert): Promise<HolderRow> {
  const [holder] = await tx.insert(holders).values(row).returning();
  return holder!;
}

// Every command locks the holder's row first, then the rows it changes: one lock order for all commands, so two
// commands on one holder queue instead of deadlocking. NO KEY UPDATE leaves the foreign-key checks of inserts
// referencing the holder (KEY SHARE) unblocked.

export async function lockHolderByIdNumber(tx: Db, idNumber: string): Promise<HolderRow | undefined> {
  const [holder] = await tx.select().from(holders).where(eq(holders.idNumber, idNumber)).for('no key update');
  return holder;
}

export async function lockHolderById(tx: Db, id: string): Promise<void> {
  await tx.select({ id: holders.id }).from(holders).where(eq(holders.id, id)).for('no key update');
}

/** The holder of a card, read without a lock so the holder can be locked before the card. */
export async function findCardHolderId(tx: Db, cardNumber: string): Promise<string | undefined> {
  const [card] = await tx.select({ holderId: cards.holderId }).from(cards).where(eq(cards.cardNumber, cardNumber));
  return card?.holderId;
}

/** Locks the card's row: of two concurrent steps on one card, the second sees what the first did. */
export async function lockCardByNumber(tx: Db, cardNumber: string): Promise<CardRow | undefined> {
  const [card] = await tx.select().from(cards).where(eq(cards.cardNumber, cardNumber)).for('update');
  return card;
}

export async function findLiveCard(
  tx: Db,
  holderId: string,
  kind: 'PHYSICAL' | 'ELECTRONIC',
): Promise<CardRow | undefined> {
  const [card] = await tx
    .select()
    .from(cards)
    .where(and(eq(cards.holderId, holderId), eq(cards.kind, kind), inArray(cards.status, LIVE_STATUSES)))
    .for('update');
  return card;
}

/** Electronic cards mirroring a physical card, still live. */
export function lockMirrors(tx: Db, physicalCardId: string): Promise<CardRow[]> {
  return tx
    .select()
    .from(cards)
    .where(
      and(eq(cards.physicalCardId, physicalCardId), eq(cards.kind, 'ELECTRONIC'), inArray(cards.status, LIVE_STATUSES)),
    )
    .for('update');
}

/** Inserts a card; undefined when its number is already taken (numbers are drawn at random). */
export async function insertCard(tx: Db, row: typeof cards.$inferInsert): Promise<CardRow | undefined> {
  const [card] = await tx.insert(cards).values(row).onConflictDoNothing({ target: cards.cardNumber }).returning();
  return card;
}

export async function updateCard(tx: Db, id: string, change: Partial<typeof cards.$inferInsert>): Promise<CardRow> {
  const [card] = await tx
    .update(cards)
    .set({ ...change, updatedAt: sql`now()` })
    .where(eq(cards.id, id))
    .returning();
  return card!;
}

export async function insertCardEvents(tx: Db, rows: (typeof cardEvents.$inferInsert)[]): Promise<void> {
  if (rows.length > 0) await tx.insert(cardEvents).values(rows);
}

export async function findBank(tx: Db, code: string): Promise<BankRow | undefined> {
  const [bank] = await tx.select().from(banks).where(eq(banks.code, code));
  return bank;
}

export async function insertBank(tx: Db, row: typeof banks.$inferInsert): Promise<BankRow> {
  const [bank] = await tx.insert(banks).values(row).returning();
  return bank!;
}

export async function lockOpenBankAccount(tx: Db, holderId: string): Promise<BankAccountRow | undefined> {
  const [account] = await tx
    .select()
    .from(bankAccounts)
    .where(and(eq(bankAccounts.holderId, holderId), isNull(bankAccounts.closedAt)))
    .for('no key update');
  return account;
}

export async function closeBankAccount(tx: Db, id: string): Promise<void> {
  await tx
    .update(bankAccounts)
    .set({ closedAt: sql`now()` })
    .where(eq(bankAccounts.id, id));
}

export async function insertBankAccount(tx: Db, row: typeof bankAccounts.$inferInsert): Promise<BankAccountRow> {
  const [account] = await tx.insert(bankAccounts).values(row).returning();
  return account!;
}

/** Points every live card of the holder at the account benefits now go to. */
export async function relinkLiveCards(tx: Db, holderId: string, bankAccountId: string): Promise<CardRow[]> {
  return tx
    .update(cards)
    .set({ bankAccountId, updatedAt: sql`now()` })
    .where(and(eq(cards.holderId, holderId), inArray(cards.status, LIVE_STATUSES)))
    .returning();
}

/** Physical cards whose temporary loss report is up (their electronic cards follow), locked for the sweep. */
export function lockLapsedLossReports(tx: Db, now: Date, limit: number): Promise<CardRow[]> {
  return tx
    .select()
    .from(cards)
    .where(
      and(
        eq(cards.kind, 'PHYSICAL'),
        eq(cards.status, 'LOST'),
        eq(cards.lossKind, 'TEMPORARY'),
        lte(cards.lossLapsesAt, now),
      ),
    )
    .limit(limit)
    .for('update', { skipLocked: true });
}

export async function countHolders(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(holders);
  return row!.n;
}
