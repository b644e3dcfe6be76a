// The gateway's own tables, in the Postgres schema `gateway`: the client register now, the audit trail later.
// drizzle-kit turns this file into migrations/gateway (DRIZZLE_DOMAIN=gateway).
import { sql, type SQL } from 'drizzle-orm';
import { char, check, integer, pgSchema, text, timestamp } from 'drizzle-orm/pg-core';
import { CLIENT_KINDS, type ClientStatus } from './caller.js';
import { PURPOSES } from './policy/purposes.js';

export const gateway = pgSchema('gateway');

export const CLIENT_STATUSES = ['ACTIVE', 'SUSPENDED'] as const satisfies readonly ClientStatus[];

// The checks are built from the TypeScript lists, so adding a purpose or kind there makes `npm run db:generate`
// produce the migration that widens the check.
const quoted = (values: readonly string[]): SQL => sql.raw(values.map((v) => `'${v}'`).join(', '));

const timestamps = (name: string) => timestamp(name, { withTimezone: true, precision: 3 }).notNull().defaultNow();

/** Who may call the gateway: one row per participating platform, department or oversight body. */
export const clients = gateway.table('clients', {
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
  /** Why the status was last changed, e.g. the ticket behind a suspension. */
  statusReason: text('status_reason'),
  statusChangedAt: timestamps('status_changed_at'),
  createdAt: timestamps('created_at'),
  updatedAt: timestamps('updated_at'),
}, (t) => [
  // The commands check what they can; the database refuses whatever else slips past (a hand-written UPDATE).
  check('clients_id_format', sql`${t.id} ~ '^[a-z0-9-]{2,64}$'`),
  check('clients_kind_known', sql`${t.kind} in (${quoted(CLIENT_KINDS)})`),
  check('clients_name_present', sql`length(btrim(${t.name})) > 0`),
  check('clients_city_iff_city_platform', sql`(${t.kind} = 'CITY') = (${t.city} is not null)`),
  check('clients_city_format', sql`${t.city} ~ '^[0-9]{6}$'`),
  check('clients_domain_iff_department', sql`(${t.kind} = 'DEPARTMENT') = (${t.domain} is not null)`),
  check('clients_domain_format', sql`${t.domain} ~ '^[a-z][a-z-]*$'`),
  // `<@` is false for an array holding a null, so nulls are refused too.
  check('clients_purposes_known', sql`cardinality(${t.purposes}) > 0 and ${t.purposes} <@ array[${quoted(PURPOSES)}]::text[]`),
  check('clients_status_known', sql`${t.status} in (${quoted(CLIENT_STATUSES)})`),
  // A suspension always says why: the operator who lifts it needs to know.
  // coalesce: a null reason must fail the check, not make it unknown (which a CHECK lets through).
  check('clients_suspension_reason', sql`${t.status} <> 'SUSPENDED' or coalesce(length(btrim(${t.statusReason})), 0) > 0`),
  check('clients_rate_positive', sql`${t.requestsPerMinute} > 0`),
]);

export type ClientRow = typeof clients.$inferSelect;
