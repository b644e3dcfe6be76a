// Dates on cards are Guangdong calendar dates (UTC+8, no daylight saving), whatever the server's time zone.
import { badInput } from './errors.js';

const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

export function chinaDate(instant: Date): string {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** Timestamps leave the hub as ISO 8601 strings; the database drivers hand back Date objects or strings. */
export function isoTimestamp(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** A `YYYY-MM-DD` input that is a real calendar date, or BAD_USER_INPUT naming the field. */
export function readDate(value: string, field: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || date.toISOString().slice(0, 10) !== value) throw badInput(`${field} must be a date as YYYY-MM-DD, got "${value}"`, field);
  return value;
}
