// The health departments' writes: institutions, visits with their settlements, and record index entries.
// Each checks its input, resolves the holder with hr (an HTTP call, so before any transaction opens), then writes
// once per idempotency key in one transaction, returning the id of what it created.
import { readCityCode } from '../kit/cities.js';
import type { Db } from '../../core/database.js';
import { ErrorCode, badInput, hubError } from '../../core/protocol/errors.js';
import { resolveHolderRef, type HolderRef, type HrClient } from '../kit/hr-client.js';
import { once } from '../kit/idempotency.js';
import { quote, readText } from '../kit/text.js';
import { readPastInstant } from '../kit/time.js';
import { readDiagnoses } from './icd10.js';
import * as repo from './repository.js';
import { readSettlement, type SettlementInput } from './settlement.js';
import {
  idempotencyKeys,
  type InstitutionLevel,
  type InstitutionRow,
  type RecordType,
  type VisitKind,
} from './tables.js';

export interface HealthDeps {
  db: Db;
  hr: HrClient;
}

// ---- input checks ----

/**
 * A time at which something already happened (a visit, an admission, a record), as a UTC ISO string: comparable
 * as text, and the same in the idempotency ledger's hash however the caller wrote the offset. Visits and records
 * are reported after the fact, so a time beyond the clock skew ahead of ours is refused.
 */
const readPastTime = (value: string, field: string): string => readPastInstant(value, field).toISOString();
const readOptionalPastTime = (value: string | null | undefined, field: string) =>
  value ? readPastTime(value, field) : null;
const dateOrNull = (iso: string | null) => (iso ? new Date(iso) : null);

/** H + a 6-digit division code + a 5-digit serial, as the medical insurance administration numbers institutions. */
const INSTITUTION_CODE = /^H\d{11}$/;

/** An institution code from a caller (case and padding do not matter), or BAD_USER_INPUT naming the field. */
function readInstitutionCode(raw: string, field: string): string {
  const code = raw.trim().toUpperCase();
  if (!INSTITUTION_CODE.test(code))
    throw badInput(`Institution code ${quote(raw)} is malformed: expected H and 11 digits, e.g. H44010000001`, field);
  return code;
}

/** A new institution's code, which must lie in its city. */
function readNewInstitutionCode(raw: string, city: string): string {
  const code = readInstitutionCode(raw, 'code');
  if (code.slice(1, 5) !== city.slice(0, 4))
    throw badInput(
      `Institution code ${code} does not lie in city ${city}: its division code must start ${city.slice(0, 4)}`,
      'code',
    );
  return code;
}

/** `code` has been through readInstitutionCode. */
async function institutionOrFail(tx: Db, code: string): Promise<InstitutionRow> {
  const institution = await repo.findInstitutionByCode(tx, code);
  if (!institution) {
    throw hubError(
      ErrorCode.NOT_FOUND,
      `No medical institution with code ${code}; register it with registerMedicalInstitution first`,
      { field: 'institutionCode' },
    );
  }
  return institution;
}

// ---- institutions ----

export interface RegisterInstitutionInput {
  idempotencyKey: string;
  code: string;
  name: string;
  city: string;
  level: InstitutionLevel;
}

export async function registerInstitution(deps: HealthDeps, input: RegisterInstitutionInput): Promise<string> {
  const city = readCityCode(input.city, 'city');
  const institution = {
    code: readNewInstitutionCode(input.code, city),
    name: readText(input.name, 'name', 100),
    city,
    level: input.level,
  };
  const { result } = await deps.db.transaction((tx) =>
    once(
      tx,
      idempotencyKeys,
      { key: input.idempotencyKey, operation: 'registerMedicalInstitution', payload: institution },
      async () => {
        const row = await repo.insertInstitution(tx, institution);
        if (!row) throw badInput(`Medical institution ${institution.code} is already registered`, 'code');
        return row.id;
      },
    ),
  );
  return result;
}

// ---- visits ----

export interface RecordVisitInput {
  idempotencyKey: string;
  holder: HolderRef;
  institutionCode: string;
  kind: VisitKind;
  department: string;
  visitedAt: string;
  admittedAt?: string | null;
  dischargedAt?: string | null;
  diagnoses?: string[] | null;
  settlement?: SettlementInput | null;
}

