// The `hr` Postgres schema and its holders table, which every other hr table references: a file of its own so that
// tables.ts and e-file-tables.ts both build on it without importing each other. tables.ts re-exports it all.
import { char, date, index, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const hr = pgSchema('hr');

export const ID_TYPES = [
  'RESIDENT_ID',
  'HK_MACAU_RESIDENCE_PERMIT',
  'TAIWAN_RESIDENCE_PERMIT',
  'HK_MACAU_TRAVEL_PERMIT',
  'TAIWAN_TRAVEL_PERMIT',
  'FOREIGN_PERMANENT_RESIDENT',
] as const;
export const GENDERS = ['MALE', 'FEMALE'] as const;
export type IdType = (typeof ID_TYPES)[number];

export const idTypeEnum = hr.enum('id_type', ID_TYPES);
export const genderEnum = hr.enum('gender', GENDERS);

export const holders = hr.table(
  'holders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    idType: idTypeEnum('id_type').notNull(),
    idNumber: text('id_number').notNull().unique(),
    name: text('name').notNull(),
    gender: genderEnum('gender').notNull(),
    birthDate: date('birth_date', { mode: 'string' }).notNull(),
    phone: text('phone'),
    registeredCity: char('registered_city', { length: 6 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('holders_registered_city_idx').on(t.registeredCity)],
);

export type HolderRow = typeof holders.$inferSelect;
