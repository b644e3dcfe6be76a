// What the governance subgraph reads: the gateway's audit trail and client register, in the gateway's schema
// (`gateway`). Governance owns no tables: the gateway declares, creates and migrates them (gateway/tables.ts,
// migrations/gateway), and governance runs on the gateway's database with the gateway's migrations
// (subgraphs/index.ts, storeOf). Re-exported here so the subgraph reads like every other.
export {
  auditChains,
  auditRecords,
  auditVerifications,
  clients,
  type AuditRecordRow,
  type AuditVerificationRow,
  type ClientRow,
} from '../../gateway/tables.js';

/** What governance reads of an audit record's `access` column: per holder id, the coordinates served for them. */
export interface RecordedAccess {
  holders?: Record<string, string[]>;
}
