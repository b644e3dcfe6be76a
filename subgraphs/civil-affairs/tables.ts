// Civil affairs' tables, in schema `civil_affairs`: preferential certificates integrated into the card (Art 7)
// and relief entitlements paid to the card's account (Art 8).
import { char, date, index, numeric, pgSchema, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { idempotencyTable } from '../kit/idempotency.js';

export const civilAffairs = pgSchema('civil_affairs');

// Times that order a holder's pages are kept to the millisecond, the precision a page cursor carries.

export const CERTIFICATE_KINDS = ['ELDERLY', 'DISABILITY', 'VETERAN'] as const;
export const CERTIFICATE_STATUSES = ['VALID', 'REVOKED'] as const;
export const RELIEF_KINDS = ['MINIMUM_LIVING_ALLOWANCE', 'EXTREME_POVERTY_SUPPORT', 'TEMPORARY_ASSISTANCE'] as const;
export type CertificateKind = (typeof CERTIFICATE_KINDS)[number];
export type ReliefKind = (typeof RELIEF_KINDS)[number];

export const certificateKindEnum = civilAffairs.enum('certificate_kind', CERTIFICATE_KINDS);
export const certificateStatusEnum = civilAffairs.enum('certificate_status', CERTIFICATE_STATUSES);
export const reliefKindEnum = civilAffairs.enum('relief_kind', RELIEF_KINDS);

export const certificates = civilAffairs.table(
  'certificates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The issuing department's own number for the certificate. */
    certificateNumber: text('certificate_number').notNull().unique(),
    holderId: uuid('holder_id').notNull(),
    kind: certificateKindEnum('kind').notNull(),
    /** 1 (most severe) to 4, for disability certificates only. */
    disabilityLevel: smallint('disability_level'),
    /** 440000 for the province, else the issuing city's code. */
    issuer: char('issuer', { length: 6 }).notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    /** Null: valid without end (an elderly certificate does not expire). */
    validUntil: date('valid_until', { mode: 'string' }),
    status: certificateStatusEnum('status').notNull().default('VALID'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revocationReason: text('revocation_reason'),
    issuedAt: timestamp('issued_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('certificates_holder_idx').on(t.holderId, t.issuedAt, t.id)],
);

export const reliefEntitlements = civilAffairs.table(
  'relief_entitlements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    holderId: uuid('holder_id').notNull(),
    kind: reliefKindEnum('kind').notNull(),
    monthlyAmount: numeric('monthly_amount', { precision: 12, scale: 2 }).notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    periodEnd: date('period_end', { mode: 'string' }),
    city: char('city', { length: 6 }).notNull(),
    grantedAt: timestamp('granted_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('relief_entitlements_holder_idx').on(t.holderId, t.grantedAt, t.id)],
);

export const idempotencyKeys = idempotencyTable(civilAffairs);

export type CertificateRow = typeof certificates.$inferSelect;
export type ReliefRow = typeof reliefEntitlements.$inferSelect;
