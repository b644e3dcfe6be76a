// Calls straight to a subgraph, signed as the gateway signs them (tests that look behind the gateway).
import {
  CALLER_HEADER,
  encodeClaims,
  signatureFor,
  SIGNATURE_HEADER,
  type CallerClaims,
} from '../../core/protocol/gateway-proof.js';
import { TEST_SUBGRAPH_SECRET } from './hub.js';
import { READER_CLAIMS } from './queries.js';

/** What the gateway signs for the reader's requests (the bench's plain gateway signs the same). */
export const GATEWAY_CLAIMS: CallerClaims = {
  requestId: '00000000-0000-4000-8000-000000000001',
  ...READER_CLAIMS,
  operator: 'clerk-0001',
  caseRef: null,
};

export async function callSubgraph(
  url: string,
  request: { query: string; variables?: Record<string, unknown> },
  claims: CallerClaims = GATEWAY_CLAIMS,
) {
  const body = JSON.stringify(request);
  const caller = encodeClaims(claims);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [CALLER_HEADER]: caller,
      [SIGNATURE_HEADER]: signatureFor(TEST_SUBGRAPH_SECRET, {
        method: 'POST',
        target: new URL(url).pathname,
        caller,
        body,
      }),
    },
    body,
  });
  return {
    status: res.status,
    body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] },
  };
}
