// Client-supplied values on their way into a log line or an audit record: an operation name, a header, a document,
// an error message echoing input. A client chooses their length (a 100 KB operation name was logged whole), so every
// such site cuts them to a bound, says that it did and how long the original was, and keeps the line one line.

/** The bound for a client's value in a log line or an audit record, unless a site says otherwise. */
export const CAP_CHARS = 200;

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
const NEWLINES = /[\r\n]+/g;

/**
 * `value` as a log line or record may hold it: at most `max` characters (code points, so no surrogate pair is cut in
 * two), then `…(<n> chars)` naming the original length. For a log line (`oneLine`, the default) newlines and control
 * characters are shown as `⏎` and `?`, so a client cannot forge a line of its own; an audit record's columns keep
 * them (the record is structured, and stores what it hashed). Values that are not strings are turned into text.
 */
export function capped(value: unknown, max = CAP_CHARS, oneLine = true): string {
  const text = typeof value === 'string' ? value : String(value);
  const clean = oneLine ? text.replace(NEWLINES, '⏎').replace(CONTROL, '?') : text;
  if (clean.length <= max) return clean;
  const points = Array.from(clean);
  if (points.length <= max) return clean;
  return `${points.slice(0, max).join('')}…(${points.length} chars)`;
}

/** Like `capped`, for a value that may be absent. */
export const cappedOrNull = (value: string | null | undefined, max = CAP_CHARS): string | null =>
  value === null || value === undefined ? null : capped(value, max);
