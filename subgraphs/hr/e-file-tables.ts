// Social insurance on the card (Art 7(1)) and the HR e-file library (Art 15), in schema `hr` beside the holders they
// belong to. Re-exported by tables.ts, which drizzle-kit reads. Times that order a holder's pages are kept to the
// millisecond, the precision a page cursor carries (subgraphs/kit/pagination.ts).
import { sql } from 'drizzle-orm';
import { char, check, date, index, integer, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { holders, hr } from './holder-table.js';

export const INSURANCE_SCHEMES = ['PENSION', 'MEDICAL', 'WORK_INJURY', 'UNEMPLOYMENT', 'MATERNITY'] as const;
export const ENROLMENT_STATUSES = ['ACTIVE', 'SUSPENDED', 'TERMINATED'] as const;
export const EMPLOYMENT_KINDS = ['EMPLOYED', 'UNEMPLOYED'] as const;
export const TRAINING_KINDS = ['TRAINING', 'SKILL_EVALUATION'] as const;
export const QUALIFICATION_KINDS = ['PROFESSIONAL_TITLE', 'QUALIFICATION'] as const;
export const TITLE_LEVELS = ['JUNIOR', 'INTERMEDIATE', 'DEPUTY_SENIOR', 'SENIOR'] as const;
export const CONTRACT_TERMS = ['FIXED_TERM', 'OPEN_ENDED', 'TASK_BASED'] as const;

export type InsuranceScheme = (typeof INSURANCE_SCHEMES)[number];
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];
export type EmploymentKind = (typeof EMPLOYMENT_KINDS)[number];
export type TrainingKind = (typeof TRAINING_KINDS)[number];
export type QualificationKind = (typeof QUALIFICATION_KINDS)[number];
export type TitleLevel = (typeof TITLE_LEVELS)[number];
export type ContractTerm = (typeof CONTRACT_TERMS)[number];

export const insuranceSchemeEnum = hr.enum('insurance_scheme', INSURANCE_SCHEMES);
export const enrolmentStatusEnum = hr.enum('enrolment_status', ENROLMENT_STATUSES);
export const employmentKindEnum = hr.enum('employment_kind', EMPLOYMENT_KINDS);
export const trainingKindEnum = hr.enum('training_kind', TRAINING_KINDS);
export const qualificationKindEnum = hr.enum('qualification_kind', QUALIFICATION_KINDS);
export const titleLevelEnum = hr.enum('title_level', TITLE_LEVELS);
export const contractTermEnum = hr.enum('contract_term', CONTRACT_TERMS);

const recordedAt = () => timestamp('recorded_at', { withTimezone: true, precision: 3 }).notNull().defaultNow();
const holderId = () =>
  uuid('holder_id')
    .notNull()
    .references(() => holders.id);

/** A holder's enrolment in one scheme, in one city, through one employer (none: flexibly employed). */
export const socialInsuranceEnrolments = hr.table(
  'social_insurance_enrolments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    holderId: holderId(),
    scheme: insuranceSchemeEnum('scheme').notNull(),
    city: char('city', { length: 6 }).notNull(),
    employerName: text('employer_name'),
    /** The employer's unified social credit code (统一社会信用代码), 18 characters. */
    employerCode: char('employer_code', { length: 18 }),
    status: enrolmentStatusEnum('status').notNull(),
    startDate: date('start_date', { mode: 'string' }).notNull(),
    endDate: date('end_date', { mode: 'string' }),
    recordedAt: recordedAt(),
  },
  (t) => [
    index('si_enrolments_holder_idx').on(t.holderId, t.recordedAt, t.id),
    check('si_enrolments_end_after_start', sql`${t.endDate} is null or ${t.endDate} >= ${t.startDate}`),
  ],
);

/**
 * One month's contribution to an enrolment, in fen (integers: a month's amounts are far below 2^31 fen, the
 * 21 million yuan GraphQL's 32-bit Int holds). `month` is the month's first moment in Guangdong (UTC+8).
 */
