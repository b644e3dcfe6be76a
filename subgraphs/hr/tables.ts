// The HR department's tables, in its own Postgres schema `hr`. drizzle-kit turns this file into migrations/hr.
import { sql } from 'drizzle-orm';
import { bigint, char, date, index, jsonb, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { idempotencyTable } from '../kit/idempotency.js';
import { holders, hr } from './holder-table.js';

// The schema and the holders table live in holder-table.ts, which every hr table file references without a cycle.
export { GENDERS, ID_TYPES, genderEnum, holders, hr, idTypeEnum, type HolderRow, type IdType } from './holder-table.js';

export const CARD_KINDS = ['PHYSICAL', 'ELECTRONIC'] as const;
export const CARD_STATUSES = ['APPLIED', 'ACTIVE', 'LOST', 'REPLACED', 'CANCELLED'] as const;
export const LOSS_KINDS = ['TEMPORARY', 'FORMAL'] as const;
export const CHANNELS = ['COUNTER', 'WEBSITE', 'MOBILE', 'SELF_SERVICE_TERMINAL'] as const;
export const CARD_EVENT_TYPES = [
  'APPLIED',
  'ISSUED',
  'LOSS_REPORTED',
  'LOSS_CANCELLED',
  'LOSS_LAPSED',
  'REPLACED',
  'CANCELLED',
  'BANK_ACCOUNT_CHANGED',
  /** An electronic card moved to the physical card that replaced the one it mirrored. */
  'RELINKED',
] as const;
export const BANK_AGREEMENT_STATUSES = ['ACTIVE', 'SUSPENDED', 'TERMINATED'] as const;

export type CardKind = (typeof CARD_KINDS)[number];
export type CardStatus = (typeof CARD_STATUSES)[number];
export type LossKind = (typeof LOSS_KINDS)[number];
export type Channel = (typeof CHANNELS)[number];
export type CardEventType = (typeof CARD_EVENT_TYPES)[number];

export const cardKindEnum = hr.enum('card_kind', CARD_KINDS);
export const cardStatusEnum = hr.enum('card_status', CARD_STATUSES);
export const lossKindEnum = hr.enum('loss_kind', LOSS_KINDS);
export const channelEnum = hr.enum('channel', CHANNELS);
export const cardEventTypeEnum = hr.enum('card_event_type', CARD_EVENT_TYPES);
export const bankAgreementStatusEnum = hr.enum('bank_agreement_status', BANK_AGREEMENT_STATUSES);

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/** Cooperating financial institutions (Art 12), with the state of their agreement (Art 20). */
export const banks = hr.table('banks', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  agreementStatus: bankAgreementStatusEnum('agreement_status').notNull().default('ACTIVE'),
  createdAt: createdAt(),
});

/** A holder's accounts over time; the open one (closed_at null) is where disbursements go (Art 8). */
export const bankAccounts = hr.table(
  'bank_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    holderId: uuid('holder_id')
      .notNull()
      .references(() => holders.id),
    bankCode: text('bank_code')
      .notNull()
      .references(() => banks.code),
    accountNumber: text('account_number').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('bank_accounts_one_open_per_holder')
      .on(t.holderId)
      .where(sql`${t.closedAt} is null`),
  ],
);

export const cards = hr.table(
  'cards',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cardNumber: text('card_number').notNull().unique(),
    identificationCode: char('identification_code', { length: 32 }).notNull().unique(),
    holderId: uuid('holder_id')
      .notNull()
      .references(() => holders.id),
    kind: cardKindEnum('kind').notNull(),
    /** For an electronic card: the physical card it mirrors, whose status it shares. */
    physicalCardId: uuid('physical_card_id'),
    status: cardStatusEnum('status').notNull(),
    lossKind: lossKindEnum('loss_kind'),
    lossReportedAt: timestamp('loss_reported_at', { withTimezone: true }),
    /** When a temporary loss report stops holding and the card is usable again. */
    lossLapsesAt: timestamp('loss_lapses_at', { withTimezone: true }),
    issuingAuthority: char('issuing_authority', { length: 6 }).notNull(),
    issuedOn: date('issued_on', { mode: 'string' }),
    expiresOn: date('expires_on', { mode: 'string' }),
    replacedByCardId: uuid('replaced_by_card_id'),
    bankAccountId: uuid('bank_account_id').references(() => bankAccounts.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('cards_holder_idx').on(t.holderId),
    index('cards_physical_card_idx').on(t.physicalCardId),
    // The database itself refuses a second live card of a kind, whatever races the application loses.
    uniqueIndex('cards_one_live_physical_per_holder')
      .on(t.holderId)
      .where(sql`${t.kind} = 'PHYSICAL' and ${t.status} in ('APPLIED', 'ACTIVE', 'LOST')`),
    uniqueIndex('cards_one_live_electronic_per_holder')
      .on(t.holderId)
      .where(sql`${t.kind} = 'ELECTRONIC' and ${t.status} in ('APPLIED', 'ACTIVE', 'LOST')`),
  ],
);

/** Append-only history of every card step (a trigger in the migrations refuses UPDATE and DELETE). */
export const cardEvents = hr.table(
  'card_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    cardId: uuid('card_id')
      .notNull()
      .references(() => cards.id),
    holderId: uuid('holder_id')
      .notNull()
      .references(() => holders.id),
    type: cardEventTypeEnum('type').notNull(),
    fromStatus: cardStatusEnum('from_status'),
    toStatus: cardStatusEnum('to_status').notNull(),
    /** Null for steps the system takes itself, such as a temporary loss report lapsing. */
    channel: channelEnum('channel'),
    city: char('city', { length: 6 }),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
  },
  (t) => [index('card_events_card_idx').on(t.cardId, t.id)],
);

/** Every write's idempotency key, claimed in the write's own transaction (subgraphs/kit/idempotency.ts). */
export const idempotencyKeys = idempotencyTable(hr);

export type CardRow = typeof cards.$inferSelect;
export type CardEventRow = typeof cardEvents.$inferSelect;
export type BankRow = typeof banks.$inferSelect;
export type BankAccountRow = typeof bankAccounts.$inferSelect;

// Social insurance and the HR e-file library: a file of their own, read by drizzle-kit through this one.
export * from './e-file-tables.js';
// Violations and fines (Art 19): likewise.
export * from './violation-tables.js';
