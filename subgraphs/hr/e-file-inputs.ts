// Checks on what the HR department sends for social insurance and the e-file library: each refusal is
// BAD_USER_INPUT naming the field, before anything is written.
import { badInput } from '../../core/protocol/errors.js';
import { chinaDate, readDate } from '../kit/time.js';

/** A whole number of fen a column and GraphQL's 32-bit Int both hold. */
export const MAX_FEN = 2_147_483_647;

export function readFen(value: number, field: string): number {
  // GraphQL's Int already refuses fractions and values past 32 bits; a call to the subgraph itself is checked too.
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_FEN)
    throw badInput(`${field} must be a whole number of fen from 0 to ${MAX_FEN}, got ${value}`, field);
  return value;
}

/** A start date and an optional end date not before it, both YYYY-MM-DD. */
export function readPeriod(
  start: string,
  end: string | null | undefined,
  fields: [string, string] = ['startDate', 'endDate'],
): { start: string; end: string | null } {
  const from = readDate(start, fields[0]);
  const to = end == null ? null : readDate(end, fields[1]);
  if (to !== null && to < from) throw badInput(`${fields[1]} must not be before ${fields[0]}`, fields[1]);
  return { start: from, end: to };
}

/** A day that has come, in Guangdong. */
export function readPastDate(value: string, field: string, now = new Date()): string {
  const day = readDate(value, field);
  if (day > chinaDate(now)) throw badInput(`${field} is in the future`, field);
  return day;
}

/** A month as YYYY-MM, as its first moment in Guangdong (UTC+8). */
export function readMonth(value: string, field = 'month'): { month: string; at: Date } {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value) || value < '1900-01')
    throw badInput(`${field} must be a month as YYYY-MM, got "${value.slice(0, 20)}"`, field);
  return { month: value, at: new Date(`${value}-01T00:00:00+08:00`) };
}

/** The YYYY-MM a stored month (its first moment in Guangdong) stands for. */
export const monthOf = (at: Date | string): string => chinaDate(new Date(at)).slice(0, 7);

// The unified social credit code (GB 32100-2015): 18 characters of this alphabet, the last a check character.
const CREDIT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function creditCodeCheck(first17: string): string {
  const sum = [...first17].reduce((s, c, i) => s + CREDIT_ALPHABET.indexOf(c) * CREDIT_WEIGHTS[i]!, 0);
  return CREDIT_ALPHABET[(31 - (sum % 31)) % 31]!;
}

export function readEmployerCode(raw: string, field = 'employerCode'): string {
  const code = raw.trim().toUpperCase();
  const shaped = /^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code);
  if (!shaped || creditCodeCheck(code.slice(0, 17)) !== code[17])
    throw badInput(`${field} must be an 18-character unified social credit code with a valid check character`, field);
  return code;
}

/** A SHA-256 digest as 64 hex digits, kept lowercase. */
export function readSha256(raw: string, field = 'documentSha256'): string {
  const hex = raw.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw badInput(`${field} must be a SHA-256 digest: 64 hexadecimal digits`, field);
  return hex;
}

/** Whether a value is one of an enum's names: GraphQL checks at the gateway, this a direct call. */
export function readChoice<T extends string>(value: string, choices: readonly T[], field: string): T {
  if (!(choices as readonly string[]).includes(value))
    throw badInput(`${field} must be one of ${choices.join(', ')}, got "${String(value).slice(0, 30)}"`, field);
  return value as T;
}
