// Free text from callers: trimmed, bounded, and free of control characters (a NUL byte would otherwise reach
// the database as an internal error). And input echoed back in messages is cut short.
import { badInput } from '../../core/protocol/errors.js';

const CONTROL = /[\u0000-\u001f\u007f]/;

export function readText(value: string, field: string, max = 100): string {
  const text = value.trim();
  if (!text || text.length > max || CONTROL.test(text))
    throw badInput(`${field} must be 1 to ${max} characters of text`, field);
  return text;
}

/** A caller's value as it may appear in a message: at most 40 characters. */
export function quote(value: string): string {
  const shown = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return shown.length > 40 ? `${shown.slice(0, 37)}...` : shown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value is a UUID, as every opaque id here is: check before it reaches a uuid column. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
