// Public security's tables, in schema `public_security`: the electronic licences linked to a holder (Art 9), a
// motor-vehicle driving licence and the resident ID card's own validity period. One licence of each kind per holder.
import { char, date, pgSchema, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { idempotencyTable } from '../kit/idempotency.js';

export const publicSecurity = pgSchema('public_security');

export const LICENCE_KINDS = ['DRIVING_LICENCE', 'RESIDENT_ID_CARD'] as const;
/** Stored statuses; EXPIRED is read from validUntil (licence-rules.ts). */
export const LICENCE_STATUSES = ['VALID', 'SUSPENDED', 'REVOKED'] as const;
export type LicenceKind = (typeof LICENCE_KINDS)[number];
export type StoredLicenceStatus = (typeof LICENCE_STATUSES)[number];

export const licenceKindEnum = publicSecurity.enum('licence_kind', LICENCE_KINDS);
export const licenceStatusEnum = publicSecurity.enum('licence_status', LICENCE_STATUSES);

export const licences = publicSecurity.table(
  'licences',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    holderId: uuid('holder_id').notNull(),
    kind: licenceKindEnum('kind').notNull(),
    /**
     * A driving licence's 12-digit file number (档案编号). Null for the ID card: its number is the holder's ID
     * number, which hr owns and nobody copies.
     */
    licenceNumber: text('licence_number').unique(),
    /** Driving licences: the classes it permits (准驾车型), e.g. C1 or A2D. */
    vehicleClass: text('vehicle_class'),
    /** Driving licences: the issuing city's code. */
    issuer: char('issuer', { length: 6 }),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    /** Null: long-term (长期). */
    validUntil: date('valid_until', { mode: 'string' }),
    status: licenceStatusEnum('status').notNull().default('VALID'),
    /** Driving licences: penalty points in the current scoring cycle, 0 to 12. */
    points: smallint('points'),
    /** Why it was last suspended, reinstated or revoked. */
    statusReason: text('status_reason'),
    statusChangedAt: timestamp('status_changed_at', { withTimezone: true }),
    recordedAt: timestamp('recorded_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  // Serves the per-holder list too.
  (t) => [uniqueIndex('licences_holder_kind_idx').on(t.holderId, t.kind)],
);

export const idempotencyKeys = idempotencyTable(publicSecurity);

export type LicenceRow = typeof licences.$inferSelect;
