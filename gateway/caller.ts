// Who is asking, and why: established for every request before anything else runs (gateway/context.ts), then
// read by the policy steps, the subgraph calls (signed into a header) and, later, the audit record.
import type { Purpose } from '../schema/policy/purposes.js';
import type { Client } from '../store/clients/client.js';
import type { ServedAccess } from './audit/access-collector.js';
import type { FieldAccess } from './policy/field-access.js';

export interface Caller {
  client: Client;
  purpose: Purpose;
  /** X-Operator: the acting person at the client; null where the purpose needs none and none was given. */
  operator: string | null;
  /** X-Case-Ref: the case served; null where the purpose needs none and none was given. */
  caseRef: string | null;
  /** X-Place: where the operator acts (a front desk, a counter, a terminal); null when not given. */
  place: string | null;
  /** Unique per request; travels to the subgraphs and the audit record. */
  requestId: string;
}

/**
 * The gateway's per-request context value, made with the caller (gateway/context.ts). Apollo Server hands this very
 * object to its plugins (`contextValue`), to the executor (the field policy) and to every subgraph call, so what one
 * step of the request writes here the next one reads. HTTP batching, which would share one context among a batch's
 * operations, is off (Apollo's default, which server.ts keeps).
 */
export interface GatewayContext {
  caller: Caller;
  /** The caller as every subgraph call of the request carries it (CALLER_HEADER): encoded once, not per call. */
  callerHeader: string;
  /** What the request's audit record is made of besides the caller and the answer, written as the request runs. */
  audit: RequestAudit;
}

/** Written by the field policy and the subgraph calls, read by the audit plugin (plugins/audit.ts). */
export interface RequestAudit {
  /** What the field policy decided for the operation (policy/policy-gateway.ts); set once it is executed. */
  fieldAccess?: FieldAccess;
  /**
   * What the subgraphs reported serving (audit/access-collector.ts), merged across every fetch of the query plan;
   * undefined until one reports.
   */
  served?: ServedAccess;
}
