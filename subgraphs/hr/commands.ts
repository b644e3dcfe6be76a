// The HR department's writes: registering holders and bank choice (Art 5, 12); every card step (Art 5) is in
// card-commands.ts.
// Each command is one transaction that claims its idempotency key (idempotent.ts), locks the holder, then the rows it
// decides on (one lock order for all commands, so concurrent commands on one holder queue rather than deadlock),
// validates, writes, and appends history.
import type { HrSettings } from '../../core/config.js';
import type { Db } from '../../core/database.js';
import { ErrorCode, badInput, databaseErrorOf, hubError } from '../../core/protocol/errors.js';
import { readCityCode } from '../kit/cities.js';
import type { RandomInt } from '../kit/random.js';
import { readText } from '../kit/text.js';
import { readDate } from '../kit/time.js';
import { ACCOUNT, BANK, HOLDER, writeOnce } from './idempotent.js';
import { parseBirthDate, validateIdNumber, validatePhone } from './identifiers.js';
import { checkAccountNumber, checkBankCode, checkIdNumber, checkServedAt, type ServedAt } from './inputs.js';
import * as repo from './repository.js';
import type { CardEventType, CardRow, HolderRow, IdType } from './tables.js';

export type { ServedAt } from './inputs.js';

export interface HrDeps {
  db: Db;
  settings: HrSettings;
  now?: () => Date;
  random?: RandomInt;
}

export const now = (deps: HrDeps) => (deps.now ? deps.now() : new Date());

/** Maps a unique-constraint violation that slipped past the checks (a lost race) to the caller's error. */
export function onConflict(error: unknown, constraints: Record<string, () => Error>): never {
  const { code, constraint } = databaseErrorOf(error);
  if (code === '23505' && constraint && constraints[constraint]) throw constraints[constraint]();
  throw error;
}

// ---- holders and banks ----

export interface RegisterHolderInput {
  idempotencyKey: string;
  idType: IdType;
  idNumber: string;
  name: string;
  gender?: 'MALE' | 'FEMALE' | null;
  birthDate?: string | null;
  phone?: string | null;
  registeredCity: string;
}

export async function registerHolder(deps: HrDeps, input: RegisterHolderInput): Promise<HolderRow> {
  const id = validateIdNumber(input.idType, input.idNumber);
  if (!id.ok) throw badInput(id.reason, 'idNumber');
  const name = readText(input.name, 'name');
  const registeredCity = readCityCode(input.registeredCity, 'registeredCity');

  const birthDate = input.birthDate ? parseBirthDate(readDate(input.birthDate, 'birthDate').replace(/-/g, '')) : null;
  if (input.birthDate && !birthDate) throw badInput(`Birth date ${input.birthDate} is not a past date`, 'birthDate');
  if (id.birthDate && birthDate && id.birthDate !== birthDate)
    throw badInput(`Birth date ${birthDate} does not match the ID number (${id.birthDate})`, 'birthDate');
  if (id.gender && input.gender && id.gender !== input.gender)
    throw badInput(`Gender ${input.gender} does not match the ID number`, 'gender');
  const finalBirthDate = id.birthDate ?? birthDate;
  const gender = id.gender ?? input.gender;
  if (!finalBirthDate)
    throw badInput(`birthDate is required: a ${input.idType} number does not encode it`, 'birthDate');
  if (!gender) throw badInput(`gender is required: a ${input.idType} number does not encode it`, 'gender');
  const phone = input.phone ? validatePhone(input.phone) : null;
  if (input.phone && !phone)
    throw badInput('Phone must be a mainland mobile number (11 digits) or +country code and number', 'phone');

  const holder = {
    idType: input.idType,
    idNumber: id.idNumber,
    name,
    gender,
    birthDate: finalBirthDate,
    phone,
    registeredCity,
  };
  const request = { key: input.idempotencyKey, operation: 'registerHolder', payload: holder };
  try {
    return await writeOnce(deps.db, request, HOLDER, (tx) => repo.insertHolder(tx, holder));
  } catch (error) {
    onConflict(error, {
      holders_id_number_unique: () =>
        hubError(ErrorCode.HOLDER_ALREADY_REGISTERED, 'A holder with this ID number is already registered'),
    });
  }
}

