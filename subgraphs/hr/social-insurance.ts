// Social insurance on the card (Art 7(1)): enrolments per scheme and their monthly contributions. Each write is one
// transaction, once per idempotency key (idempotent.ts); the holder is locked first, as every hr command does.
import { ErrorCode, badInput, hubError } from '../../core/protocol/errors.js';
import { readCityCode } from '../kit/cities.js';
import { isUuid, readText } from '../kit/text.js';
import { chinaDate, readDate } from '../kit/time.js';
import { lockHolder, now, type HrDeps } from './commands.js';
import {
  ENROLMENT_STATUSES,
  INSURANCE_SCHEMES,
  socialInsuranceEnrolments,
  type EnrolmentRow,
  type EnrolmentStatus,
  type InsuranceScheme,
} from './e-file-tables.js';
import { monthOf, readEmployerCode, readFen, readMonth, readPeriod, readChoice } from './e-file-inputs.js';
import * as repo from './e-file-repository.js';
import { writeOnce } from './idempotent.js';
import { checkIdNumber } from './inputs.js';
import { lockHolderById } from './repository.js';

export interface EnrolSocialInsuranceInput {
  idempotencyKey: string;
  idNumber: string;
  scheme: InsuranceScheme;
  city: string;
  employerName?: string | null;
  employerCode?: string | null;
  status?: EnrolmentStatus | null;
  startDate: string;
  endDate?: string | null;
}

const ENROLMENT = {
  store: (row: EnrolmentRow) => row.id,
  load: async (tx: HrDeps['db'], id: string) => (await repo.findEnrolmentsByIds(tx, [id]))[0]!,
};

export async function enrolSocialInsurance(deps: HrDeps, input: EnrolSocialInsuranceInput): Promise<EnrolmentRow> {
  const idNumber = checkIdNumber(input.idNumber);
  const scheme = readChoice(input.scheme, INSURANCE_SCHEMES, 'scheme');
  const status = readChoice(input.status ?? 'ACTIVE', ENROLMENT_STATUSES, 'status');
  const city = readCityCode(input.city, 'city');
  const employerName = input.employerName == null ? null : readText(input.employerName, 'employerName');
  const employerCode = input.employerCode == null ? null : readEmployerCode(input.employerCode);
  if (employerCode && !employerName) throw badInput('employerCode is given with employerName', 'employerName');
  const { start, end } = readPeriod(input.startDate, input.endDate);
  // An end date is what terminates an enrolment: one without the other would say two things.
  if (status === 'TERMINATED' && !end) throw badInput('A TERMINATED enrolment needs endDate', 'endDate');
  if (status !== 'TERMINATED' && end)
    throw badInput(`endDate belongs to TERMINATED enrolments, not ${status}`, 'endDate');

  const payload = { idNumber, scheme, status, city, employerName, employerCode, startDate: start, endDate: end };
  const request = { key: input.idempotencyKey, operation: 'enrolSocialInsurance', payload };
  return writeOnce(deps.db, request, ENROLMENT, async (tx) => {
    const holder = await lockHolder(tx, idNumber);
    // One live enrolment per scheme: two would each take the same months. The holder's lock queues a concurrent
    // enrolment behind this one, which then sees it; a TERMINATED one is history, and any number may stand.
    const live = status === 'TERMINATED' ? undefined : await repo.liveEnrolmentOf(tx, holder.id, scheme);
    if (live)
      throw hubError(
        ErrorCode.BAD_USER_INPUT,
        `The holder is already enrolled in ${scheme} (${live.status}): suspend, resume or terminate that enrolment`,
        { field: 'scheme', enrolmentId: live.id },
      );
    return repo.insertRow(tx, socialInsuranceEnrolments, {
      holderId: holder.id,
      scheme,
      status,
      city,
      employerName,
      employerCode,
      startDate: start,
      endDate: end,
    });
  });
}

export interface RecordContributionInput {
  idempotencyKey: string;
  enrolmentId: string;
  month: string;
  employerFen: number;
  personalFen: number;
}

const CONTRIBUTION = {
  store: ({ contribution }: repo.ContributionWithEnrolment) => contribution.id,
  load: (tx: HrDeps['db'], id: string) => repo.findContributionWithEnrolment(tx, id),
};

