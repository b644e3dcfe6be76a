// Violations of the card's rules and the fines decided for them (Art 19), in schema `hr`: the HRSS departments decide
// them. Re-exported by tables.ts, which drizzle-kit reads. `feed_position` orders the public credit feed
// (violations.ts assigns it under a lock so that position order is commit order).
import { sql } from 'drizzle-orm';
import { bigint, char, check, date, index, integer, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { holders, hr } from './holder-table.js';

export const VIOLATION_KINDS = ['RENT_LEND_SELL', 'FRAUDULENT_USE', 'FORGERY'] as const;
export const VIOLATION_STATUSES = ['DECIDED', 'CORRECTED', 'CLOSED'] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];
export type ViolationStatus = (typeof VIOLATION_STATUSES)[number];

export const violationKindEnum = hr.enum('violation_kind', VIOLATION_KINDS);
export const violationStatusEnum = hr.enum('violation_status', VIOLATION_STATUSES);

/** One decision against a holder or an organisation (exactly one: a check says so). */
export const violations = hr.table(
  'violations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    holderId: uuid('holder_id').references(() => holders.id),
    organisationName: text('organisation_name'),
    /** The organisation's unified social credit code, 18 characters. */
    organisationCode: char('organisation_code', { length: 18 }),
    kind: violationKindEnum('kind').notNull(),
    facts: text('facts').notNull(),
    /** 440000 or a city code. */
    authority: char('authority', { length: 6 }).notNull(),
    decision: text('decision').notNull(),
    decidedOn: date('decided_on', { mode: 'string' }).notNull(),
    fineFen: integer('fine_fen'),
    correctBy: date('correct_by', { mode: 'string' }),
    status: violationStatusEnum('status').notNull().default('DECIDED'),
    /** Where the record stands in the public credit feed; moved to the end when its status changes. */
    feedPosition: bigint('feed_position', { mode: 'number' }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('violations_holder_idx').on(t.holderId, t.recordedAt, t.id),
    uniqueIndex('violations_feed_position').on(t.feedPosition),
    check(
      'violations_one_subject',
      sql`(${t.holderId} is null) <> (${t.organisationCode} is null and ${t.organisationName} is null)`,
    ),
    check('violations_fine_range', sql`${t.fineFen} is null or ${t.fineFen} between 100000 and 1000000`),
    check('violations_correct_after_decision', sql`${t.correctBy} is null or ${t.correctBy} >= ${t.decidedOn}`),
  ],
);

export type ViolationRow = typeof violations.$inferSelect;
