// Violations of the card's rules and their fines (Art 19), decided by the HRSS departments: against a holder (by id
// or a card) or an organisation (by its unified social credit code). Each write is one transaction, once per
// idempotency key (idempotent.ts): the holder locked first, as every hr command does, then the violation, then the
// public credit feed's lock (feedPosition). The public credit feed (`creditFeed`) is shared by the GraphQL feed and
// `npm run violations:export`: it carries only what credit platforms publish, never a phone or a whole ID number.
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../core/database.js';
import { ErrorCode, badInput, hubError } from '../../core/protocol/errors.js';
import { applyMask } from '../../schema/policy/masks.js';
import { readCardNumber } from '../kit/card-number.js';
import { jsonRow } from '../kit/holder-lists.js';
import { pageByHolder, type Page } from '../kit/pagination.js';
import { readCityCode } from '../kit/cities.js';
import { isUuid, readText } from '../kit/text.js';
import { now, type HrDeps } from './commands.js';
import { readChoice, readEmployerCode, readPastDate, readPeriod } from './e-file-inputs.js';
import { writeOnce } from './idempotent.js';
import { findCardHolderId, lockHolderById } from './repository.js';
import { holders } from './tables.js';
import {
  VIOLATION_KINDS,
  VIOLATION_STATUSES,
  violations,
  type ViolationKind,
  type ViolationRow,
  type ViolationStatus,
} from './violation-tables.js';

/** Art 19: a fine of 1,000 to 10,000 yuan, inclusive, in fen. */
export const MIN_FINE_FEN = 100_000;
export const MAX_FINE_FEN = 1_000_000;
export const MAX_FACTS = 2_000;

export function readFine(value: number | null | undefined, field = 'fineFen'): number | null {
  if (value == null) return null;
  if (!Number.isSafeInteger(value)) throw badInput(`${field} must be a whole number of fen`, field);
  if (value < MIN_FINE_FEN || value > MAX_FINE_FEN)
    throw hubError(
      ErrorCode.FINE_OUT_OF_RANGE,
      `${field} must be 1,000 to 10,000 yuan (${MIN_FINE_FEN} to ${MAX_FINE_FEN} fen), got ${value}`,
      {
        field,
        minFen: MIN_FINE_FEN,
        maxFen: MAX_FINE_FEN,
      },
    );
  return value;
}

/** Which status may follow which: a correction, then closing; CLOSED is final. */
export const NEXT_STATUSES: Record<ViolationStatus, readonly ViolationStatus[]> = {
  DECIDED: ['CORRECTED', 'CLOSED'],
  CORRECTED: ['CLOSED'],
  CLOSED: [],
};

export interface RecordViolationInput {
  idempotencyKey: string;
  holder?: { id?: string | null; cardNumber?: string | null } | null;
  organisation?: { name: string; creditCode: string } | null;
  kind: ViolationKind;
  facts: string;
  authority: string;
  decision: string;
  decidedOn: string;
  fineFen?: number | null;
  correctBy?: string | null;
}

const VIOLATION = {
  store: (row: ViolationRow) => row.id,
  load: async (tx: Db, id: string) => {
    const [row] = await tx.select().from(violations).where(eq(violations.id, id));
    if (!row) throw new Error('a row an idempotency key names is gone');
    return row;
  },
};

/**
 * The feed's next position, taken under a transaction-scoped advisory lock that every violation write takes last
 * and holds until it commits. A sequence would not do: two writers could draw 7 and 8, 8 commit first, and a feed
 * read between the two commits hand out a cursor past 8, skipping 7 forever. Under the lock the second writer reads
 * max() only after the first has committed, so position order is commit order and every read sees a prefix.
 */
