// Who is asking, and why: established for every request before anything else runs (gateway/context.ts), then
// read by the policy steps, the subgraph calls (signed into a header) and, later, the audit record.
import type { Purpose } from './policy/purposes.js';

export const CLIENT_KINDS = ['PROVINCE', 'CITY', 'DEPARTMENT', 'GOVERNANCE'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

export type ClientStatus = 'ACTIVE' | 'SUSPENDED';

/** An entry in the client register (gateway/clients). */
export interface Client {
  id: string;
  kind: ClientKind;
  name: string;
  /** City platforms only: the city code they serve, e.g. 440100. */
  city: string | null;
  /** Departments only: the subgraph whose data they own and may write, e.g. `health`. */
  domain: string | null;
  purposes: Purpose[];
  status: ClientStatus;
  /** Requests allowed per minute; more are refused with RATE_LIMITED. */
  requestsPerMinute: number;
}

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