/** The visit as it will be stored, or BAD_USER_INPUT naming the first field that is wrong. */
function readVisit(input: RecordVisitInput) {
  const institutionCode = readInstitutionCode(input.institutionCode, 'institutionCode');
  const visitedAt = readPastTime(input.visitedAt, 'visitedAt');
  const admittedAt = readOptionalPastTime(input.admittedAt, 'admittedAt');
  const dischargedAt = readOptionalPastTime(input.dischargedAt, 'dischargedAt');
  if (input.kind === 'INPATIENT') {
    if (!admittedAt) throw badInput('An INPATIENT visit needs admittedAt', 'admittedAt');
    if (dischargedAt && dischargedAt < admittedAt)
      throw badInput('dischargedAt must not be before admittedAt', 'dischargedAt');
    // Inpatient stays are settled at discharge (出院结算), so a settlement names a finished stay.
    if (input.settlement && !dischargedAt)
      throw badInput(
        'An inpatient stay is settled at discharge: give dischargedAt with the settlement',
        'dischargedAt',
      );
  } else if (admittedAt || dischargedAt) {
    throw badInput(
      `admittedAt and dischargedAt belong to INPATIENT visits, not ${input.kind}`,
      admittedAt ? 'admittedAt' : 'dischargedAt',
    );
  }
  const settlement = input.settlement
    ? {
        ...readSettlement(input.settlement),
        settledAt:
          readOptionalPastTime(input.settlement.settledAt, 'settlement.settledAt') ?? dischargedAt ?? visitedAt,
      }
    : null;
  return {
    institutionCode,
    kind: input.kind,
    department: readText(input.department, 'department', 50),
    visitedAt,
    admittedAt,
    dischargedAt,
    diagnoses: readDiagnoses(input.diagnoses),
    settlement,
  };
}

/** Records the visit, its diagnoses and its settlement together; returns the visit's id. */
export async function recordVisit(deps: HealthDeps, input: RecordVisitInput): Promise<string> {
  const visit = readVisit(input);
  const holderId = await resolveHolderRef(deps.hr, input.holder);
  const { result } = await deps.db.transaction((tx) =>
    // The key guards the normalised visit, so a retry naming the holder by card instead of id is the same request.
    once(
      tx,
      idempotencyKeys,
      { key: input.idempotencyKey, operation: 'recordMedicalVisit', payload: { ...visit, holderId } },
      async () => {
        const institution = await institutionOrFail(tx, visit.institutionCode);
        const row = await repo.insertVisit(tx, {
          kind: visit.kind,
          holderId,
          institutionId: institution.id,
          city: institution.city,
          department: visit.department,
          visitedAt: new Date(visit.visitedAt),
          admittedAt: dateOrNull(visit.admittedAt),
          dischargedAt: dateOrNull(visit.dischargedAt),
        });
        await repo.insertDiagnoses(tx, row.id, visit.diagnoses);
        if (visit.settlement)
          await repo.insertSettlement(tx, {
            visitId: row.id,
            ...visit.settlement,
            settledAt: new Date(visit.settlement.settledAt),
          });
        return row.id;
      },
    ),
  );
  return result;
}

// ---- the record index ----

export interface RecordHealthRecordInput {
  idempotencyKey: string;
  holder: HolderRef;
  type: RecordType;
  institutionCode: string;
  recordedAt: string;
  summary: string;
}

export async function recordHealthRecord(deps: HealthDeps, input: RecordHealthRecordInput): Promise<string> {
  const record = {
    type: input.type,
    institutionCode: readInstitutionCode(input.institutionCode, 'institutionCode'),
    recordedAt: readPastTime(input.recordedAt, 'recordedAt'),
    summary: readText(input.summary, 'summary', 500),
  };
  const holderId = await resolveHolderRef(deps.hr, input.holder);
  const { result } = await deps.db.transaction((tx) =>
    once(
      tx,
      idempotencyKeys,
      { key: input.idempotencyKey, operation: 'recordHealthRecord', payload: { ...record, holderId } },
      async () => {
        const institution = await institutionOrFail(tx, record.institutionCode);
        const row = await repo.insertRecord(tx, {
          holderId,
          type: record.type,
          institutionId: institution.id,
          recordedAt: new Date(record.recordedAt),
          summary: record.summary,
        });
        return row.id;
      },
    ),
  );
  return result;
}