export async function registerBank(deps: HrDeps, input: { idempotencyKey: string; code: string; name: string }) {
  const code = checkBankCode(input.code, 'code');
  const name = readText(input.name, 'name');
  const request = { key: input.idempotencyKey, operation: 'registerBank', payload: { code, name } };
  try {
    return await writeOnce(deps.db, request, BANK, (tx) => repo.insertBank(tx, { code, name }));
  } catch (error) {
    onConflict(error, { banks_pkey: () => badInput(`Bank ${code} is already registered`, 'code') });
  }
}

async function cooperatingBank(tx: Db, rawCode: string) {
  const code = checkBankCode(rawCode);
  const bank = await repo.findBank(tx, code);
  if (!bank) throw hubError(ErrorCode.BANK_NOT_FOUND, `No cooperating bank with code ${code}`);
  if (bank.agreementStatus !== 'ACTIVE') {
    throw hubError(
      ErrorCode.BANK_NOT_COOPERATING,
      `Bank ${bank.code} takes no new card accounts: its agreement is ${bank.agreementStatus}`,
    );
  }
  return bank;
}

/** Opens the holder's account at a bank, closing the one it replaces; keeps the open one if it is the same. */
export async function openAccount(tx: Db, holderId: string, bankCode: string, accountNumber: string) {
  const bank = await cooperatingBank(tx, bankCode);
  const open = await repo.lockOpenBankAccount(tx, holderId);
  if (open && open.bankCode === bank.code && open.accountNumber === accountNumber)
    return { account: open, previous: open, changed: false };
  if (open) await repo.closeBankAccount(tx, open.id);
  const account = await repo.insertBankAccount(tx, { holderId, bankCode: bank.code, accountNumber });
  return { account, previous: open ?? null, changed: true };
}

export async function lockHolder(tx: Db, rawIdNumber: string): Promise<HolderRow> {
  const holder = await repo.lockHolderByIdNumber(tx, checkIdNumber(rawIdNumber));
  if (!holder) throw hubError(ErrorCode.HOLDER_NOT_FOUND, 'No holder is registered with this ID number');
  return holder;
}

export async function switchBank(
  deps: HrDeps,
  input: { idempotencyKey: string; idNumber: string; bankCode: string; accountNumber: string; servedAt: ServedAt },
) {
  const servedAt = checkServedAt(input.servedAt);
  const idNumber = checkIdNumber(input.idNumber);
  const bankCode = checkBankCode(input.bankCode);
  const accountNumber = checkAccountNumber(input.accountNumber);
  const at = now(deps);
  const payload = { idNumber, bankCode, accountNumber, servedAt };
  return writeOnce(deps.db, { key: input.idempotencyKey, operation: 'switchBank', payload }, ACCOUNT, async (tx) => {
    const holder = await lockHolder(tx, idNumber);
    const { account, previous, changed } = await openAccount(tx, holder.id, bankCode, accountNumber);
    if (!changed) throw badInput('The holder already uses this bank account', 'accountNumber');
    const relinked = await repo.relinkLiveCards(tx, holder.id, account.id);
    await repo.insertCardEvents(
      tx,
      relinked.map((card) =>
        event(card, 'BANK_ACCOUNT_CHANGED', card.status, servedAt, at, {
          fromBank: previous?.bankCode ?? null,
          toBank: account.bankCode,
        }),
      ),
    );
    return account;
  });
}

export function event(
  card: CardRow,
  type: CardEventType,
  from: CardRow['status'] | null,
  servedAt: ServedAt | null,
  at: Date,
  detail?: Record<string, unknown>,
) {
  return {
    cardId: card.id,
    holderId: card.holderId,
    type,
    fromStatus: from,
    toStatus: card.status,
    channel: servedAt?.channel ?? null,
    city: servedAt?.city ?? null,
    occurredAt: at,
    ...(detail ? { detail } : {}),
  };
}

/** Applies a change to a physical card and to the electronic cards that mirror it, with history for each. */
