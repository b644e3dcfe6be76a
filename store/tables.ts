// The gateway's own tables, in the Postgres schema `gateway`: the client register and the audit trail.
// drizzle-kit turns this file into migrations/gateway (DRIZZLE_DOMAIN=gateway).
import { sql, type SQL } from 'drizzle-orm';
import {
  bigint,
  boolean,
  char,
  check,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { CLIENT_KINDS, type ClientStatus } from './clients/client.js';
import { PURPOSES } from '../schema/policy/purposes.js';

export const gateway = pgSchema('gateway');

export const CLIENT_STATUSES = ['ACTIVE', 'SUSPENDED'] as const satisfies readonly ClientStatus[];

// The checks are built from the TypeScript lists, so adding a purpose or kind there makes `npm run db:generate`
// produce the migration that widens the check.
const quoted = (values: readonly string[]): SQL => sql.raw(values.map((v) => `'${v}'`).join(', '));

const timestamps = (name: string) => timestamp(name, { withTimezone: true, precision: 3 }).notNull().defaultNow();

/** Who may call the gateway: one row per participating platform, department or oversight body. */
export const clients = gateway.table(
  'clients',
  {
    /** Sent by the client with every request; lowercase letters, digits and hyphens, e.g. `city-440100`. */
    id: text('id').primaryKey(),
    kind: text('kind', { enum: CLIENT_KINDS }).notNull(),
    name: text('name').notNull(),
    /** City platforms only: the city they serve. */
    city: char('city', { length: 6 }),
    /** Departments only: the subgraph whose data they own. */
    domain: text('domain'),
    /** What the client may declare as X-Purpose. */
    purposes: text('purposes', { enum: PURPOSES }).array().notNull(),
    status: text('status', { enum: CLIENT_STATUSES }).notNull().default('ACTIVE'),
    requestsPerMinute: integer('requests_per_minute').notNull(),
    /** May read the schema (`__schema`, `__type`): governance and departments' developers, never platforms. */
    introspection: boolean('introspection').notNull().default(false),
    /** Why the status was last changed, e.g. the ticket behind a suspension. */
    statusReason: text('status_reason'),
    statusChangedAt: timestamps('status_changed_at'),
    createdAt: timestamps('created_at'),
    updatedAt: timestamps('updated_at'),
  },
  (t) => [
    // The commands check what they can; the database refuses whatever else slips past (a hand-written UPDATE).
    check('clients_id_format', sql`${t.id} ~ '^[a-z0-9-]{2,64}$'`),
    check('clients_kind_known', sql`${t.kind} in (${quoted(CLIENT_KINDS)})`),
    check('clients_name_present', sql`length(btrim(${t.name})) > 0`),
    check('clients_city_iff_city_platform', sql`(${t.kind} = 'CITY') = (${t.city} is not null)`),
    check('clients_city_format', sql`${t.city} ~ '^[0-9]{6}$'`),
    check('clients_domain_iff_department', sql`(${t.kind} = 'DEPARTMENT') = (${t.domain} is not null)`),
    check('clients_domain_format', sql`${t.domain} ~ '^[a-z][a-z-]*$'`),
    // `<@` is false for an array holding a null, so nulls are refused too.
    check(
      'clients_purposes_known',
      sql`cardinality(${t.purposes}) > 0 and ${t.purposes} <@ array[${quoted(PURPOSES)}]::text[]`,
    ),
    check('clients_status_known', sql`${t.status} in (${quoted(CLIENT_STATUSES)})`),
    // A suspension always says why: the operator who lifts it needs to know.
    // coalesce: a null reason must fail the check, not make it unknown (which a CHECK lets through).
    check(
      'clients_suspension_reason',
      sql`${t.status} <> 'SUSPENDED' or coalesce(length(btrim(${t.statusReason})), 0) > 0`,
    ),
    check('clients_rate_positive', sql`${t.requestsPerMinute} > 0`),
  ],
);

export type ClientRow = typeof clients.$inferSelect;

/**
 * The audit trail: one row per operation through the gateway, written before its response leaves
 * (gateway/plugins/audit.ts). The table as drizzle sees it, for reading; migrations/gateway/0002_audit.sql creates
 * it by hand, as drizzle-kit knows neither partitions nor triggers: PARTITIONED BY RANGE (recorded_at), one
 * partition a month plus a DEFAULT one, append-only (a trigger refuses UPDATE, DELETE and TRUNCATE). Kept at least
 * three years; nothing drops partitions automatically.
 *
 * Each gateway instance writes one hash chain (gateway/audit/writer.ts): `hash` = sha256(prev_hash + canonical
 * content), see gateway/audit/chain.ts; `npm run audit:verify` walks the chains.
 */
export const auditRecords = gateway.table(
  'audit_records',
  {
    chainId: uuid('chain_id').notNull(),
    /** From 1 within a chain, without gaps. */
    seq: bigint('seq', { mode: 'number' }).notNull(),
    /** When the response was ready to leave. */
    recordedAt: timestamp('recorded_at', { withTimezone: true, precision: 3, mode: 'date' }).notNull(),
    requestId: uuid('request_id').notNull(),
    clientId: text('client_id').notNull(),
    clientKind: text('client_kind').notNull(),
    clientCity: text('client_city'),
    operator: text('operator'),
    caseRef: text('case_ref'),
    /** X-Place: where the operator acted (a hotel's front desk, a counter); null when the request named none. */
    place: text('place'),
    purpose: text('purpose').notNull(),
    /** query, mutation, subscription, or `unknown` for a document that never parsed. */
    operationType: text('operation_type').notNull(),
    operationName: text('operation_name'),
    /** sha256 (hex) of the document text as received, or the persisted-query hash the client sent. */
    documentHash: text('document_hash').notNull(),
    /** The operation's variables, identifiers masked (gateway/audit/record.ts). */
    variables: jsonb('variables').notNull(),
    /** SUCCESS, PARTIAL (data and errors), ERROR (no data), REFUSED (refused before execution). */
    outcome: text('outcome').notNull(),
    errorCodes: text('error_codes').array().notNull(),
    durationMs: integer('duration_ms').notNull(),
    /** Every holder whose data a subgraph served (or wrote) for the operation. */
    holderIds: uuid('holder_ids').array().notNull(),
    /** Every schema coordinate served, e.g. `Holder.medicalVisits`, `MedicalVisit.diagnoses`. */
    coordinates: text('coordinates').array().notNull(),
    /** Coordinates the field policy took out of the operation for the purpose. */
    deniedCoordinates: text('denied_coordinates').array().notNull(),
    /** `{ holders: { [holderId]: coordinates[] }, denied: [{ coordinate, path }] }`. */
    access: jsonb('access').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    // A partitioned table's keys must hold its partition key.
    primaryKey({ name: 'audit_records_pkey', columns: [t.chainId, t.seq, t.recordedAt] }),
    index('audit_records_holder_ids_idx').using('gin', t.holderIds),
    index('audit_records_client_time_idx').on(t.clientId, t.recordedAt),
    index('audit_records_time_idx').on(t.recordedAt),
  ],
);

export type AuditRecordRow = typeof auditRecords.$inferSelect;

/** One row per chain (per gateway instance start): where verification finds the chains to walk. Append-only. */
export const auditChains = gateway.table('audit_chains', {
  chainId: uuid('chain_id').primaryKey(),
  startedAt: timestamp('started_at', { withTimezone: true, precision: 3, mode: 'date' }).notNull(),
  /** The writing process, e.g. `host:pid`: for the operator, not verified. */
  instance: text('instance').notNull(),
});

/** Each run of `npm run audit:verify`: the governance view's auditChainStatus. Append-only. */
export const auditVerifications = gateway.table(
  'audit_verifications',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    verifiedAt: timestamp('verified_at', { withTimezone: true, precision: 3, mode: 'date' }).notNull(),
    /** Per chain walked: `[{ chainId, records, lastSeq, lastHash, ok, verifiedSeq, verifiedHash }]`: the last verified position of
     * each, and the furthest one ever verified (carried forward, so a chain cut or removed since stays named). */
    chains: jsonb('chains').notNull(),
    ok: boolean('ok').notNull(),
    /** The first broken link when not ok, e.g. `chain <id> seq 17: hash mismatch`. */
    firstBreak: text('first_break'),
  },
  (t) => [index('audit_verifications_time_idx').on(t.verifiedAt)],
);

export type AuditVerificationRow = typeof auditVerifications.$inferSelect;
