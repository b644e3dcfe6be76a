// Public security's writes: driving licences (recorded, renewed, suspended, reinstated, revoked, their points) and
// the resident ID card's validity. Each runs once per idempotency key, in one transaction.
import type { Db } from '../../core/database.js';
import { ErrorCode, badInput, hubError } from '../../core/protocol/errors.js';
import { readCityCode } from '../kit/cities.js';
import { resolveHolderRef, type HolderRef, type HrClient } from '../kit/hr-client.js';
import { once } from '../kit/idempotency.js';
import { readText } from '../kit/text.js';
import { readDate } from '../kit/time.js';
import { checkTerm, readLicenceNumber, readPoints, readVehicleClass } from './licence-rules.js';
import * as repo from './repository.js';
import { idempotencyKeys, type LicenceRow, type StoredLicenceStatus } from './tables.js';

export interface PublicSecurityDeps {
  db: Db;
  hr: HrClient;
}

/** A term's dates, read and checked against the kind's terms. */
function readTerm(kind: LicenceRow['kind'], input: { validFrom: string; validUntil?: string | null }) {
  const validFrom = readDate(input.validFrom, 'validFrom');
  // Only an omitted end is long-term: "" is a bad date, not a licence for life.
  const validUntil = input.validUntil == null ? null : readDate(input.validUntil, 'validUntil');
  checkTerm(kind, validFrom, validUntil);
  return { validFrom, validUntil };
}

/** Runs `write` once per key in a transaction of its own; returns the licence id it gave the first time. */
async function idempotent(
  deps: PublicSecurityDeps,
  key: string,
  operation: string,
  payload: unknown,
  write: (tx: Db) => Promise<string>,
): Promise<string> {
  const { result } = await deps.db.transaction((tx) =>
    once(tx, idempotencyKeys, { key, operation, payload }, () => write(tx)),
  );
  return result;
}

export interface RecordDrivingLicenceInput {
  idempotencyKey: string;
  holder: HolderRef;
  licenceNumber: string;
  vehicleClass: string;
  issuer: string;
  validFrom: string;
  validUntil?: string | null;
  points?: number | null;
}

export async function recordDrivingLicence(
  deps: PublicSecurityDeps,
  input: RecordDrivingLicenceInput,
): Promise<string> {
  const licenceNumber = readLicenceNumber(input.licenceNumber);
  const vehicleClass = readVehicleClass(input.vehicleClass);
  const issuer = readCityCode(input.issuer, 'issuer');
  const term = readTerm('DRIVING_LICENCE', input);
  const points = readPoints(input.points ?? 0);
  const holderId = await resolveHolderRef(deps.hr, input.holder);
  // Normalised, so a retry naming the holder by card instead of id is the same request.
  const command = { holderId, licenceNumber, vehicleClass, issuer, ...term, points };
  return idempotent(deps, input.idempotencyKey, 'recordDrivingLicence', command, async (tx) => {
    if (await repo.lockLicenceOf(tx, holderId, 'DRIVING_LICENCE'))
      throw badInput('The holder has a driving licence already: renew it instead', 'holder');
    const row = await repo.insertLicence(tx, { ...command, kind: 'DRIVING_LICENCE', status: 'VALID' });
    if (!row) throw badInput(`Licence ${licenceNumber} is recorded for someone already`, 'licenceNumber');
    return row.id;
  });
}

/** The driving licence with this number, locked; NOT_FOUND when none; BAD_USER_INPUT when its status forbids `what`. */
async function lockDrivingLicence(tx: Db, licenceNumber: string, allowed: StoredLicenceStatus[], what: string) {
  const row = await repo.lockLicenceByNumber(tx, licenceNumber);
  if (!row) throw hubError(ErrorCode.NOT_FOUND, `No driving licence with number ${licenceNumber}`);
  if (!allowed.includes(row.status))
    throw hubError(ErrorCode.BAD_USER_INPUT, `Licence ${licenceNumber} is ${row.status}: it cannot be ${what}`, {
      field: 'licenceNumber',
      status: row.status,
    });
  return row;
}

export interface RenewDrivingLicenceInput {
  idempotencyKey: string;
  licenceNumber: string;
  validFrom: string;
  validUntil?: string | null;
  /** A renewal may change the classes (an upgrade or a downgrade); omitted, they stay. */
  vehicleClass?: string | null;
}

