// Checks on what callers send to the HR subgraph, shared by its queries and commands.
import { badInput } from '../../core/protocol/errors.js';
import { readCityCode } from '../kit/cities.js';
import { validateAnyIdNumber } from './identifiers.js';
import type { Channel } from './tables.js';

export interface ServedAt {
  channel: Channel;
  city: string;
}

/** Where a step was served, as recorded (and as an idempotency key compares it). */
export function checkServedAt(servedAt: ServedAt): ServedAt {
  return { channel: servedAt.channel, city: readCityCode(servedAt.city, 'servedAt.city') };
}

/** A bare identity document number (any document type), normalized; BAD_USER_INPUT saying what is wrong. */
export function checkIdNumber(raw: string, field = 'idNumber'): string {
  const check = validateAnyIdNumber(raw);
  if (!check.ok) throw badInput(check.reason, field);
  return check.idNumber;
}

export function checkAccountNumber(raw: string | null | undefined): string {
  const account = (raw ?? '').replace(/\s/g, '');
  if (!/^\d{12,19}$/.test(account)) throw badInput('Bank account number must be 12 to 19 digits', 'accountNumber');
  return account;
}

export function checkBankCode(raw: string, field = 'bankCode'): string {
  const code = raw.trim().toUpperCase();
  if (!/^[A-Z0-9_]{2,20}$/.test(code)) throw badInput('Bank code must be 2 to 20 letters, digits or _', field);
  return code;
}
