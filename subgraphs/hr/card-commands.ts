// The HR department's card steps (Art 5): apply, issue, report and cancel a loss, replace, cancel, the electronic
// card, and the sweep that lapses temporary loss reports. Same idempotency keys, transaction and lock order as
// commands.ts.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../core/database.js';
import { ErrorCode, badInput, hubError } from '../../core/protocol/errors.js';
import { readCardNumber } from '../kit/card-number.js';
import { readCityCode } from '../kit/cities.js';
import { chinaDate } from '../kit/time.js';
import { generateCardNumber, generateIdentificationCode, secureRandomInt } from './card-numbers.js';
import { checkStep, expiryDate, hasLapsed, lossLapseTime, type CardStep } from './card-rules.js';
import { event, lockHolder, now, onConflict, openAccount, type HrDeps } from './commands.js';
import { CARD, REPLACEMENT, stepRequest, writeOnce, type CardStepInput } from './idempotent.js';
import { checkAccountNumber, checkBankCode, checkIdNumber, checkServedAt, type ServedAt } from './inputs.js';
import * as repo from './repository.js';
import type { cards, CardEventType, CardRow, LossKind } from './tables.js';

type CardChange = Partial<typeof cards.$inferInsert>;

async function changeCard(
  tx: Db,
  card: CardRow,
  change: CardChange,
  type: CardEventType,
  servedAt: ServedAt | null,
  at: Date,
  detail?: Record<string, unknown>,
) {
  const updated = await repo.updateCard(tx, card.id, change);
  const events = [event(updated, type, card.status, servedAt, at, detail)];
  if (card.kind === 'PHYSICAL' && change.status) {
    const { status, lossKind, lossReportedAt, lossLapsesAt } = updated;
    for (const mirror of await repo.lockMirrors(tx, card.id)) {
      const mirrored = await repo.updateCard(tx, mirror.id, { status, lossKind, lossReportedAt, lossLapsesAt });
      events.push(event(mirrored, type, mirror.status, servedAt, at, { mirrorOf: card.cardNumber }));
    }
  }
  await repo.insertCardEvents(tx, events);
  return updated;
}

const CLEAR_LOSS: CardChange = { lossKind: null, lossReportedAt: null, lossLapsesAt: null };

/**
 * A temporary loss report whose time is up is recorded as lapsed by the step that meets it, before that step.
 * If the step is then refused, its transaction (and the lapse with it) rolls back; the sweep records it later.
 */
async function settleLapse(tx: Db, card: CardRow, at: Date): Promise<CardRow> {
  if (!hasLapsed(card, at)) return card;
  return changeCard(tx, card, { status: 'ACTIVE', ...CLEAR_LOSS }, 'LOSS_LAPSED', null, at, {
    lapsedAt: card.lossLapsesAt,
  });
}

async function lockCardForStep(tx: Db, rawCardNumber: string, step: CardStep, at: Date, lossKind?: LossKind) {
  const cardNumber = readCardNumber(rawCardNumber);
  const holderId = await repo.findCardHolderId(tx, cardNumber);
  if (!holderId) throw hubError(ErrorCode.CARD_NOT_FOUND, `No card with number ${cardNumber}`);
  await repo.lockHolderById(tx, holderId);
  const card = await settleLapse(tx, (await repo.lockCardByNumber(tx, cardNumber))!, at);
  const check = checkStep(card, step, lossKind);
  if (!check.ok) throw hubError(ErrorCode.ILLEGAL_CARD_TRANSITION, check.reason, { cardNumber, status: card.status });
  return card;
}

/** Inserts a card under a freshly drawn number; on the rare clash with an existing number, draws again. */
async function insertNewCard(
  tx: Db,
  deps: HrDeps,
  row: Omit<typeof cards.$inferInsert, 'cardNumber' | 'identificationCode'>,
): Promise<CardRow> {
  const random = deps.random ?? secureRandomInt;
  for (let attempt = 0; attempt < 5; attempt++) {
    const card = await repo.insertCard(tx, {
      ...row,
      cardNumber: generateCardNumber(row.kind, random),
      identificationCode: generateIdentificationCode(row.issuingAuthority, random),
    });
    if (card) return card;
  }
  throw new Error('could not draw a free card number in 5 attempts');
}

const liveCardExists = () => hubError(ErrorCode.ACTIVE_CARD_EXISTS, 'The holder already has a live card of this kind');

