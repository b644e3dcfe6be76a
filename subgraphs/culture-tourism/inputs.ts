// Checks on what venue systems send: card numbers and venue codes. Each failure is BAD_USER_INPUT naming the
// field, so a gate's system can point at the bad value; a value echoed in the message is quoted (cut short, no
// control characters), since a batch's refusals are stored in the idempotency ledger. Text, times, city codes and
// ids go through the shared readers (shared/text.ts, shared/time.ts, shared/cities.ts).
import { badInput } from '../../core/protocol/errors.js';
import { quote } from '../kit/text.js';
import { readInstant, readPastInstant } from '../kit/time.js';
import { GraphQLError } from 'graphql';

const VENUE_CODE = /^[A-Z0-9][A-Z0-9_-]{1,31}$/;

export { cardNumberProblem, normalizeCardNumber } from '../kit/card-number.js';
export const normalizeVenueCode = (raw: string) => raw.trim().toUpperCase();

export const isVenueCode = (code: string) => VENUE_CODE.test(code);

/** The problem with a (normalised) venue code, or null when it is well formed. */
export function venueCodeProblem(code: string, field: string): GraphQLError | null {
  return isVenueCode(code)
    ? null
    : badInput(`Venue code ${quote(code)} is malformed: 2 to 32 letters, digits, _ or -`, field);
}

/** A venue code from a caller, normalised, or BAD_USER_INPUT: checked before it is looked up. */
export function readVenueCode(raw: string, field: string): string {
  const code = normalizeVenueCode(raw);
  const problem = venueCodeProblem(code, field);
  if (problem) throw problem;
  return code;
}

/** A past instant (shared/time.ts) for one row of a batch: the row's refusal instead of a throw. */
export function pastInstantOrProblem(raw: string, field: string, now: Date): Date | GraphQLError {
  try {
    return readPastInstant(raw, field, now.getTime());
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
}

/**
 * An instant as the idempotency ledger hashes it: the UTC ISO string when it parses, so `+08:00` and `Z` forms
 * of one time are one request; else the raw value (the row is refused either way, the same way each time).
 */
export function instantForHash(raw: string | null): string | null {
  if (raw === null) return null;
  try {
    return readInstant(raw, 'instant').toISOString();
  } catch {
    return raw;
  }
}
