// Civil affairs' writes: certificates and relief entitlements. Each runs once per idempotency key.
import type { Db } from '../../core/database.js';
import { ErrorCode, badInput, hubError } from '../../core/protocol/errors.js';
import { readCityCode } from '../kit/cities.js';
import { readText } from '../kit/text.js';
import { resolveHolderRef, type HolderRef, type HrClient } from '../kit/hr-client.js';
import { once } from '../kit/idempotency.js';
import { readMoney } from '../kit/money.js';
import { readDate } from '../kit/time.js';
import * as repo from './repository.js';
import { idempotencyKeys, type CertificateKind, type ReliefKind } from './tables.js';

export interface CivilAffairsDeps {
  db: Db;
  hr: HrClient;
}

/** The issuing department's own certificate number. */
export function checkCertificateNumber(raw: string): string {
  const certificateNumber = raw.trim();
  if (!/^[\w-]{4,40}$/.test(certificateNumber))
    throw badInput('certificateNumber must be 4 to 40 letters, digits, _ or -', 'certificateNumber');
  return certificateNumber;
}

export interface IssueCertificateInput {
  idempotencyKey: string;
  holder: HolderRef;
  certificateNumber: string;
  kind: CertificateKind;
  disabilityLevel?: number | null;
  issuer: string;
  validFrom: string;
  validUntil?: string | null;
}

/** Returns the id of the certificate issued (the first time, for a replayed key). */
export async function issueCertificate(deps: CivilAffairsDeps, input: IssueCertificateInput): Promise<string> {
  const certificateNumber = checkCertificateNumber(input.certificateNumber);
  if (input.kind === 'DISABILITY') {
    if (!input.disabilityLevel || input.disabilityLevel < 1 || input.disabilityLevel > 4)
      throw badInput('A disability certificate needs disabilityLevel 1 to 4', 'disabilityLevel');
  } else if (input.disabilityLevel != null) {
    throw badInput('disabilityLevel belongs to disability certificates only', 'disabilityLevel');
  }
  const issuer = readCityCode(input.issuer, 'issuer', { province: true });
  const validFrom = readDate(input.validFrom, 'validFrom');
  const validUntil = input.validUntil ? readDate(input.validUntil, 'validUntil') : null;
  if (validUntil && validUntil < validFrom) throw badInput('validUntil must not be before validFrom', 'validUntil');
  const holderId = await resolveHolderRef(deps.hr, input.holder);

  // The normalised command, so a retry naming the holder by card instead of id is the same request.
  const command = {
    holderId,
    certificateNumber,
    kind: input.kind,
    disabilityLevel: input.disabilityLevel ?? null,
    issuer,
    validFrom,
    validUntil,
  };
  const { result } = await deps.db.transaction((tx) =>
    once(
      tx,
      idempotencyKeys,
      { key: input.idempotencyKey, operation: 'issuePreferentialCertificate', payload: command },
      async () => {
        const row = await repo.insertCertificate(tx, command);
        if (!row) throw badInput(`Certificate ${certificateNumber} has already been issued`, 'certificateNumber');
        return row.id;
      },
    ),
  );
  return result;
}

export async function revokeCertificate(
  deps: CivilAffairsDeps,
  input: { idempotencyKey: string; certificateNumber: string; reason: string },
): Promise<string> {
  const reason = readText(input.reason, 'reason', 500);
  const certificateNumber = checkCertificateNumber(input.certificateNumber);
  const { result } = await deps.db.transaction((tx) =>
    once(
      tx,
      idempotencyKeys,
      { key: input.idempotencyKey, operation: 'revokePreferentialCertificate', payload: { certificateNumber, reason } },
      async () => {
        const row = await repo.lockCertificate(tx, certificateNumber);
        if (!row) throw hubError(ErrorCode.NOT_FOUND, `No certificate with number ${certificateNumber}`);
        if (row.status === 'REVOKED')
          throw hubError(ErrorCode.BAD_USER_INPUT, `Certificate ${row.certificateNumber} is already revoked`, {
            field: 'certificateNumber',
          });
        return (await repo.revokeCertificate(tx, row.id, reason, new Date())).id;
      },
    ),
  );
  return result;
}

export interface GrantReliefInput {
  idempotencyKey: string;
  holder: HolderRef;
  kind: ReliefKind;
  monthlyAmount: string;
  periodStart: string;
  periodEnd?: string | null;
  city: string;
}

export async function grantRelief(deps: CivilAffairsDeps, input: GrantReliefInput): Promise<string> {
  const monthlyAmount = readMoney(input.monthlyAmount, 'monthlyAmount');
  const periodStart = readDate(input.periodStart, 'periodStart');
  const periodEnd = input.periodEnd ? readDate(input.periodEnd, 'periodEnd') : null;
  if (periodEnd && periodEnd < periodStart) throw badInput('periodEnd must not be before periodStart', 'periodEnd');
  readCityCode(input.city, 'city');
  const holderId = await resolveHolderRef(deps.hr, input.holder);
  const { result } = await deps.db.transaction((tx) =>
    once(
      tx,
      idempotencyKeys,
      {
        key: input.idempotencyKey,
        operation: 'grantReliefEntitlement',
        payload: { holderId, kind: input.kind, monthlyAmount, periodStart, periodEnd, city: input.city },
      },
      async () =>
        (
          await repo.insertRelief(tx, {
            holderId,
            kind: input.kind,
            monthlyAmount,
            periodStart,
            periodEnd,
            city: input.city,
          })
        ).id,
    ),
  );
  return result;
}
