// Transport's tables, in schema `transport`: the transit function loaded on cards, and rides (Art 7(4)).
import { char, index, numeric, pgSchema, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { idempotencyTable } from '../kit/idempotency.js';

export const transport = pgSchema('transport');

export const RIDE_MODES = ['BUS', 'METRO', 'FERRY', 'HIGH_SPEED_RAIL', 'FLIGHT'] as const;
export const CONCESSIONS = ['NONE', 'ELDERLY', 'DISABILITY', 'VETERAN'] as const;
export type RideMode = (typeof RIDE_MODES)[number];
export type Concession = (typeof CONCESSIONS)[number];

export const rideModeEnum = transport.enum('ride_mode', RIDE_MODES);
export const concessionEnum = transport.enum('concession', CONCESSIONS);

/** The transit function as loaded on one card by one city's operator; unloading keeps the row. */
export const transitFunctions = transport.table(
  'transit_functions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cardNumber: text('card_number').notNull(),
    /** Copied from hr when loading, so a holder's transit functions load without asking hr. */
    holderId: uuid('holder_id').notNull(),
    city: char('city', { length: 6 }).notNull(),
    operator: text('operator').notNull(),
    loadedAt: timestamp('loaded_at', { withTimezone: true }).notNull().defaultNow(),
    unloadedAt: timestamp('unloaded_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('transit_functions_card_city').on(t.cardNumber, t.city),
    index('transit_functions_holder_idx').on(t.holderId),
  ],
);

export const rides = transport.table(
  'rides',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    holderId: uuid('holder_id').notNull(),
    cardNumber: text('card_number').notNull(),
    mode: rideModeEnum('mode').notNull(),
    city: char('city', { length: 6 }).notNull(),
    line: text('line').notNull(),
    station: text('station').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, precision: 3 }).notNull(),
    /** Yuan actually charged, after any concession. */
    fare: numeric('fare', { precision: 10, scale: 2 }).notNull(),
    concession: concessionEnum('concession').notNull().default('NONE'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('rides_holder_time_idx').on(t.holderId, t.occurredAt, t.id)],
);

export const idempotencyKeys = idempotencyTable(transport);

export type TransitFunctionRow = typeof transitFunctions.$inferSelect;
export type RideRow = typeof rides.$inferSelect;
