// Every hr write runs once per idempotency key, as the other departments' do (subgraphs/kit/idempotency.ts): the
// key is claimed in the write's own transaction, before the holder's lock, so a retry after AUDIT_UNAVAILABLE (the
// write committed, its answer was withheld) gets the first answer instead of ILLEGAL_CARD_TRANSITION or
// HOLDER_ALREADY_REGISTERED. The ledger keeps what was written (ids), and a replay reads it back as it stands now,
// as health's and transport's replays do; a refused write rolls back with its key, so a retry runs it again.
import type { Db } from '../../core/database.js';
import { readCardNumber } from '../kit/card-number.js';
import { once } from '../kit/idempotency.js';
import { checkServedAt, type ServedAt } from './inputs.js';
import * as repo from './repository.js';
import { idempotencyKeys, type BankAccountRow, type BankRow, type CardRow, type HolderRow } from './tables.js';

/** How a write's result goes into the ledger and comes back on a replay. */
interface Ledgered<R, S> {
  store(result: R): S;
  load(tx: Db, stored: S): Promise<R>;
}

const first = <T>(rows: T[]): T => {
  // The ledger names rows its own committed write created; hr deletes none.
  if (!rows[0]) throw new Error('a row an idempotency key names is gone');
  return rows[0];
};

export const HOLDER: Ledgered<HolderRow, string> = {
  store: (holder) => holder.id,
  load: async (tx, id) => first(await repo.findHoldersByIds(tx, [id])),
};
export const CARD: Ledgered<CardRow, string> = {
  store: (card) => card.id,
  load: async (tx, id) => first(await repo.findCardsByIds(tx, [id])),
};
export const REPLACEMENT: Ledgered<{ replaced: CardRow; replacement: CardRow }, [string, string]> = {
  store: ({ replaced, replacement }) => [replaced.id, replacement.id],
  load: async (tx, [replaced, replacement]) => ({
    replaced: await CARD.load(tx, replaced),
    replacement: await CARD.load(tx, replacement),
  }),
};
export const ACCOUNT: Ledgered<BankAccountRow, string> = {
  store: (account) => account.id,
  load: async (tx, id) => first(await repo.findBankAccountsByIds(tx, [id])),
};
export const BANK: Ledgered<BankRow, string> = {
  store: (bank) => bank.code,
  load: async (tx, code) => first(await repo.findBanksByCodes(tx, [code])),
};

export interface KeyedWrite {
  /** The caller's idempotency key. */
  key: string;
  /** The mutation's name: one key serves one operation. */
  operation: string;
  /** The input as normalised (no key), so the same request written another way is the same request. */
  payload: unknown;
}

/** A card step's input: the card, where it was served, and the write's idempotency key. */
export interface CardStepInput {
  idempotencyKey: string;
  cardNumber: string;
  servedAt: ServedAt;
}

/** The step's ledger entry: the normalised card number and place (and `extra`, a loss report's kind). */
export function stepRequest(operation: string, input: CardStepInput, extra: Record<string, unknown> = {}) {
  const payload = { cardNumber: readCardNumber(input.cardNumber), servedAt: checkServedAt(input.servedAt), ...extra };
  return { key: input.idempotencyKey, operation, payload };
}

/** Runs `write` in one transaction, once per key; a replay answers what the first run wrote. */
export async function writeOnce<R, S>(
  db: Db,
  request: KeyedWrite,
  ledgered: Ledgered<R, S>,
  write: (tx: Db) => Promise<R>,
): Promise<R> {
  return db.transaction(async (tx) => {
    let fresh: { result: R } | undefined;
    const { replayed, result } = await once(tx, idempotencyKeys, request, async () => {
      fresh = { result: await write(tx) };
      return ledgered.store(fresh.result);
    });
    return replayed || !fresh ? ledgered.load(tx, result) : fresh.result;
  });
}
