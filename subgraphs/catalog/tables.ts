// The application catalog and credential register (Art 6, 18), in schema `catalog`. One catalog for the province
// (scope 440000) and one per city (scope: its code), each a series of versions: a draft is edited, then published
// with the date it takes effect; a published version and its items never change (a trigger refuses it,
// migrations/catalog/0001_published_versions_immutable.sql). Credentials are the cards, certificates and QR codes
// departments issue; the attempts refused as duplicating the catalog are kept for governance.
import { sql } from 'drizzle-orm';
import { char, date, index, integer, pgSchema, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { idempotencyTable } from '../kit/idempotency.js';

export const catalog = pgSchema('catalog');

/** The kinds of application the card carries (Art 7). */
export const CATEGORIES = [
  'SOCIAL_INSURANCE',
  'HR_SERVICE',
  'MEDICAL',
  'TRANSPORT',
  'CULTURE_TOURISM',
  'GOVERNMENT_SERVICE',
  'FINANCE',
  'OTHER',
] as const;
export type Category = (typeof CATEGORIES)[number];
export const VERSION_STATUSES = ['DRAFT', 'PUBLISHED'] as const;
export const CREDENTIAL_KINDS = ['CARD', 'CERTIFICATE', 'QR_CODE'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];
/** REGISTERED: its own function; INTEGRATED: a national requirement duplicating the catalog, carried by the card. */
export const CREDENTIAL_STATUSES = ['REGISTERED', 'INTEGRATED'] as const;

export const categoryEnum = catalog.enum('category', CATEGORIES);
export const versionStatusEnum = catalog.enum('version_status', VERSION_STATUSES);
export const credentialKindEnum = catalog.enum('credential_kind', CREDENTIAL_KINDS);
export const credentialStatusEnum = catalog.enum('credential_status', CREDENTIAL_STATUSES);

export const catalogVersions = catalog.table(
  'catalog_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** 440000 for the provincial catalog, else the city's code. */
    scope: char('scope', { length: 6 }).notNull(),
    /** 1, 2, … within the scope. */
    version: integer('version').notNull(),
    status: versionStatusEnum('status').notNull().default('DRAFT'),
    /** The first day it is in force (Guangdong's day); set when published. */
    effectiveFrom: date('effective_from', { mode: 'string' }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('catalog_versions_scope_version_key').on(t.scope, t.version),
    // One draft at a time per catalog: two would each be published over what the other left out.
    uniqueIndex('catalog_versions_one_draft_idx')
      .on(t.scope)
      .where(sql`status = 'DRAFT'`),
    index('catalog_versions_in_force_idx').on(t.scope, t.effectiveFrom),
  ],
);

export const catalogItems = catalog.table(
  'catalog_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    versionId: uuid('version_id')
      .notNull()
      .references(() => catalogVersions.id),
    /** Stable across versions and catalogs, e.g. MEDICAL_SETTLEMENT. */
    code: text('code').notNull(),
    name: text('name').notNull(),
    category: categoryEnum('category').notNull(),
    /** What a holder uses it for, e.g. 医保结算. */
    scenarios: text('scenarios').array().notNull(),
    /** Where it applies: venues, places, kinds of counter. */
    venues: text('venues').array().notNull(),
    /** The subgraph of the department that owns it, e.g. health. */
    department: text('department').notNull(),
  },
  (t) => [unique('catalog_items_version_code_key').on(t.versionId, t.code)],
);

export const credentials = catalog.table(
  'credentials',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    department: text('department').notNull(),
    /** The department's own code for it. */
    code: text('code').notNull(),
    name: text('name').notNull(),
    kind: credentialKindEnum('kind').notNull(),
    /** The function it serves: a category and the scenarios. */
    category: categoryEnum('category').notNull(),
    scenarios: text('scenarios').array().notNull(),
    /** The city it is issued in; null: province-wide. */
    city: char('city', { length: 6 }),
    status: credentialStatusEnum('status').notNull(),
    /** The national rule requiring it (Art 6 ¶4); INTEGRATED credentials only. */
    nationalBasis: text('national_basis'),
    /** The catalog items whose function it duplicates (INTEGRATED credentials only). */
    integratedWith: text('integrated_with')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    registeredBy: text('registered_by').notNull(),
    registeredAt: timestamp('registered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('credentials_department_code_key').on(t.department, t.code)],
);

/**
 * Registrations refused as DUPLICATE_CREDENTIAL, once per department and idempotency key: governance's evidence
 * (Art 18). Keys are the callers' own, so two departments may send the same one: each attempt is kept.
 */
export const refusedCredentials = catalog.table(
  'refused_credentials',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    idempotencyKey: text('idempotency_key').notNull(),
    department: text('department').notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    kind: credentialKindEnum('kind').notNull(),
    category: categoryEnum('category').notNull(),
    scenarios: text('scenarios').array().notNull(),
    city: char('city', { length: 6 }),
    duplicates: text('duplicates').array().notNull(),
    attemptedBy: text('attempted_by').notNull(),
    attemptedAt: timestamp('attempted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('refused_credentials_department_key').on(t.department, t.idempotencyKey),
    index('refused_credentials_time_idx').on(t.attemptedAt),
  ],
);

export const idempotencyKeys = idempotencyTable(catalog);

export type VersionRow = typeof catalogVersions.$inferSelect;
export type ItemRow = typeof catalogItems.$inferSelect;
export type CredentialRow = typeof credentials.$inferSelect;
export type RefusedCredentialRow = typeof refusedCredentials.$inferSelect;