export async function applyForCard(
  deps: HrDeps,
  input: {
    idempotencyKey: string;
    idNumber: string;
    servedAt: ServedAt;
    issuingAuthority?: string | null;
    bankCode?: string | null;
    accountNumber?: string | null;
  },
): Promise<CardRow> {
  const servedAt = checkServedAt(input.servedAt);
  const issuingAuthority = readCityCode(input.issuingAuthority ?? servedAt.city, 'issuingAuthority', {
    province: true,
  });
  if (input.accountNumber && !input.bankCode)
    throw badInput('accountNumber needs the bankCode of the bank that holds it', 'bankCode');
  const bankCode = input.bankCode ? checkBankCode(input.bankCode) : null;
  const accountNumber = bankCode ? checkAccountNumber(input.accountNumber) : null;
  const idNumber = checkIdNumber(input.idNumber);
  const at = now(deps);
  const payload = { idNumber, servedAt, issuingAuthority, bankCode, accountNumber };
  try {
    return await writeOnce(
      deps.db,
      { key: input.idempotencyKey, operation: 'applyForCard', payload },
      CARD,
      async (tx) => {
        const holder = await lockHolder(tx, idNumber);
        const live = await repo.findLiveCard(tx, holder.id, 'PHYSICAL');
        if (live) {
          // No card number: an ID number alone must not lead to a card, and through it to the holder's data.
          throw hubError(
            ErrorCode.ACTIVE_CARD_EXISTS,
            `The holder already has a physical card (${live.status}): report it lost and replace it instead`,
            { status: live.status },
          );
        }
        const opened = bankCode ? await openAccount(tx, holder.id, bankCode, accountNumber!) : null;
        const account = opened?.account ?? (await repo.lockOpenBankAccount(tx, holder.id));
        // The card's financial function needs an account (Art 12): a new holder names the bank to open it with.
        if (!account) throw badInput('The holder has no bank account yet: give bankCode and accountNumber', 'bankCode');
        const card = await insertNewCard(tx, deps, {
          holderId: holder.id,
          kind: 'PHYSICAL',
          status: 'APPLIED',
          issuingAuthority,
          bankAccountId: account.id,
        });
        const bankDetail = opened?.changed
          ? { bank: account.bankCode, previousBank: opened.previous?.bankCode ?? null }
          : { bank: account.bankCode };
        await repo.insertCardEvents(tx, [event(card, 'APPLIED', null, servedAt, at, bankDetail)]);
        return card;
      },
    );
  } catch (error) {
    onConflict(error, { cards_one_live_physical_per_holder: liveCardExists });
  }
}

export async function issueCard(deps: HrDeps, input: CardStepInput): Promise<CardRow> {
  const servedAt = checkServedAt(input.servedAt);
  const at = now(deps);
  return writeOnce(deps.db, stepRequest('issueCard', input), CARD, async (tx) => {
    const card = await lockCardForStep(tx, input.cardNumber, 'ISSUE', at);
    const issuedOn = chinaDate(at);
    return changeCard(
      tx,
      card,
      { status: 'ACTIVE', issuedOn, expiresOn: expiryDate(issuedOn) },
      'ISSUED',
      servedAt,
      at,
    );
  });
}

export async function reportCardLoss(deps: HrDeps, input: CardStepInput & { kind: LossKind }): Promise<CardRow> {
  const servedAt = checkServedAt(input.servedAt);
  const at = now(deps);
  return writeOnce(deps.db, stepRequest('reportCardLoss', input, { kind: input.kind }), CARD, async (tx) => {
    const card = await lockCardForStep(tx, input.cardNumber, 'REPORT_LOSS', at, input.kind);
    const lossLapsesAt = lossLapseTime(at, input.kind, deps.settings.temporaryLossDays);
    return changeCard(
      tx,
      card,
      { status: 'LOST', lossKind: input.kind, lossReportedAt: card.lossReportedAt ?? at, lossLapsesAt },
      'LOSS_REPORTED',
      servedAt,
      at,
      { lossKind: input.kind },
    );
  });
}

export async function cancelCardLossReport(deps: HrDeps, input: CardStepInput): Promise<CardRow> {
  const servedAt = checkServedAt(input.servedAt);
  const at = now(deps);
  return writeOnce(deps.db, stepRequest('cancelCardLossReport', input), CARD, async (tx) => {
    const card = await lockCardForStep(tx, input.cardNumber, 'CANCEL_LOSS_REPORT', at);
    return changeCard(tx, card, { status: 'ACTIVE', ...CLEAR_LOSS }, 'LOSS_CANCELLED', servedAt, at);
  });
}

export async function cancelCard(deps: HrDeps, input: CardStepInput): Promise<CardRow> {
  const servedAt = checkServedAt(input.servedAt);
  const at = now(deps);
  return writeOnce(deps.db, stepRequest('cancelCard', input), CARD, async (tx) => {
    const card = await lockCardForStep(tx, input.cardNumber, 'CANCEL', at);
    return changeCard(tx, card, { status: 'CANCELLED', ...CLEAR_LOSS }, 'CANCELLED', servedAt, at);
  });
}