export async function renewDrivingLicence(deps: PublicSecurityDeps, input: RenewDrivingLicenceInput): Promise<string> {
  const licenceNumber = readLicenceNumber(input.licenceNumber);
  const term = readTerm('DRIVING_LICENCE', input);
  // Only omitted classes stay: "" is bad input, not "no change".
  const vehicleClass = input.vehicleClass == null ? null : readVehicleClass(input.vehicleClass);
  const command = { licenceNumber, ...term, vehicleClass };
  return idempotent(deps, input.idempotencyKey, 'renewDrivingLicence', command, async (tx) => {
    // A suspended licence is reinstated first; a revoked one is gone.
    const row = await lockDrivingLicence(tx, licenceNumber, ['VALID'], 'renewed');
    if (term.validFrom < row.validFrom)
      throw badInput(`validFrom must not be before the current term's start, ${row.validFrom}`, 'validFrom');
    const changes = { ...term, ...(vehicleClass ? { vehicleClass } : {}) };
    return (await repo.updateLicence(tx, row.id, changes, new Date())).id;
  });
}

/** Where each status change may start from. */
const STATUS_CHANGES = {
  suspendDrivingLicence: { to: 'SUSPENDED', from: ['VALID'], what: 'suspended' },
  reinstateDrivingLicence: { to: 'VALID', from: ['SUSPENDED'], what: 'reinstated' },
  revokeDrivingLicence: { to: 'REVOKED', from: ['VALID', 'SUSPENDED'], what: 'revoked' },
} as const satisfies Record<string, { to: StoredLicenceStatus; from: StoredLicenceStatus[]; what: string }>;
export type StatusChange = keyof typeof STATUS_CHANGES;

export async function changeStatus(
  deps: PublicSecurityDeps,
  operation: StatusChange,
  input: { idempotencyKey: string; licenceNumber: string; reason: string },
): Promise<string> {
  const licenceNumber = readLicenceNumber(input.licenceNumber);
  const reason = readText(input.reason, 'reason', 500);
  const { to, from, what } = STATUS_CHANGES[operation];
  return idempotent(deps, input.idempotencyKey, operation, { licenceNumber, reason }, async (tx) => {
    const row = await lockDrivingLicence(tx, licenceNumber, [...from], what);
    const at = new Date();
    return (await repo.updateLicence(tx, row.id, { status: to, statusReason: reason, statusChangedAt: at }, at)).id;
  });
}

export async function setPoints(
  deps: PublicSecurityDeps,
  input: { idempotencyKey: string; licenceNumber: string; points: number },
): Promise<string> {
  const licenceNumber = readLicenceNumber(input.licenceNumber);
  const points = readPoints(input.points);
  return idempotent(deps, input.idempotencyKey, 'setDrivingLicencePoints', { licenceNumber, points }, async (tx) => {
    const row = await lockDrivingLicence(tx, licenceNumber, ['VALID', 'SUSPENDED'], 'given points');
    return (await repo.updateLicence(tx, row.id, { points }, new Date())).id;
  });
}

export interface RecordResidentIdCardInput {
  idempotencyKey: string;
  holder: HolderRef;
  validFrom: string;
  validUntil?: string | null;
}

/** The holder's ID card as now issued: a new card's term replaces the last one's. */
export async function recordResidentIdCard(
  deps: PublicSecurityDeps,
  input: RecordResidentIdCardInput,
): Promise<string> {
  const term = readTerm('RESIDENT_ID_CARD', input);
  const holderId = await resolveHolderRef(deps.hr, input.holder);
  return idempotent(deps, input.idempotencyKey, 'recordResidentIdCard', { holderId, ...term }, async (tx) => {
    const current = await repo.lockLicenceOf(tx, holderId, 'RESIDENT_ID_CARD');
    if (!current) {
      const row = await repo.insertLicence(tx, { holderId, kind: 'RESIDENT_ID_CARD', status: 'VALID', ...term });
      // Only a concurrent first record of the same holder's card takes the row between the lock and the insert.
      if (!row)
        throw hubError(ErrorCode.BAD_USER_INPUT, 'The holder’s ID card was recorded meanwhile; retry', {
          field: 'holder',
        });
      return row.id;
    }
    if (term.validFrom < current.validFrom)
      throw badInput(`validFrom must not be before the recorded card's, ${current.validFrom}`, 'validFrom');
    return (await repo.updateLicence(tx, current.id, term, new Date())).id;
  });
}
