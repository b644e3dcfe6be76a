// Culture and tourism's tables, in schema `culture_tourism`: venues that take the card (Art 7(5)), admissions at
// them and library loans. drizzle-kit turns this file into migrations/culture-tourism.
import { sql } from 'drizzle-orm';
import { char, index, pgSchema, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { idempotencyTable } from '../kit/idempotency.js';

export const cultureTourism = pgSchema('culture_tourism');

export const VENUE_KINDS = ['LIBRARY', 'MUSEUM', 'SCENIC_SPOT', 'SPORTS_FACILITY'] as const;
/** The concession a venue granted; anything but NONE rests on a civil affairs preferential certificate. */
export const CONCESSIONS = ['NONE', 'ELDERLY', 'DISABILITY', 'VETERAN'] as const;
export type VenueKind = (typeof VENUE_KINDS)[number];
export type Concession = (typeof CONCESSIONS)[number];

export const venueKindEnum = cultureTourism.enum('venue_kind', VENUE_KINDS);
export const concessionEnum = cultureTourism.enum('concession', CONCESSIONS);

export const venues = cultureTourism.table(
  'venues',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    kind: venueKindEnum('kind').notNull(),
    /** One of the 21 Guangdong city codes. */
    city: char('city', { length: 6 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('venues_city_kind_idx').on(t.city, t.kind)],
);

export const admissions = cultureTourism.table(
  'admissions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** hr's holder id; hr owns holders, so no foreign key crosses the schema. */
    holderId: uuid('holder_id').notNull(),
    /** The card presented at the gate, physical or electronic. */
    cardNumber: text('card_number').notNull(),
    venueId: uuid('venue_id')
      .notNull()
      .references(() => venues.id),
    admittedAt: timestamp('admitted_at', { withTimezone: true, precision: 3 }).notNull(),
    concession: concessionEnum('concession').notNull().default('NONE'),
    /** Where the service happened (Art 4): the venue's city, kept on the row so reports need no join. */
    city: char('city', { length: 6 }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Serves the newest-first page per holder (pageByHolder).
    index('admissions_holder_time_idx').on(t.holderId, t.admittedAt, t.id),
    index('admissions_venue_time_idx').on(t.venueId, t.admittedAt),
  ],
);

export const libraryLoans = cultureTourism.table(
  'library_loans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    holderId: uuid('holder_id').notNull(),
    cardNumber: text('card_number').notNull(),
    /** Always a LIBRARY venue (checked when the loan is recorded; a venue's kind never changes). */
    venueId: uuid('venue_id')
      .notNull()
      .references(() => venues.id),
    /** The library's own identifier of the copy lent (barcode). */
    itemId: text('item_id').notNull(),
    title: text('title').notNull(),
    borrowedAt: timestamp('borrowed_at', { withTimezone: true, precision: 3 }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    returnedAt: timestamp('returned_at', { withTimezone: true }),
  },
  (t) => [
    index('library_loans_holder_time_idx').on(t.holderId, t.borrowedAt, t.id),
    // One copy cannot be out on two loans at once, whatever races the application loses.
    uniqueIndex('library_loans_one_open_per_item')
      .on(t.venueId, t.itemId)
      .where(sql`${t.returnedAt} is null`),
  ],
);

export const idempotencyKeys = idempotencyTable(cultureTourism);

export type VenueRow = typeof venues.$inferSelect;
export type AdmissionRow = typeof admissions.$inferSelect;
export type LibraryLoanRow = typeof libraryLoans.$inferSelect;
