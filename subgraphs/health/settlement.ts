// A visit's settlement (结算): what the insurance fund paid, what the holder paid, and how much of the holder's share
// went through the card. Amounts cross the API as yuan strings ("123.45") and are checked in whole fen.
import { badInput } from '../../core/protocol/errors.js';
import { readMoney, toFen } from '../kit/money.js';

export interface SettlementInput {
  total: string;
  fundPaid: string;
  selfPaid: string;
  cardPaid: string;
  settledAt?: string | null;
}

export interface Settlement {
  total: string;
  fundPaid: string;
  selfPaid: string;
  cardPaid: string;
}

/** The amounts, normalised to two decimals, when they add up: total = fund + self-paid, card-paid ≤ self-paid. */
export function readSettlement(input: SettlementInput, field = 'settlement'): Settlement {
  const amounts = {
    total: readMoney(input.total.trim(), `${field}.total`),
    fundPaid: readMoney(input.fundPaid.trim(), `${field}.fundPaid`),
    selfPaid: readMoney(input.selfPaid.trim(), `${field}.selfPaid`),
    cardPaid: readMoney(input.cardPaid.trim(), `${field}.cardPaid`),
  };
  const { total, fundPaid, selfPaid, cardPaid } = amounts;
  if (toFen(fundPaid) + toFen(selfPaid) !== toFen(total)) {
    throw badInput(
      `${field}.total ${total} must equal fundPaid ${fundPaid} plus selfPaid ${selfPaid}`,
      `${field}.total`,
    );
  }
  if (toFen(cardPaid) > toFen(selfPaid)) {
    throw badInput(
      `${field}.cardPaid ${cardPaid} cannot exceed selfPaid ${selfPaid}: the card pays only the holder's share`,
      `${field}.cardPaid`,
    );
  }
  return amounts;
}
