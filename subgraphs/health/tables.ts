// The health departments' tables, in their own Postgres schema `health` (Art 7(3)): the medical institutions that
// take the card, visits with their diagnoses and settlements, and an index of medical records and health archives.
// drizzle-kit turns this file into migrations/health. Diagnoses and records are sensitive personal information.
import { sql } from 'drizzle-orm';
import {
  char,
  check,
  index,
  numeric,
  pgSchema,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { idempotencyTable } from '../kit/idempotency.js';

export const health = pgSchema('health');

/** Hospital grades as the health authorities assess them (三级甲等 … 一级). */
export const INSTITUTION_LEVELS = ['TERTIARY_A', 'TERTIARY_B', 'SECONDARY_A', 'SECONDARY_B', 'PRIMARY'] as const;
export const VISIT_KINDS = ['REGISTRATION', 'OUTPATIENT', 'INPATIENT'] as const;
export const RECORD_TYPES = ['EMR', 'HEALTH_ARCHIVE', 'EXAMINATION_REPORT'] as const;
export type InstitutionLevel = (typeof INSTITUTION_LEVELS)[number];
export type VisitKind = (typeof VISIT_KINDS)[number];
export type RecordType = (typeof RECORD_TYPES)[number];

export const institutionLevelEnum = health.enum('institution_level', INSTITUTION_LEVELS);
export const visitKindEnum = health.enum('visit_kind', VISIT_KINDS);
export const recordTypeEnum = health.enum('record_type', RECORD_TYPES);

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const money = (name: string) => numeric(name, { precision: 12, scale: 2 }).notNull();

export const medicalInstitutions = health.table(
  'medical_institutions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The medical insurance code of a designated institution: H, its division code, a 5-digit serial. */
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    city: char('city', { length: 6 }).notNull(),
    level: institutionLevelEnum('level').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('medical_institutions_city_idx').on(t.city)],
);

export const visits = health.table(
  'visits',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: visitKindEnum('kind').notNull(),
    /** hr's holder id; hr owns holders, so no foreign key across the department boundary. */
    holderId: uuid('holder_id').notNull(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => medicalInstitutions.id),
    /** Where the holder was served (the institution's city), whichever city they are registered in (Art 4). */
    city: char('city', { length: 6 }).notNull(),
    department: text('department').notNull(),
    visitedAt: timestamp('visited_at', { withTimezone: true, precision: 3 }).notNull(),
    admittedAt: timestamp('admitted_at', { withTimezone: true }),
    dischargedAt: timestamp('discharged_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    // Serves pageByHolder: a holder's visits newest first.
    index('visits_holder_idx').on(t.holderId, t.visitedAt, t.id),
    index('visits_institution_idx').on(t.institutionId),
    // The commands check these first; the database refuses what slips past them.
    check(
      'visits_admission_only_inpatient',
      sql`${t.kind} = 'INPATIENT' or (${t.admittedAt} is null and ${t.dischargedAt} is null)`,
    ),
    check('visits_inpatient_admitted', sql`${t.kind} <> 'INPATIENT' or ${t.admittedAt} is not null`),
    check('visits_discharge_after_admission', sql`${t.dischargedAt} is null or ${t.dischargedAt} >= ${t.admittedAt}`),
  ],
);

/** A visit's ICD-10 diagnosis codes, the principal one at position 0. */
export const visitDiagnoses = health.table(
  'visit_diagnoses',
  {
    visitId: uuid('visit_id')
      .notNull()
      .references(() => visits.id),
    position: smallint('position').notNull(),
    code: varchar('code', { length: 8 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.visitId, t.position] })],
);

/** At most one settlement per visit; amounts in yuan. */
export const settlements = health.table(
  'settlements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    visitId: uuid('visit_id')
      .notNull()
      .unique()
      .references(() => visits.id),
    total: money('total'),
    /** Paid by the medical insurance fund. */
    fundPaid: money('fund_paid'),
    /** The holder's own share. */
    selfPaid: money('self_paid'),
    /** The part of the holder's share paid through the card's financial function. */
    cardPaid: money('card_paid'),
    settledAt: timestamp('settled_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('settlements_amounts_add_up', sql`${t.total} = ${t.fundPaid} + ${t.selfPaid}`),
    check('settlements_card_within_self_paid', sql`${t.cardPaid} <= ${t.selfPaid}`),
    check('settlements_not_negative', sql`${t.fundPaid} >= 0 and ${t.selfPaid} >= 0 and ${t.cardPaid} >= 0`),
  ],
);

/** An index of electronic medical records and health archive entries: where each is kept, not its content. */
export const healthRecords = health.table(
  'health_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    holderId: uuid('holder_id').notNull(),
    type: recordTypeEnum('type').notNull(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => medicalInstitutions.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true, precision: 3 }).notNull(),
    summary: text('summary').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('health_records_holder_idx').on(t.holderId, t.recordedAt, t.id),
    index('health_records_institution_idx').on(t.institutionId),
  ],
);

export const idempotencyKeys = idempotencyTable(health);

export type InstitutionRow = typeof medicalInstitutions.$inferSelect;
export type VisitRow = typeof visits.$inferSelect;
export type DiagnosisRow = typeof visitDiagnoses.$inferSelect;
export type SettlementRow = typeof settlements.$inferSelect;
export type HealthRecordRow = typeof healthRecords.$inferSelect;
