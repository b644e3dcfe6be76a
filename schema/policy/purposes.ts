// The purposes a caller may declare (X-Purpose) and what each asks of the request. Which purposes a client may
// use lives in its register entry; which fields a purpose may read lives in the subgraphs' SDL (@sensitive).
// The same names form the `Purpose` enum in schema/policy.graphql; the gateway refuses to start if they differ.

export const PURPOSES = [
  'SOCIAL_INSURANCE',
  'MEDICAL_SERVICE',
  'TRANSIT',
  'CULTURE_TOURISM',
  'BENEFIT_DISBURSEMENT',
  'IDENTITY_VERIFICATION',
  'PREFERENTIAL_TREATMENT',
  'HR_SERVICE',
  'HOLDER_SELF_SERVICE',
  'GOVERNANCE_AUDIT',
] as const;
export type Purpose = (typeof PURPOSES)[number];

export const isPurpose = (value: string): value is Purpose => (PURPOSES as readonly string[]).includes(value);

export interface PurposeRequirements {
  /** X-Operator: the person (or device) acting at the client, e.g. a counter clerk's id. */
  operator: boolean;
  /** X-Case-Ref: the case the access serves, e.g. a hospital admission number. */
  caseRef: boolean;
}

/**
 * Where a person acts for the client, the request names them; where access serves a case file, it names the case.
 * Turnstiles and venue gates act without a person, so TRANSIT and CULTURE_TOURISM need neither.
 */
export const PURPOSE_REQUIREMENTS: Record<Purpose, PurposeRequirements> = {
  SOCIAL_INSURANCE: { operator: true, caseRef: true },
  MEDICAL_SERVICE: { operator: true, caseRef: true },
  TRANSIT: { operator: false, caseRef: false },
  CULTURE_TOURISM: { operator: false, caseRef: false },
  BENEFIT_DISBURSEMENT: { operator: true, caseRef: true },
  IDENTITY_VERIFICATION: { operator: true, caseRef: false },
  PREFERENTIAL_TREATMENT: { operator: true, caseRef: false },
  HR_SERVICE: { operator: true, caseRef: false },
  HOLDER_SELF_SERVICE: { operator: true, caseRef: false },
  GOVERNANCE_AUDIT: { operator: true, caseRef: true },
};
