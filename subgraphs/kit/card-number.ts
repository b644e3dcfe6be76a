// The card number every department receives from callers: a letter and 8 digits (F41665315; electronic cards
// E and 8 digits). One definition, so hr, which issues the numbers, and the departments that look them up agree.
import { badInput } from '../../core/protocol/errors.js';
import { quote } from './text.js';

export const CARD_NUMBER_PATTERN = /^[A-Z]\d{8}$/;

export const normalizeCardNumber = (raw: string): string => raw.trim().toUpperCase();

export function isCardNumber(value: string): boolean {
  return CARD_NUMBER_PATTERN.test(value);
}

/** What is wrong with a caller's card number as BAD_USER_INPUT naming the field, or null when it is well formed. */
export function cardNumberProblem(raw: string, field = 'cardNumber') {
  return isCardNumber(normalizeCardNumber(raw))
    ? null
    : badInput(`Card number ${quote(raw)} is malformed: expected a letter and 8 digits, e.g. F41665315`, field);
}

/** A caller's card number, normalised, or BAD_USER_INPUT naming the field. */
export function readCardNumber(raw: string, field = 'cardNumber'): string {
  const problem = cardNumberProblem(raw, field);
  if (problem) throw problem;
  return normalizeCardNumber(raw);
}
