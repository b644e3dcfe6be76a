// What the tests and the bench both send the hub: the documents, who sends them, and the headers and subgraph
// claims that say so. The bench measures what the tests check (the statements the batching test counts for
// HOLDERS_ALL_DOMAINS are the SQL/request the bench reports for scenario 3), so both read them from here. Plain
// data and pure functions only: the bench's own process imports this file, outside vitest and without a hub.
import type { CallerClaims } from '../../core/protocol/gateway-proof.js';

// ---- documents ---------------------------------------------------------------------------------------------------

/** Holder-level fields of all five department subgraphs, with nested lookups (card → events, bank; visit → institution). */
export const ALL_DOMAINS = `
  id name registeredCity
  bankAccount { bank { name } }
  cards { cardNumber status events { type } physicalCard { cardNumber } }
  preferentialCertificates { nodes { kind status } }
  concessionCertificates { kind }
  reliefEntitlements { nodes { kind monthlyAmount } }
  transitFunctions { city operator }
  rides(first: 5) { nodes { mode fare } pageInfo { hasNextPage } }
  medicalVisits(first: 5) { nodes { kind diagnoses institution { name } settlement { total } } }
  healthRecords(first: 5) { nodes { summary } }
  venueAdmissions(first: 5) { nodes { concession venue { name } } }
  libraryLoans(first: 5) { nodes { title venue { name } } }`;

/** One holder, every department's fields (the bench's scenario 2). */
export const HOLDER_ALL_DOMAINS = `query Holder($id: String!) { holder(idNumber: $id) { ${ALL_DOMAINS} } }`;

/** Many holders in one list, every department's fields (the bench's scenario 3; the batching test's statement count). */
export const HOLDERS_ALL_DOMAINS = `query Holders($ids: [String!]!) { holders(idNumbers: $ids) { ${ALL_DOMAINS} } }`;

/** What a turnstile asks of a RideAuthorization: the decision and the concession it grants. */
export const RIDE_DECISION = 'allowed refusal concession discountPercent';

// ---- callers -----------------------------------------------------------------------------------------------------

/** Who a request comes from and why. */
export interface Identity {
  client: string;
  purpose: string;
  /** X-Operator; a clerk by default. `null` sends none. */
  operator?: string | null;
  /** X-Case-Ref; a case by default. `null` sends none. */
  caseRef?: string | null;
  /** X-Place; none by default. */
  place?: string | null;
}

/** The provincial platform serving the holder (HOLDER_SELF_SERVICE: every field, unmasked): the tests' reader, the bench's. */
export const READER: Identity = { client: 'province', purpose: 'HOLDER_SELF_SERVICE' };

/** The headers a request from `identity` carries, with a token for its client. */
export function gatewayHeaders(token: string, identity: Identity): Record<string, string> {
  const operator = identity.operator === undefined ? 'clerk-0001' : identity.operator;
  const caseRef = identity.caseRef === undefined ? 'CASE-2026-0001' : identity.caseRef;
  return {
    'content-type': 'application/json',
    authorization: `Bearer ${token}`,
    'x-purpose': identity.purpose,
    ...(operator ? { 'x-operator': operator } : {}),
    ...(caseRef ? { 'x-case-ref': caseRef } : {}),
    ...(identity.place ? { 'x-place': identity.place } : {}),
  };
}

/** The claims the gateway signs for READER's requests, as a subgraph receives them (bar the request, operator and case). */
export const READER_CLAIMS = {
  client: READER.client,
  kind: 'PROVINCE',
  city: null,
  domain: null,
  purpose: READER.purpose,
} as const satisfies Omit<CallerClaims, 'requestId' | 'operator' | 'caseRef'>;
