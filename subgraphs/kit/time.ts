// Dates on cards are Guangdong calendar dates (UTC+8, no daylight saving), whatever the server's time zone.
import { badInput } from '../../core/protocol/errors.js';

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
  if (!date || date.toISOString().slice(0, 10) !== value)
    throw badInput(`${field} must be a date as YYYY-MM-DD, got "${value}"`, field);
  return value;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;

function realDay(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(2000, m - 1, d));
  date.setUTCFullYear(y);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * An instant from a caller: ISO 8601 with its offset (`Z` or `+08:00`), a real calendar day, a year from 1900
 * to 9999. Anything else is BAD_USER_INPUT naming the field: JavaScript's own parser would take "1" as 2001,
 * read offset-less times in the server's zone, roll 30 February into March, and let year 0 reach the database.
 */
export function readInstant(value: string, field: string): Date {
  const m = INSTANT.exec(value);
  const [y, mo, d, h, mi, s] = m
    ? ([1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number])
    : [];
  if (
    !m ||
    y! < 1900 ||
    y! > 9999 ||
    !realDay(y!, mo!, d!) ||
    h! > 23 ||
    mi! > 59 ||
    s! > 59 ||
    Number(m[8] ?? 0) > 14 ||
    Number(m[9] ?? 0) > 59
  ) {
    throw badInput(`${field} must be an ISO 8601 time with its offset, e.g. 2026-03-01T09:30:00+08:00`, field);
  }
  return new Date(value);
}

/** A day or an instant bounding a range: `YYYY-MM-DD` is midnight in Guangdong (UTC+8), the start of that day there. */
export function readDayOrInstant(value: string, field: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split('-').map(Number) as [number, number, number];
    if (y < 1900 || y > 9999 || !realDay(y, m, d))
      throw badInput(`${field} must be a real day as YYYY-MM-DD, or an ISO 8601 time with its offset`, field);
    return new Date(`${value}T00:00:00+08:00`);
  }
  return readInstant(value, field);
}

/** Devices' clocks run a little fast; an event up to this far ahead of ours is still taken as past. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** An instant (as `readInstant`) at which something already happened. */
export function readPastInstant(value: string, field: string, now = Date.now()): Date {
  const at = readInstant(value, field);
  if (at.getTime() > now + CLOCK_SKEW_MS) throw badInput(`${field} is in the future`, field);
  return at;
}