/** Old card REPLACED and new card ACTIVE in one transaction; the electronic card moves to the new card. */
export async function replaceCard(deps: HrDeps, input: CardStepInput) {
  const servedAt = checkServedAt(input.servedAt);
  const at = now(deps);
  return writeOnce(deps.db, stepRequest('replaceCard', input), REPLACEMENT, async (tx) => {
    const old = await lockCardForStep(tx, input.cardNumber, 'REPLACE', at);
    const mirrors = await repo.lockMirrors(tx, old.id);
    // The account current now (under the holder's lock), not the one the old card was issued with.
    const account = await repo.lockOpenBankAccount(tx, old.holderId);
    const replacementId = randomUUID();
    // The old card leaves the live set first, so the one-live-card constraint admits the new one.
    const replaced = await repo.updateCard(tx, old.id, {
      status: 'REPLACED',
      replacedByCardId: replacementId,
      ...CLEAR_LOSS,
    });
    const issuedOn = chinaDate(at);
    const replacement = await insertNewCard(tx, deps, {
      id: replacementId,
      holderId: old.holderId,
      kind: 'PHYSICAL',
      status: 'ACTIVE',
      issuingAuthority: servedAt.city,
      issuedOn,
      expiresOn: expiryDate(issuedOn),
      bankAccountId: account?.id ?? null,
    });
    const events = [
      event(replaced, 'REPLACED', old.status, servedAt, at, { replacement: replacement.cardNumber }),
      event(replacement, 'ISSUED', null, servedAt, at, { replaces: old.cardNumber }),
    ];
    for (const mirror of mirrors) {
      const moved = await repo.updateCard(tx, mirror.id, {
        physicalCardId: replacement.id,
        status: 'ACTIVE',
        ...CLEAR_LOSS,
        issuingAuthority: replacement.issuingAuthority,
        expiresOn: replacement.expiresOn,
        bankAccountId: replacement.bankAccountId,
      });
      events.push(
        event(moved, 'RELINKED', mirror.status, servedAt, at, {
          mirrorOf: replacement.cardNumber,
          previously: old.cardNumber,
        }),
      );
    }
    await repo.insertCardEvents(tx, events);
    return { replaced, replacement };
  });
}

export async function issueElectronicCard(
  deps: HrDeps,
  input: { idempotencyKey: string; idNumber: string; servedAt: ServedAt },
): Promise<CardRow> {
  const servedAt = checkServedAt(input.servedAt);
  const idNumber = checkIdNumber(input.idNumber);
  const at = now(deps);
  const request = { key: input.idempotencyKey, operation: 'issueElectronicCard', payload: { idNumber, servedAt } };
  try {
    return await writeOnce(deps.db, request, CARD, async (tx) => {
      const holder = await lockHolder(tx, idNumber);
      const live = await repo.findLiveCard(tx, holder.id, 'PHYSICAL');
      const physical = live && (await settleLapse(tx, live, at));
      if (!physical || physical.status !== 'ACTIVE') {
        throw hubError(
          ErrorCode.ILLEGAL_CARD_TRANSITION,
          'An electronic card needs an active physical card to mirror',
          { status: physical?.status ?? null },
        );
      }
      const existing = await repo.findLiveCard(tx, holder.id, 'ELECTRONIC');
      if (existing) throw hubError(ErrorCode.ACTIVE_CARD_EXISTS, 'The holder already has an electronic card');
      const card = await insertNewCard(tx, deps, {
        holderId: holder.id,
        kind: 'ELECTRONIC',
        physicalCardId: physical.id,
        status: 'ACTIVE',
        issuingAuthority: physical.issuingAuthority,
        issuedOn: chinaDate(at),
        expiresOn: physical.expiresOn,
        bankAccountId: physical.bankAccountId,
      });
      await repo.insertCardEvents(tx, [event(card, 'ISSUED', null, servedAt, at, { mirrorOf: physical.cardNumber })]);
      return card;
    });
  } catch (error) {
    onConflict(error, { cards_one_live_electronic_per_holder: liveCardExists });
  }
}

/** Records every temporary loss report whose time is up as lapsed. Returns how many lapsed. */
export async function lapseLossReports(deps: HrDeps): Promise<number> {
  let total = 0;
  for (;;) {
    const at = now(deps);
    const lapsed = await deps.db.transaction(async (tx) => {
      const due = await repo.lockLapsedLossReports(tx, at, 200);
      for (const card of due) await settleLapse(tx, card, at);
      return due.length;
    });
    total += lapsed;
    if (lapsed < 200) return total;
  }
}