async function nextFeedPosition(tx: Db): Promise<number> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('ykt-hub:hr.violations-feed'))`);
  const [row] = await tx.select({ n: sql<string>`coalesce(max(${violations.feedPosition}), 0) + 1` }).from(violations);
  return Number(row!.n);
}

function readSubject(input: RecordViolationInput) {
  const { holder, organisation } = input;
  if (!holder === !organisation) throw badInput('give exactly one of holder and organisation', 'holder');
  if (organisation)
    return {
      organisation: {
        name: readText(organisation.name, 'organisation.name'),
        code: readEmployerCode(organisation.creditCode, 'organisation.creditCode'),
      },
    };
  if ((holder!.id ? 1 : 0) + (holder!.cardNumber ? 1 : 0) !== 1)
    throw badInput('holder must give exactly one of id and cardNumber', 'holder');
  if (holder!.id && !isUuid(holder!.id)) throw hubError(ErrorCode.HOLDER_NOT_FOUND, 'No holder with this id');
  return holder!.id
    ? { holderId: holder!.id.toLowerCase() }
    : { cardNumber: readCardNumber(holder!.cardNumber!, 'holder.cardNumber') };
}

export function recordViolation(deps: HrDeps, input: RecordViolationInput): Promise<ViolationRow> {
  const subject = readSubject(input);
  const kind = readChoice(input.kind, VIOLATION_KINDS, 'kind');
  const facts = readText(input.facts, 'facts', MAX_FACTS);
  const authority = readCityCode(input.authority, 'authority', { province: true });
  const decision = readText(input.decision, 'decision', MAX_FACTS);
  const decidedOn = readPastDate(input.decidedOn, 'decidedOn', now(deps));
  const fineFen = readFine(input.fineFen);
  const { end: correctBy } = readPeriod(decidedOn, input.correctBy, ['decidedOn', 'correctBy']);
  const payload = { subject, kind, facts, authority, decision, decidedOn, fineFen, correctBy };
  const request = { key: input.idempotencyKey, operation: 'recordViolation', payload };
  return writeOnce(deps.db, request, VIOLATION, async (tx) => {
    let holderId: string | null = null;
    if (!subject.organisation) {
      holderId = subject.holderId ?? (await findCardHolderId(tx, subject.cardNumber!)) ?? null;
      if (!holderId && subject.cardNumber) throw hubError(ErrorCode.CARD_NOT_FOUND, 'No card with this number');
      const [locked] = await tx
        .select({ id: holders.id })
        .from(holders)
        .where(eq(holders.id, holderId!))
        .for('no key update');
      if (!locked) throw hubError(ErrorCode.HOLDER_NOT_FOUND, 'No holder with this id');
    }
    const [row] = await tx
      .insert(violations)
      .values({
        holderId,
        organisationName: subject.organisation?.name ?? null,
        organisationCode: subject.organisation?.code ?? null,
        kind,
        facts,
        authority,
        decision,
        decidedOn,
        fineFen,
        correctBy,
        feedPosition: await nextFeedPosition(tx),
      })
      .returning();
    return row!;
  });
}

export interface ChangeViolationStatusInput {
  idempotencyKey: string;
  violationId: string;
  status: ViolationStatus;
}

/** Moves a violation along DECIDED → CORRECTED → CLOSED (or DECIDED → CLOSED); the record goes to the feed's end. */
export function changeViolationStatus(deps: HrDeps, input: ChangeViolationStatusInput): Promise<ViolationRow> {
  if (!isUuid(input.violationId)) throw badInput('violationId is not a violation id', 'violationId');
  const status = readChoice(input.status, VIOLATION_STATUSES, 'status');
  const violationId = input.violationId.toLowerCase();
  const request = { key: input.idempotencyKey, operation: 'changeViolationStatus', payload: { violationId, status } };
  return writeOnce(deps.db, request, VIOLATION, async (tx) => {
    const [found] = await tx.select().from(violations).where(eq(violations.id, violationId));
    if (!found) throw hubError(ErrorCode.NOT_FOUND, 'No violation with this id');
    if (found.holderId) await lockHolderById(tx, found.holderId);
    const [current] = await tx.select().from(violations).where(eq(violations.id, violationId)).for('update');
    if (!NEXT_STATUSES[current!.status].includes(status))
      throw hubError(ErrorCode.ILLEGAL_VIOLATION_TRANSITION, `A ${current!.status} violation cannot become ${status}`, {
        status: current!.status,
        field: 'status',
      });
    const [row] = await tx
      .update(violations)
      .set({ status, feedPosition: await nextFeedPosition(tx), updatedAt: sql`now()` })
      .where(eq(violations.id, violationId))
      .returning();
    return row!;
  });
}

/** A record as the public credit platform publishes it. `holderId` is for the audit record only, never exported. */
export interface PublicCreditRecord {
  position: string;
  violationId: string;
  kind: ViolationKind;
  subjectKind: 'PERSON' | 'ORGANISATION';
  name: string;
  /** A person's ID number masked (440106********1234); null for an organisation. */
  maskedIdNumber: string | null;
  creditCode: string | null;
  authority: string;
  decision: string;
  decidedOn: string;
  fineFen: number | null;
  correctBy: string | null;
  status: ViolationStatus;
  holderId: string | null;
}

export const MAX_FEED_PAGE = 500;

/** Reads a feed cursor: the position after which to read (0 from the start). */
export function readFeedCursor(after: string | null | undefined): number {
  if (after == null || after === '') return 0;
  if (!/^\d{1,15}$/.test(after))
    throw badInput('after is not a cursor of publicCreditFeed (use its endCursor)', 'after');
  return Number(after);
}

/** Up to `first` records after position `after`, in feed order (commit order: nextFeedPosition). */
export async function creditFeed(db: Db, after: number, first: number): Promise<PublicCreditRecord[]> {
  const rows = await db
    .select({ v: violations, holderName: holders.name, idNumber: holders.idNumber })
    .from(violations)
    .leftJoin(holders, eq(holders.id, violations.holderId))
    .where(and(gt(violations.feedPosition, after)))
    .orderBy(asc(violations.feedPosition))
    .limit(first);
  return rows.map(({ v, holderName, idNumber }) => ({
    position: String(v.feedPosition),
    violationId: v.id,
    kind: v.kind,
    subjectKind: v.holderId ? 'PERSON' : 'ORGANISATION',
    name: v.holderId ? holderName! : v.organisationName!,
    maskedIdNumber: v.holderId ? (applyMask('ID_NUMBER', idNumber) as string) : null,
    creditCode: v.organisationCode,
    authority: v.authority,
    decision: v.decision,
    decidedOn: v.decidedOn,
    fineFen: v.fineFen,
    correctBy: v.correctBy,
    status: v.status,
    holderId: v.holderId,
  }));
}

/** What leaves the hub for the credit platform: the record without the holder's internal id. */
export function exportLine(record: PublicCreditRecord): string {
  const { holderId: _internal, ...published } = record;
  return JSON.stringify(published);
}

/** Each holder's violations, newest recorded first, as a holder list (one statement with hr's other lists). */
export const violationsPerHolder = (page: Page) =>
  pageByHolder(
    jsonRow(violations),
    violations,
    { holderId: violations.holderId, at: violations.recordedAt, id: violations.id },
    page,
  );
