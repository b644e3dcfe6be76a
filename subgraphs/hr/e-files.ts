// The HR e-file library (Art 15): employment and unemployment periods, training and skill evaluations, titles and
// qualifications, electronic labour contracts. Each write checks its input, then in one transaction, once per
// idempotency key (idempotent.ts), locks the holder and appends one entry; entries are never changed.
import { badInput } from '../../core/protocol/errors.js';
import { readCityCode } from '../kit/cities.js';
import { readText } from '../kit/text.js';
import { readPastInstant } from '../kit/time.js';
import { lockHolder, now, type HrDeps } from './commands.js';
import { readChoice, readEmployerCode, readPastDate, readPeriod, readSha256 } from './e-file-inputs.js';
import * as repo from './e-file-repository.js';
import {
  CONTRACT_TERMS,
  EMPLOYMENT_KINDS,
  QUALIFICATION_KINDS,
  TITLE_LEVELS,
  TRAINING_KINDS,
  type ContractTerm,
  type EmploymentKind,
  type QualificationKind,
  type TitleLevel,
  type TrainingKind,
} from './e-file-tables.js';
import { writeOnce } from './idempotent.js';
import { checkIdNumber } from './inputs.js';

type Tables = typeof repo.E_FILE_TABLES;

/** Writes `row` for the holder with `idNumber` into `table`, once per key; a replay reads the row back. */
function append<K extends keyof Tables>(
  deps: HrDeps,
  operation: string,
  key: string,
  table: K,
  idNumber: string,
  row: Omit<Tables[K]['$inferInsert'], 'holderId'>,
): Promise<Tables[K]['$inferSelect']> {
  const target = repo.E_FILE_TABLES[table];
  const ledger = {
    store: (written: { id: string }) => written.id,
    load: (tx: HrDeps['db'], id: string) => repo.findById(tx, target, id),
  };
  return writeOnce(deps.db, { key, operation, payload: { idNumber, ...row } }, ledger, async (tx) => {
    const holder = await lockHolder(tx, idNumber);
    return repo.insertRow(tx, target, { ...row, holderId: holder.id } as Tables[K]['$inferInsert']);
  }) as Promise<Tables[K]['$inferSelect']>;
}

const optionalText = (value: string | null | undefined, field: string, max = 100) =>
  value == null ? null : readText(value, field, max);
const optionalCode = (value: string | null | undefined) => (value == null ? null : readEmployerCode(value));

export interface RecordEmploymentPeriodInput {
  idempotencyKey: string;
  idNumber: string;
  kind: EmploymentKind;
  employerName?: string | null;
  employerCode?: string | null;
  city: string;
  startDate: string;
  endDate?: string | null;
}

export function recordEmploymentPeriod(deps: HrDeps, input: RecordEmploymentPeriodInput) {
  const idNumber = checkIdNumber(input.idNumber);
  const kind = readChoice(input.kind, EMPLOYMENT_KINDS, 'kind');
  const employerName = optionalText(input.employerName, 'employerName');
  const employerCode = optionalCode(input.employerCode);
  if (kind === 'EMPLOYED' && !employerName) throw badInput('An EMPLOYED period needs employerName', 'employerName');
  if (kind === 'UNEMPLOYED' && (employerName || employerCode))
    throw badInput('An UNEMPLOYED period has no employer', employerName ? 'employerName' : 'employerCode');
  const city = readCityCode(input.city, 'city');
  const { start, end } = readPeriod(input.startDate, input.endDate);
  return append(deps, 'recordEmploymentPeriod', input.idempotencyKey, 'employmentPeriods', idNumber, {
    kind,
    employerName,
    employerCode,
    city,
    startDate: start,
    endDate: end,
  });
}

export interface RecordTrainingInput {
  idempotencyKey: string;
  idNumber: string;
  kind: TrainingKind;
  occupation: string;
  provider: string;
  skillLevel?: number | null;
  certificateNumber?: string | null;
  completedOn: string;
}

export function recordTraining(deps: HrDeps, input: RecordTrainingInput) {
  const idNumber = checkIdNumber(input.idNumber);
  const kind = readChoice(input.kind, TRAINING_KINDS, 'kind');
  const skillLevel = input.skillLevel ?? null;
  if (skillLevel !== null && (!Number.isInteger(skillLevel) || skillLevel < 1 || skillLevel > 5))
    throw badInput('skillLevel must be 1 (高级技师) to 5 (初级工)', 'skillLevel');
  if (kind === 'SKILL_EVALUATION' && skillLevel === null)
    throw badInput('A SKILL_EVALUATION needs skillLevel', 'skillLevel');
  return append(deps, 'recordTraining', input.idempotencyKey, 'trainingRecords', idNumber, {
    kind,
    occupation: readText(input.occupation, 'occupation'),
    provider: readText(input.provider, 'provider'),
    skillLevel,
    certificateNumber: optionalText(input.certificateNumber, 'certificateNumber', 40),
    completedOn: readPastDate(input.completedOn, 'completedOn', now(deps)),
  });
}

export interface RecordQualificationInput {
  idempotencyKey: string;
  idNumber: string;
  kind: QualificationKind;
  name: string;
  level?: TitleLevel | null;
  issuer: string;
  certificateNumber?: string | null;
  awardedOn: string;
}

export function recordQualification(deps: HrDeps, input: RecordQualificationInput) {
  const idNumber = checkIdNumber(input.idNumber);
  const kind = readChoice(input.kind, QUALIFICATION_KINDS, 'kind');
  const level = input.level == null ? null : readChoice(input.level, TITLE_LEVELS, 'level');
  if (kind === 'PROFESSIONAL_TITLE' && !level) throw badInput('A PROFESSIONAL_TITLE needs level', 'level');
  if (kind === 'QUALIFICATION' && level) throw badInput('level belongs to professional titles', 'level');
  return append(deps, 'recordQualification', input.idempotencyKey, 'qualifications', idNumber, {
    kind,
    name: readText(input.name, 'name'),
    level,
    issuer: readText(input.issuer, 'issuer'),
    certificateNumber: optionalText(input.certificateNumber, 'certificateNumber', 40),
    awardedOn: readPastDate(input.awardedOn, 'awardedOn', now(deps)),
  });
}

export interface RecordLabourContractInput {
  idempotencyKey: string;
  idNumber: string;
  employerName: string;
  employerCode: string;
  term: ContractTerm;
  startDate: string;
  endDate?: string | null;
  signedAt: string;
  documentSha256: string;
}

export function recordLabourContract(deps: HrDeps, input: RecordLabourContractInput) {
  const idNumber = checkIdNumber(input.idNumber);
  const term = readChoice(input.term, CONTRACT_TERMS, 'term');
  const { start, end } = readPeriod(input.startDate, input.endDate);
  // Labour Contract Law Art 13-15: a fixed term has an end date, an open-ended contract none.
  if (term === 'FIXED_TERM' && !end) throw badInput('A FIXED_TERM contract needs endDate', 'endDate');
  if (term === 'OPEN_ENDED' && end) throw badInput('An OPEN_ENDED contract has no endDate', 'endDate');
  const signedAt = readPastInstant(input.signedAt, 'signedAt', now(deps).getTime());
  return append(deps, 'recordLabourContract', input.idempotencyKey, 'labourContracts', idNumber, {
    employerName: readText(input.employerName, 'employerName'),
    employerCode: readEmployerCode(input.employerCode),
    term,
    startDate: start,
    endDate: end,
    // As the column keeps it (to the millisecond), so a replay's payload compares equal.
    signedAt: new Date(signedAt.getTime()),
    documentSha256: readSha256(input.documentSha256),
  });
}
