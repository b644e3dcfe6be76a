// What the social insurance tests send: who asks, the documents, and inputs valid unless a test changes them.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { GraphQLResponse, Identity, TestHub } from './hub.js';

export const SELF: Identity = { client: 'province', purpose: 'HOLDER_SELF_SERVICE' };
export const SOCIAL_INSURANCE: Identity = { client: 'dept-hr', purpose: 'SOCIAL_INSURANCE' };
export const HR_SERVICE: Identity = { client: 'dept-hr', purpose: 'HR_SERVICE' };
export const TRANSIT: Identity = { client: 'dept-transport', purpose: 'TRANSIT', operator: null, caseRef: null };

export const ENROL = `mutation($input: EnrolSocialInsuranceInput!) { enrolSocialInsurance(input: $input) {
  id scheme city employerName employerCode status startDate endDate recordedAt } }`;
export const CONTRIBUTE = `mutation($input: RecordContributionInput!) { recordSocialInsuranceContribution(input: $input) {
  id month scheme employerFen personalFen totalFen enrolment { id scheme } } }`;
export const READ = `query($id: String!, $first: Int, $after: String) { holder(idNumber: $id) {
  socialInsuranceEnrolments { nodes { id scheme status employerName } }
  socialInsuranceContributions(first: $first, after: $after) {
    nodes { month scheme employerFen personalFen totalFen enrolment { scheme city } } pageInfo { hasNextPage endCursor } } } }`;

/** A valid unified social credit code (its check character is right). */
export const EMPLOYER_CODE = '91440101MA59ABCD1D';

export const enrolInput = (idNumber: string, extra: Record<string, unknown> = {}) => ({
  idempotencyKey: randomUUID(),
  idNumber,
  scheme: 'PENSION',
  city: '440100',
  employerName: '广州市测试科技有限公司',
  employerCode: EMPLOYER_CODE,
  startDate: '2024-01-15',
  ...extra,
});
export const contributionInput = (enrolmentId: string, month: string, extra: Record<string, unknown> = {}) => ({
  idempotencyKey: randomUUID(),
  enrolmentId,
  month,
  employerFen: 128_000,
  personalFen: 64_000,
  ...extra,
});

/** The first error's extensions, failing if the answer has none. */
export function firstError(result: GraphQLResponse) {
  expect(result.errors?.length, JSON.stringify(result)).toBeGreaterThan(0);
  return result.errors![0]!.extensions;
}

/** Enrols the holder (as the HR department); the enrolment's fields as ENROL reads them. */
export async function enrol(hub: TestHub, idNumber: string, extra: Record<string, unknown> = {}) {
  return (await hub.ok(ENROL, { input: enrolInput(idNumber, extra) })).enrolSocialInsurance;
}
