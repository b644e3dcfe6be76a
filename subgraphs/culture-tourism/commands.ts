// Culture and tourism's writes: the venue register, gate admissions in batches, library loans. Each runs once per
// idempotency key, in one transaction; cards are checked against hr before the transaction opens, so no
// network call holds locks.
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { isCityCode } from '../shared/cities.js';
import type { Db } from '../shared/database.js';
import { ErrorCode, badInput, hubError } from '../shared/errors.js';
import type { CardFacts, HrClient } from '../shared/hr-client.js';
import { checkIdempotencyKey, once } from '../shared/idempotency.js';
import { CultureTourismCode, cultureTourismError } from './errors.js';
import {
  cardNumberProblem,
  checkText,
  checkUuid,
  instantProblem,
  normalizeCardNumber,
  normalizeVenueCode,
  readInstant,
  venueCodeProblem,
} from './inputs.js';
import * as repo from './repository.js';
import { admissions, idempotencyKeys, type Concession, type VenueKind, type VenueRow } from './tables.js';

export interface CultureTourismDeps {
  db: Db;
  hr: HrClient;
  now?: () => Date;
}

export const MAX_ADMISSIONS_PER_BATCH = 1_000;
const DEFAULT_LOAN_DAYS = 30;

const now = (deps: CultureTourismDeps) => deps.now?.() ?? new Date();

function cardNotUsable(card: CardFacts, field = 'cardNumber'): GraphQLError {
  return hubError(ErrorCode.CARD_NOT_USABLE, `Card ${card.cardNumber} is ${card.status}, not ACTIVE: it cannot be used`, {
    field, cardNumber: card.cardNumber, status: card.status,
  });
}

// ---- venues ----

export interface RegisterVenueInput {
  idempotencyKey: string;
  code: string;
  name: string;
  kind: VenueKind;
  city: string;
}

/** Returns the id of the venue registered (the first time, for a replayed key). */
export async function registerVenue(deps: CultureTourismDeps, input: RegisterVenueInput): Promise<string> {
  const code = normalizeVenueCode(input.code);
  const problem = venueCodeProblem(code, 'code');
  if (problem) throw problem;
  const name = checkText(input.name, 'name', 100);
  if (!isCityCode(input.city)) throw badInput(`city ${input.city} is not one of Guangdong's 21 city codes`, 'city');
  const venue = { code, name, kind: input.kind, city: input.city };
  const { result } = await deps.db.transaction((tx) =>
    once(tx, idempotencyKeys, { key: input.idempotencyKey, operation: 'registerVenue', payload: venue }, async () => {
      const row = await repo.insertVenue(tx, venue);
      if (!row) throw badInput(`Venue code ${code} is already registered`, 'code');
      return row.id;
    }));
  return result;
}

// ---- admissions ----

export interface AdmissionInput {
  cardNumber: string;
  venueCode: string;
  admittedAt?: string | null;
  concession?: Concession | null;
}

export interface AdmissionRowOutcome {
  index: number;
  admissionId: string | null;
  error: { code: string; message: string; field: string | null } | null;
}

export interface RecordAdmissionsOutcome {
  results: AdmissionRowOutcome[];
  recorded: number;
  refused: number;
}

type AdmissionInsert = typeof admissions.$inferInsert;

/** A row's admission, or why the row is refused. Pure: the cards and venues are looked up beforehand. */
function judgeAdmission(
  row: Required<AdmissionInput>,
  index: number,
  cards: Map<string, CardFacts>,
  venuesByCode: Map<string, VenueRow>,
  at: Date,
): AdmissionInsert | GraphQLError {
  const field = (name: string) => `admissions[${index}].${name}`;
  const malformed = cardNumberProblem(row.cardNumber, field('cardNumber')) ?? venueCodeProblem(row.venueCode, field('venueCode'));
  if (malformed) return malformed;
  const admittedAt = row.admittedAt === null ? at : instantProblem(row.admittedAt, field('admittedAt'), at);
  if (!(admittedAt instanceof Date)) return admittedAt;
  const card = cards.get(row.cardNumber);
  if (!card) return hubError(ErrorCode.CARD_NOT_FOUND, `No card with number ${row.cardNumber}`, { field: field('cardNumber') });
  const venue = venuesByCode.get(row.venueCode);
  if (!venue) return hubError(ErrorCode.NOT_FOUND, `No venue with code ${row.venueCode}`, { field: field('venueCode') });
  if (card.status !== 'ACTIVE') return cardNotUsable(card, field('cardNumber'));
  return {
    id: randomUUID(), holderId: card.holderId, cardNumber: card.cardNumber, venueId: venue.id, admittedAt,
    concession: row.concession ?? 'NONE', city: venue.city,
  };
}

/**
 * Records a gate's batch. Every row is judged on its own and refused alone; the recorded rows, the refusals and
 * the idempotency key commit together, so a row is never half-applied and a retry never doubles the batch.
 */
