// Who is asking, and why: established for every request before anything else runs (gateway/context.ts), then
// read by the policy steps, the subgraph calls (signed into a header) and, later, the audit record.
import type { Purpose } from '../schema/policy/purposes.js';
import type { Client } from '../store/clients/client.js';

export interface Caller {
  client: Client;
  purpose: Purpose;
  /** X-Operator: the acting person at the client; null where the purpose needs none and none was given. */
  operator: string | null;
  /** X-Case-Ref: the case served; null where the purpose needs none and none was given. */
  caseRef: string | null;
  /** Unique per request; travels to the subgraphs and the audit record. */
  requestId: string;
}

/** The gateway's per-request context value. */
export interface GatewayContext {
  caller: Caller;
}
