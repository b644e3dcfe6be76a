// The caller as a subgraph call carries it (CALLER_HEADER): the claims the subgraphs read and the signature covers.
import { encodeClaims } from '../../core/protocol/gateway-proof.js';
import type { Caller } from '../caller.js';

/** The CALLER_HEADER value for the subgraph calls made on `caller`'s behalf. */
export function callerHeaderOf(caller: Caller): string {
  return encodeClaims({
    requestId: caller.requestId,
    client: caller.client.id,
    kind: caller.client.kind,
    city: caller.client.city,
    domain: caller.client.domain,
    purpose: caller.purpose,
    operator: caller.operator,
    caseRef: caller.caseRef,
    place: caller.place,
  });
}