export async function recordAdmissions(
  deps: CultureTourismDeps,
  input: { idempotencyKey: string; admissions: AdmissionInput[] },
): Promise<RecordAdmissionsOutcome> {
  const count = input.admissions.length;
  if (count === 0 || count > MAX_ADMISSIONS_PER_BATCH) {
    throw badInput(`A batch holds 1 to ${MAX_ADMISSIONS_PER_BATCH} admissions, got ${count}; split it`, 'admissions');
  }
  checkIdempotencyKey(input.idempotencyKey);
  const rows = input.admissions.map((a) => ({
    cardNumber: normalizeCardNumber(a.cardNumber),
    venueCode: normalizeVenueCode(a.venueCode),
    admittedAt: a.admittedAt ?? null,
    concession: a.concession ?? 'NONE',
  }));
  // One call to hr for the whole batch, before any lock is taken.
  const cards = await deps.hr.cards(rows.map((r) => r.cardNumber));
  const at = now(deps);

  const { result } = await deps.db.transaction((tx) =>
    once(tx, idempotencyKeys, { key: input.idempotencyKey, operation: 'recordAdmissions', payload: { admissions: rows } }, async () => {
      const codes = [...new Set(rows.map((r) => r.venueCode))];
      const venuesByCode = new Map((await repo.findVenuesByCodes(tx, codes)).map((v) => [v.code, v]));
      const inserts: AdmissionInsert[] = [];
      const results = rows.map((row, index): AdmissionRowOutcome => {
        const judged = judgeAdmission(row, index, cards, venuesByCode, at);
        if (judged instanceof GraphQLError) {
          const { code, field } = judged.extensions as { code: string; field?: string };
          return { index, admissionId: null, error: { code, message: judged.message, field: field ?? null } };
        }
        inserts.push(judged);
        return { index, admissionId: judged.id!, error: null };
      });
      await repo.insertAdmissions(tx, inserts);
      return { results, recorded: inserts.length, refused: count - inserts.length };
    }));
  return result;
}

// ---- library loans ----

export interface RecordLibraryLoanInput {
  idempotencyKey: string;
  cardNumber: string;
  venueCode: string;
  itemId: string;
  title: string;
  borrowedAt?: string | null;
  dueAt?: string | null;
}

/** Returns the id of the loan recorded (the first time, for a replayed key). */
export async function recordLibraryLoan(deps: CultureTourismDeps, input: RecordLibraryLoanInput): Promise<string> {
  const at = now(deps);
  const cardNumber = normalizeCardNumber(input.cardNumber);
  const venueCode = normalizeVenueCode(input.venueCode);
  const malformed = cardNumberProblem(cardNumber, 'cardNumber') ?? venueCodeProblem(venueCode, 'venueCode');
  if (malformed) throw malformed;
  const itemId = checkText(input.itemId, 'itemId', 64);
  const title = checkText(input.title, 'title', 200);
  const borrowedAt = input.borrowedAt ? readInstant(input.borrowedAt, 'borrowedAt', at) : at;
  const dueAt = input.dueAt ? readInstant(input.dueAt, 'dueAt') : new Date(borrowedAt.getTime() + DEFAULT_LOAN_DAYS * 86_400_000);
  if (dueAt <= borrowedAt) throw badInput('dueAt must be after borrowedAt', 'dueAt');
  checkIdempotencyKey(input.idempotencyKey);
  const card = (await deps.hr.cards([cardNumber])).get(cardNumber);

  const payload = { cardNumber, venueCode, itemId, title, borrowedAt: input.borrowedAt ?? null, dueAt: input.dueAt ?? null };
  const { result } = await deps.db.transaction((tx) =>
    once(tx, idempotencyKeys, { key: input.idempotencyKey, operation: 'recordLibraryLoan', payload }, async () => {
      // Judged inside `once`, so a replay returns the first loan even if the card has changed since.
      if (!card) throw hubError(ErrorCode.CARD_NOT_FOUND, `No card with number ${cardNumber}`);
      if (card.status !== 'ACTIVE') throw cardNotUsable(card);
      const [venue] = await repo.findVenuesByCodes(tx, [venueCode]);
      if (!venue) throw hubError(ErrorCode.NOT_FOUND, `No venue with code ${venueCode}`, { field: 'venueCode' });
      if (venue.kind !== 'LIBRARY') throw badInput(`Venue ${venueCode} is a ${venue.kind}, not a LIBRARY: it lends nothing`, 'venueCode');
      const loan = await repo.insertLoan(tx, { holderId: card.holderId, cardNumber: card.cardNumber, venueId: venue.id, itemId, title, borrowedAt, dueAt });
      if (!loan) throw cultureTourismError(CultureTourismCode.ITEM_ON_LOAN, `Item ${itemId} of ${venueCode} is out on another loan`, { itemId });
      return loan.id;
    }));
  return result;
}

export async function returnLibraryLoan(
  deps: CultureTourismDeps,
  input: { idempotencyKey: string; loanId: string; returnedAt?: string | null },
): Promise<string> {
  const at = now(deps);
  const loanId = checkUuid(input.loanId, 'loanId');
  const returnedAt = input.returnedAt ? readInstant(input.returnedAt, 'returnedAt', at) : at;
  const payload = { loanId, returnedAt: input.returnedAt ?? null };
  const { result } = await deps.db.transaction((tx) =>
    once(tx, idempotencyKeys, { key: input.idempotencyKey, operation: 'returnLibraryLoan', payload }, async () => {
      const loan = await repo.lockLoan(tx, loanId);
      if (!loan) throw hubError(ErrorCode.NOT_FOUND, `No library loan with id ${loanId}`, { field: 'loanId' });
      if (loan.returnedAt) {
        throw cultureTourismError(CultureTourismCode.LOAN_ALREADY_RETURNED, `Loan ${loanId} was returned at ${loan.returnedAt.toISOString()}`, { loanId });
      }
      if (returnedAt < loan.borrowedAt) throw badInput('returnedAt must not be before the loan began', 'returnedAt');
      await repo.markReturned(tx, loanId, returnedAt);
      return loanId;
    }));
  return result;
}