export const socialInsuranceContributions = hr.table(
  'social_insurance_contributions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    holderId: holderId(),
    enrolmentId: uuid('enrolment_id')
      .notNull()
      .references(() => socialInsuranceEnrolments.id),
    month: timestamp('month', { withTimezone: true, precision: 3 }).notNull(),
    employerFen: integer('employer_fen').notNull(),
    personalFen: integer('personal_fen').notNull(),
    recordedAt: recordedAt(),
  },
  (t) => [
    index('si_contributions_holder_idx').on(t.holderId, t.month, t.id),
    uniqueIndex('si_contributions_one_per_month').on(t.enrolmentId, t.month),
    check('si_contributions_not_negative', sql`${t.employerFen} >= 0 and ${t.personalFen} >= 0`),
  ],
);

/** Periods of employment (with the employer) and of registered unemployment. */
export const employmentPeriods = hr.table(
  'employment_periods',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    holderId: holderId(),
    kind: employmentKindEnum('kind').notNull(),
    employerName: text('employer_name'),
    employerCode: char('employer_code', { length: 18 }),
    city: char('city', { length: 6 }).notNull(),
    startDate: date('start_date', { mode: 'string' }).notNull(),
    endDate: date('end_date', { mode: 'string' }),
    recordedAt: recordedAt(),
  },
  (t) => [
    index('employment_periods_holder_idx').on(t.holderId, t.recordedAt, t.id),
    check('employment_periods_end_after_start', sql`${t.endDate} is null or ${t.endDate} >= ${t.startDate}`),
  ],
);

/** Vocational training completed and skill evaluations passed (职业技能等级, level 1 highest to 5). */
export const trainingRecords = hr.table(
  'training_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    holderId: holderId(),
    kind: trainingKindEnum('kind').notNull(),
    occupation: text('occupation').notNull(),
    provider: text('provider').notNull(),
    skillLevel: smallint('skill_level'),
    certificateNumber: text('certificate_number'),
    completedOn: date('completed_on', { mode: 'string' }).notNull(),
    recordedAt: recordedAt(),
  },
  (t) => [index('training_records_holder_idx').on(t.holderId, t.recordedAt, t.id)],
);

/** Professional titles (职称) and professional qualifications (职业资格). */
export const qualifications = hr.table(
  'qualifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    holderId: holderId(),
    kind: qualificationKindEnum('kind').notNull(),
    name: text('name').notNull(),
    /** For professional titles. */
    level: titleLevelEnum('level'),
    issuer: text('issuer').notNull(),
    certificateNumber: text('certificate_number'),
    awardedOn: date('awarded_on', { mode: 'string' }).notNull(),
    recordedAt: recordedAt(),
  },
  (t) => [index('qualifications_holder_idx').on(t.holderId, t.recordedAt, t.id)],
);

/** Electronic labour contracts: the parties, the term, when signed, and the signed document's SHA-256. */
export const labourContracts = hr.table(
  'labour_contracts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    holderId: holderId(),
    employerName: text('employer_name').notNull(),
    employerCode: char('employer_code', { length: 18 }).notNull(),
    term: contractTermEnum('term').notNull(),
    startDate: date('start_date', { mode: 'string' }).notNull(),
    endDate: date('end_date', { mode: 'string' }),
    signedAt: timestamp('signed_at', { withTimezone: true, precision: 3 }).notNull(),
    documentSha256: char('document_sha256', { length: 64 }).notNull(),
    recordedAt: recordedAt(),
  },
  (t) => [
    index('labour_contracts_holder_idx').on(t.holderId, t.signedAt, t.id),
    check('labour_contracts_end_after_start', sql`${t.endDate} is null or ${t.endDate} >= ${t.startDate}`),
  ],
);

export type EnrolmentRow = typeof socialInsuranceEnrolments.$inferSelect;
export type ContributionRow = typeof socialInsuranceContributions.$inferSelect;
export type EmploymentPeriodRow = typeof employmentPeriods.$inferSelect;
export type TrainingRecordRow = typeof trainingRecords.$inferSelect;
export type QualificationRow = typeof qualifications.$inferSelect;
export type LabourContractRow = typeof labourContracts.$inferSelect;
