// Culture and tourism's writes: the venue register, gate admissions in batches, library loans. Each runs once per
// idempotency key, in one transaction; cards are checked against hr before the transaction opens, so no
// network call holds locks.
import { cardExpired, expiredOn } from '../kit/card-validity.js';
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { readCityCode } from '../kit/cities.js';
import type { Db } from '../../core/database.js';
import { ErrorCode, badInput, hubError } from '../../core/protocol/errors.js';
import type { CardFacts, HrClient } from '../kit/hr-client.js';
import { checkIdempotencyKey, once } from '../kit/idempotency.js';
import { isUuid, quote, readText } from '../kit/text.js';
import { chinaDate, readInstant, readPastInstant } from '../kit/time.js';
import {
  cardNumberProblem,
  instantForHash,
  isVenueCode,
  normalizeCardNumber,
  normalizeVenueCode,
  pastInstantOrProblem,
  readVenueCode,
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
  return hubError(
    ErrorCode.CARD_NOT_USABLE,
    `Card ${card.cardNumber} is ${card.status}, not ACTIVE: it cannot be used`,
    {
      field,
      cardNumber: card.cardNumber,
      status: card.status,
    },
  );
}

/** Whether a card could be used at `at`: active, and not past its last day then (China time). */
const usableAt = (card: CardFacts, at: Date) => card.status === 'ACTIVE' && !expiredOn(card, chinaDate(at));

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
  const code = readVenueCode(input.code, 'code');
  const name = readText(input.name, 'name', 100);
  const city = readCityCode(input.city, 'city');
  const venue = { code, name, kind: input.kind, city };
  const { result } = await deps.db.transaction((tx) =>
    once(tx, idempotencyKeys, { key: input.idempotencyKey, operation: 'registerVenue', payload: venue }, async () => {
      const row = await repo.insertVenue(tx, venue);
      if (!row) throw badInput(`Venue code ${code} is already registered`, 'code');
      return row.id;
    }),
  );
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

/** A batch row normalised: what is judged, and what the idempotency key guards. */
interface AdmissionRow {
  cardNumber: string;
  venueCode: string;
  /** The UTC ISO string when it parses (else as given, to be refused); null for "now". */
  admittedAt: string | null;
  concession: Concession;
}

/** A row's admission, or why the row is refused. Pure: the cards and venues are looked up beforehand. */
function judgeAdmission(
  row: AdmissionRow,
  index: number,
  cards: Map<string, CardFacts>,
  venuesByCode: Map<string, VenueRow>,
  at: Date,
): AdmissionInsert | GraphQLError {
  const field = (name: string) => `admissions[${index}].${name}`;
  const malformed =
    cardNumberProblem(row.cardNumber, field('cardNumber')) ?? venueCodeProblem(row.venueCode, field('venueCode'));
  if (malformed) return malformed;
  const admittedAt = row.admittedAt === null ? at : pastInstantOrProblem(row.admittedAt, field('admittedAt'), at);
  if (!(admittedAt instanceof Date)) return admittedAt;
  const card = cards.get(row.cardNumber);
  if (!card)
    return hubError(ErrorCode.CARD_NOT_FOUND, `No card with number ${quote(row.cardNumber)}`, {
      field: field('cardNumber'),
    });
  const venue = venuesByCode.get(row.venueCode);
  if (!venue)
    return hubError(ErrorCode.NOT_FOUND, `No venue with code ${quote(row.venueCode)}`, { field: field('venueCode') });
  if (card.status !== 'ACTIVE') return cardNotUsable(card, field('cardNumber'));
  if (!usableAt(card, admittedAt))
    return cardExpired(card, { field: field('cardNumber'), cardNumber: card.cardNumber });
  return {
    id: randomUUID(),
    holderId: card.holderId,
    cardNumber: card.cardNumber,
    venueId: venue.id,
    admittedAt,
    concession: row.concession ?? 'NONE',
    city: venue.city,
  };
}

/**
 * Records a gate's batch. Every row is judged on its own and refused alone; the recorded rows, the refusals and
 * the idempotency key commit together, so a row is never half-applied and a retry never doubles the batch.
 */
