// Checks on what venue systems send: card numbers, venue codes and times. Each failure is BAD_USER_INPUT naming
// the field, so a gate's system can point at the bad value.
import { badInput } from '../shared/errors.js';
import type { GraphQLError } from 'graphql';

const CARD_NUMBER = /^[A-Z]\d{8}$/;
const VENUE_CODE = /^[A-Z0-9][A-Z0-9_-]{1,31}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A time without an offset is ambiguous (UTC or Guangdong's UTC+8?), so one is required.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** Gate clocks drift; a few minutes ahead of ours is not a made-up future time. */
const CLOCK_SKEW_MS = 5 * 60_000;

export const normalizeCardNumber = (raw: string) => raw.trim().toUpperCase();
export const normalizeVenueCode = (raw: string) => raw.trim().toUpperCase();

/** The problem with a card number, or null when it is well formed. */
export function cardNumberProblem(cardNumber: string, field: string): GraphQLError | null {
  return CARD_NUMBER.test(cardNumber) ? null : badInput(`Card number ${cardNumber} is malformed: expected a letter and 8 digits, e.g. F41665315`, field);
}

export function venueCodeProblem(code: string, field: string): GraphQLError | null {
  return VENUE_CODE.test(code) ? null : badInput(`Venue code ${code} is malformed: 2 to 32 letters, digits, _ or -`, field);
}

export function checkUuid(raw: string, field: string): string {
  if (!UUID.test(raw)) throw badInput(`${field} is not an id this hub gave out`, field);
  return raw.toLowerCase();
}

export function checkText(raw: string, field: string, max: number): string {
  const text = raw.trim();
  if (text.length === 0 || text.length > max) throw badInput(`${field} must be 1 to ${max} characters`, field);
  return text;
}

/** An ISO 8601 instant with an offset, on a real calendar date; with `notAfter`, not later than it (plus skew). */
export function instantProblem(raw: string, field: string, notAfter?: Date): GraphQLError | Date {
  const match = INSTANT.exec(raw);
  const time = match ? new Date(raw) : null;
  const [y, m, d] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  // Date parsing rolls 30 February over into March; a gate's record with such a date is corrupt, not early March.
  if (!time || Number.isNaN(time.getTime()) || new Date(Date.UTC(y, m - 1, d)).getUTCDate() !== d || m < 1 || m > 12) {
    return badInput(`${field} must be an ISO 8601 time with a UTC offset, e.g. 2025-05-01T09:30:00+08:00, got "${raw}"`, field);
  }
  if (notAfter && time.getTime() > notAfter.getTime() + CLOCK_SKEW_MS) return badInput(`${field} ${raw} is in the future`, field);
  return time;
}

export function readInstant(raw: string, field: string, notAfter?: Date): Date {
  const result = instantProblem(raw, field, notAfter);
  if (result instanceof Date) return result;
  throw result;
}