export async function recordContribution(
  deps: HrDeps,
  input: RecordContributionInput,
): Promise<repo.ContributionWithEnrolment> {
  if (!isUuid(input.enrolmentId)) throw badInput('enrolmentId is not an enrolment id', 'enrolmentId');
  const { month, at } = readMonth(input.month);
  if (month > chinaDate(now(deps)).slice(0, 7)) throw badInput('month has not begun yet', 'month');
  const employerFen = readFen(input.employerFen, 'employerFen');
  const personalFen = readFen(input.personalFen, 'personalFen');

  const payload = { enrolmentId: input.enrolmentId.toLowerCase(), month, employerFen, personalFen };
  const request = { key: input.idempotencyKey, operation: 'recordSocialInsuranceContribution', payload };
  return writeOnce(deps.db, request, CONTRIBUTION, async (tx) => {
    const found = (await repo.findEnrolmentsByIds(tx, [payload.enrolmentId]))[0];
    if (!found) throw hubError(ErrorCode.NOT_FOUND, 'No social insurance enrolment with this id');
    // The holder first, then the enrolment: the lock order of every hr command.
    await lockHolderById(tx, found.holderId);
    const enrolment = (await repo.lockEnrolment(tx, found.id))!;
    if (enrolment.status === 'SUSPENDED')
      throw badInput('The enrolment is SUSPENDED: contributions are paused until it is ACTIVE again', 'enrolmentId');
    if (month < enrolment.startDate.slice(0, 7) || (enrolment.endDate && month > enrolment.endDate.slice(0, 7)))
      throw badInput(
        `month ${month} is outside the enrolment (${enrolment.startDate} to ${enrolment.endDate ?? 'now'})`,
        'month',
      );
    const contribution = await repo.insertContribution(tx, {
      holderId: enrolment.holderId,
      enrolmentId: enrolment.id,
      month: at,
      employerFen,
      personalFen,
    });
    if (!contribution) throw badInput(`The enrolment's contribution for ${monthOf(at)} is already recorded`, 'month');
    return { contribution, enrolment };
  });
}

export interface ChangeEnrolmentStatusInput {
  idempotencyKey: string;
  enrolmentId: string;
  status: EnrolmentStatus;
  endDate?: string | null;
}

/** Suspends, resumes or terminates an enrolment; a TERMINATED one is final (a new job is a new enrolment). */
export async function changeEnrolmentStatus(deps: HrDeps, input: ChangeEnrolmentStatusInput): Promise<EnrolmentRow> {
  if (!isUuid(input.enrolmentId)) throw badInput('enrolmentId is not an enrolment id', 'enrolmentId');
  const status = readChoice(input.status, ENROLMENT_STATUSES, 'status');
  const endDate = input.endDate == null ? null : readDate(input.endDate, 'endDate');
  if (status === 'TERMINATED' && !endDate) throw badInput('A TERMINATED enrolment needs endDate', 'endDate');
  if (status !== 'TERMINATED' && endDate)
    throw badInput(`endDate belongs to TERMINATED enrolments, not ${status}`, 'endDate');

  const enrolmentId = input.enrolmentId.toLowerCase();
  const request = {
    key: input.idempotencyKey,
    operation: 'changeSocialInsuranceEnrolmentStatus',
    payload: { enrolmentId, status, endDate },
  };
  return writeOnce(deps.db, request, ENROLMENT, async (tx) => {
    const found = (await repo.findEnrolmentsByIds(tx, [enrolmentId]))[0];
    if (!found) throw hubError(ErrorCode.NOT_FOUND, 'No social insurance enrolment with this id');
    await lockHolderById(tx, found.holderId);
    const enrolment = (await repo.lockEnrolment(tx, found.id))!;
    if (enrolment.status === 'TERMINATED')
      throw badInput('The enrolment is TERMINATED: enrol again for a new period', 'status');
    if (enrolment.status === status) throw badInput(`The enrolment is already ${status}`, 'status');
    if (endDate && endDate < enrolment.startDate)
      throw badInput(`endDate must not be before the enrolment's startDate (${enrolment.startDate})`, 'endDate');
    const latest = endDate ? await repo.latestContributionMonth(tx, enrolment.id) : null;
    // Months already paid stay inside the enrolment they were paid into.
    if (endDate && latest && endDate.slice(0, 7) < monthOf(latest))
      throw badInput(`endDate must not be before the last month contributed (${monthOf(latest)})`, 'endDate');
    return repo.updateEnrolmentStatus(tx, enrolment.id, status, endDate);
  });
}