export async function recordAdmissions(
  deps: CultureTourismDeps,
  input: { idempotencyKey: string; admissions: AdmissionInput[] },
  /** Told the holders whose admissions the batch holds, for the audit record (replays included: a card's holder never changes). */
  wrote?: (holderIds: Iterable<string>) => void,
): Promise<RecordAdmissionsOutcome> {
  const count = input.admissions.length;
  if (count === 0 || count > MAX_ADMISSIONS_PER_BATCH) {
    throw badInput(`A batch holds 1 to ${MAX_ADMISSIONS_PER_BATCH} admissions, got ${count}; split it`, 'admissions');
  }
  checkIdempotencyKey(input.idempotencyKey);
  // Normalised before hashing, so a gate's retry that writes a time in another offset is the same request.
  const rows = input.admissions.map((a): AdmissionRow => ({
    cardNumber: normalizeCardNumber(a.cardNumber),
    venueCode: normalizeVenueCode(a.venueCode),
    admittedAt: instantForHash(a.admittedAt ?? null),
    concession: a.concession ?? 'NONE',
  }));
  // One call to hr for the whole batch, before any lock is taken.
  const cards = await deps.hr.cards(rows.map((r) => r.cardNumber));
  const at = now(deps);

  const { result } = await deps.db.transaction((tx) =>
    once(
      tx,
      idempotencyKeys,
      { key: input.idempotencyKey, operation: 'recordAdmissions', payload: { admissions: rows } },
      async () => {
        // Only well-formed codes reach SQL (a NUL byte would fail the statement); a malformed one refuses its row.
        const codes = [...new Set(rows.map((r) => r.venueCode).filter(isVenueCode))];
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
      },
    ),
  );
  if (wrote) {
    const holderIds = new Set<string>();
    for (const row of result.results) {
      const holderId = row.admissionId ? cards.get(rows[row.index]?.cardNumber ?? '')?.holderId : undefined;
      if (holderId) holderIds.add(holderId);
    }
    wrote(holderIds);
  }
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
  const malformed = cardNumberProblem(cardNumber, 'cardNumber');
  if (malformed) throw malformed;
  const venueCode = readVenueCode(input.venueCode, 'venueCode');
  const itemId = readText(input.itemId, 'itemId', 64);
  const title = readText(input.title, 'title', 200);
  const givenBorrowedAt = input.borrowedAt ? readPastInstant(input.borrowedAt, 'borrowedAt', at.getTime()) : null;
  // Due dates lie ahead: any real instant will do, as long as it is after the borrowing.
  const givenDueAt = input.dueAt ? readInstant(input.dueAt, 'dueAt') : null;
  const borrowedAt = givenBorrowedAt ?? at;
  const dueAt = givenDueAt ?? new Date(borrowedAt.getTime() + DEFAULT_LOAN_DAYS * 86_400_000);
  if (dueAt <= borrowedAt) throw badInput('dueAt must be after borrowedAt', 'dueAt');
  checkIdempotencyKey(input.idempotencyKey);
  const card = (await deps.hr.cards([cardNumber])).get(cardNumber);

  // The key guards the command as read, not as written: `+08:00` and `Z` forms of one time, or a padded title,
  // are the same request. Times left to default stay null here (a retry's "now" differs from the first one's).
  const payload = {
    cardNumber,
    venueCode,
    itemId,
    title,
    borrowedAt: givenBorrowedAt?.toISOString() ?? null,
    dueAt: givenDueAt?.toISOString() ?? null,
  };
  const { result } = await deps.db.transaction((tx) =>
    once(tx, idempotencyKeys, { key: input.idempotencyKey, operation: 'recordLibraryLoan', payload }, async () => {
      // Judged inside `once`, so a replay returns the first loan even if the card has changed since.
      if (!card) throw hubError(ErrorCode.CARD_NOT_FOUND, `No card with number ${cardNumber}`);
      if (card.status !== 'ACTIVE') throw cardNotUsable(card);
      if (!usableAt(card, borrowedAt)) throw cardExpired(card, { field: 'cardNumber', cardNumber: card.cardNumber });
      const [venue] = await repo.findVenuesByCodes(tx, [venueCode]);
      if (!venue) throw hubError(ErrorCode.NOT_FOUND, `No venue with code ${venueCode}`, { field: 'venueCode' });
      if (venue.kind !== 'LIBRARY')
        throw badInput(`Venue ${venueCode} is a ${venue.kind}, not a LIBRARY: it lends nothing`, 'venueCode');
      const loan = await repo.insertLoan(tx, {
        holderId: card.holderId,
        cardNumber: card.cardNumber,
        venueId: venue.id,
        itemId,
        title,
        borrowedAt,
        dueAt,
      });
      if (!loan)
        throw hubError(ErrorCode.ITEM_ON_LOAN, `Item ${quote(itemId)} of ${venueCode} is out on another loan`, {
          itemId,
        });
      return loan.id;
    }),
  );
  return result;
}

export async function returnLibraryLoan(
  deps: CultureTourismDeps,
  input: { idempotencyKey: string; loanId: string; returnedAt?: string | null },
): Promise<string> {
  const at = now(deps);
  // Loan ids are UUIDs: anything else is not one this hub gave out, and never reaches the uuid column.
  if (!isUuid(input.loanId))
    throw badInput(`loanId ${quote(input.loanId)} is not a library loan id this hub gave out`, 'loanId');
  const loanId = input.loanId.toLowerCase();
  const givenReturnedAt = input.returnedAt ? readPastInstant(input.returnedAt, 'returnedAt', at.getTime()) : null;
  const returnedAt = givenReturnedAt ?? at;
  const payload = { loanId, returnedAt: givenReturnedAt?.toISOString() ?? null };
  const { result } = await deps.db.transaction((tx) =>
    once(tx, idempotencyKeys, { key: input.idempotencyKey, operation: 'returnLibraryLoan', payload }, async () => {
      const loan = await repo.lockLoan(tx, loanId);
      if (!loan) throw hubError(ErrorCode.NOT_FOUND, `No library loan with id ${loanId}`, { field: 'loanId' });
      if (loan.returnedAt) {
        throw hubError(
          ErrorCode.LOAN_ALREADY_RETURNED,
          `Loan ${loanId} was returned at ${loan.returnedAt.toISOString()}`,
          { loanId },
        );
      }
      if (returnedAt < loan.borrowedAt) throw badInput('returnedAt must not be before the loan began', 'returnedAt');
      await repo.markReturned(tx, loanId, returnedAt);
      return loanId;
    }),
  );
  return result;
}
