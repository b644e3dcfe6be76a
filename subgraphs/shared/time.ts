// Dates on cards are Guangdong calendar dates (UTC+8, no daylight saving), whatever the server's time zone.
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

export function chinaDate(instant: Date): string {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** Timestamps leave the hub as ISO 8601 strings; the database drivers hand back Date objects or strings. */
export function isoTimestamp(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
