// What the governance subgraph reads: the gateway's audit trail and client register (store/, which owns them).
// Re-exported so the subgraph reads like every other.
export {
  auditChains,
  auditRecords,
  auditVerifications,
  clients,
  type AuditRecordRow,
  type AuditVerificationRow,
  type ClientRow,
} from '../../store/tables.js';

/** What governance reads of an audit record's `access` column: per holder id, the coordinates served for them. */
export interface RecordedAccess {
  holders?: Record<string, string[]>;
}
