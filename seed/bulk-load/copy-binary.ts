// PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"), for
// the column types seeding writes. Pure: bytes in a buffer, no database.
// Written byte by byte into one buffer: Buffer's own write methods (a call and checks per value) were a good part
// of a large seed's time.
import type { ColumnType, Target } from './columns.js';

/** PostgreSQL counts timestamps and dates from 2000-01-01. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const PG_EPOCH_DAYS = 10_957;
const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Hex digits' values by character code, 255 for any other character. */
const HEX = new Uint8Array(128).fill(255);
for (const [i, c] of [...'0123456789abcdef'].entries()) HEX[c.charCodeAt(0)] = HEX[c.toUpperCase().charCodeAt(0)] = i;
/** Room a field other than text needs at most: its length, then a uuid, a timestamp or numeric's header and 32 digits. */
const FIELD_BYTES = 4 + 8 + 64;
const MAX_NUMERIC_DIGITS = 32;

/** COPY's binary format: a header, then per row the field count and each field's length and bytes. */
export class CopyData {
  offset = 0;

  constructor(public buffer: Buffer) {
    buffer.set(COPY_SIGNATURE, 0);
    this.offset = COPY_SIGNATURE.length;
    this.int32(0); // flags
    this.int32(0); // header extension length
  }

  /** Makes room for `bytes` more; the writers below do not check. */
  reserve(bytes: number) {
    if (this.offset + bytes > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes));
      this.buffer.copy(grown, 0, 0, this.offset);
      this.buffer = grown;
    }
  }

  byte(n: number) {
    this.buffer[this.offset++] = n;
  }

  int16(n: number) {
    const b = this.buffer;
    const o = this.offset;
    b[o] = n >> 8;
    b[o + 1] = n;
    this.offset = o + 2;
  }

  int32(n: number) {
    const b = this.buffer;
    const o = this.offset;
    b[o] = n >>> 24;
    b[o + 1] = n >>> 16;
    b[o + 2] = n >>> 8;
    b[o + 3] = n;
    this.offset = o + 4;
  }

  /** A signed 64-bit integer from a safe JavaScript integer. */
  int64(n: number) {
    const high = Math.floor(n / 2 ** 32);
    this.int32(high);
    this.int32(n - high * 2 ** 32);
  }

  /** A field of UTF-8 text, length first. */
  text(s: string) {
    this.reserve(4 + s.length * 3);
    const b = this.buffer;
    const start = this.offset + 4;
    let o = start;
    // Short ASCII (codes, statuses, numbers) byte by byte; the rest, Chinese names included, through Buffer.
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80 || s.length > 32) {
        o = start + b.write(s, start, 'utf8');
        break;
      }
      b[o++] = c;
    }
    this.int32(o - start);
    this.offset = o;
  }

  uuid(s: string) {
    if (
      s.length !== 36 ||
      s.charCodeAt(8) !== 45 ||
      s.charCodeAt(13) !== 45 ||
      s.charCodeAt(18) !== 45 ||
      s.charCodeAt(23) !== 45
    ) {
      throw new Error(`Bulk insert: not a uuid: ${s}`);
    }
    this.int32(16);
    const b = this.buffer;
    let o = this.offset;
    for (let i = 0; i < 36; i += 2) {
      if (i === 8 || i === 13 || i === 18 || i === 23) i++; // past a hyphen
      const high = HEX[s.charCodeAt(i)] ?? 255;
      const low = HEX[s.charCodeAt(i + 1)] ?? 255;
      if (high === 255 || low === 255) throw new Error(`Bulk insert: not a uuid: ${s}`);
      b[o++] = high * 16 + low;
    }
    this.offset = o;
  }

  get size(): number {
    return this.offset;
  }

  /** The data, trailer included. */
  end(): Buffer {
    this.reserve(2);
    this.int16(-1);
    return this.buffer.subarray(0, this.offset);
  }
}

export type FieldEncoder = (out: CopyData, value: unknown) => void;

const isDigit = (c: number) => c >= 48 && c <= 57;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9];

/** Days since 2000-01-01 of a `YYYY-MM-DD` date, by the proleptic Gregorian calendar as PostgreSQL counts. */
function daysOf(date: string): number {
  let ok = date.length === 10 && date.charCodeAt(4) === 45 && date.charCodeAt(7) === 45;
  for (const i of DATE_DIGITS) ok &&= isDigit(date.charCodeAt(i));
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (!ok || m < 1 || m > 12 || d < 1 || d > MONTH_DAYS[m - 1]! + (m === 2 && leap ? 1 : 0))
    throw new Error(`Bulk insert: not a date: ${date}`);
  // Days from 1970-01-01 (Howard Hinnant's days_from_civil).
  const year = m <= 2 ? y - 1 : y;
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return (
    era * 146_097 +
    yearOfEra * 365 +
    Math.floor(yearOfEra / 4) -
    Math.floor(yearOfEra / 100) +
    dayOfYear -
    719_468 -
    PG_EPOCH_DAYS
  );
}

const numericDigits = new Array<number>(MAX_NUMERIC_DIGITS);
/** numeric's binary form: base-10000 digits, the first one's weight, the sign and the display scale. */
function numeric(out: CopyData, value: unknown) {
  const s = typeof value === 'string' ? value : String(value);
  const start = s.charCodeAt(0) === 45 ? 1 : 0;
  const dot = s.indexOf('.') < 0 ? s.length : s.indexOf('.');
  const scale = dot < s.length ? s.length - dot - 1 : 0;
  const wholeGroups = Math.ceil((dot - start) / 4);
  const count = wholeGroups + Math.ceil(scale / 4);
  let ok = dot > start && (dot === s.length || scale > 0) && count <= MAX_NUMERIC_DIGITS;
  // The whole part in groups of four back from the dot, the fraction in groups of four on from it.
  for (let g = 0; g < count && ok; g++) {
    const from = g < wholeGroups ? dot - 4 * (wholeGroups - g) : dot + 1 + 4 * (g - wholeGroups);
    let digit = 0;
    for (let i = from; i < from + 4; i++) {
      const c = i < start || i >= s.length ? 48 : s.charCodeAt(i); // zeros before the number and after it
      ok &&= isDigit(c);
      digit = digit * 10 + c - 48;
    }
    numericDigits[g] = digit;
  }
  if (!ok) throw new Error(`Bulk insert: not a plain decimal: ${s}`);
  let first = 0;
  while (first < count && numericDigits[first] === 0) first++;
  let last = count;
  while (last > first && numericDigits[last - 1] === 0) last--;
  out.int32(8 + 2 * (last - first));
  out.int16(last - first);
  out.int16(last > first ? wholeGroups - 1 - first : 0);
  out.int16(start === 1 && last > first ? 0x4000 : 0);
  out.int16(scale);
  for (let g = first; g < last; g++) out.int16(numericDigits[g]!);
}

function timestamp(out: CopyData, value: unknown) {
  if (!(value instanceof Date)) throw new Error(`Bulk insert: a timestamp takes a Date, got ${String(value)}`);
  out.int32(8);
  out.int64((value.getTime() - PG_EPOCH_MS) * 1000);
}

/** How a column's values go into COPY's binary format (the server's receive function checks each one). */
export function encoderFor(type: ColumnType): FieldEncoder {
  if (type.kind === 'e') return (out, v) => out.text(String(v));
  switch (type.name) {
    case 'text':
    case 'varchar':
    case 'bpchar':
      return (out, v) => out.text(String(v));
    // As drizzle sends them: JSON text; jsonb's binary form is a version number (1), then the same.
    case 'json':
      return (out, v) => out.text(JSON.stringify(v));
    case 'jsonb':
      return (out, v) => out.text(`\x01${JSON.stringify(v)}`);
    case 'uuid':
      return (out, v) => out.uuid(String(v));
    case 'int2':
      return (out, v) => (out.int32(2), out.int16(Number(v)));
    case 'int4':
      return (out, v) => (out.int32(4), out.int32(Number(v)));
    case 'int8':
      return (out, v) => (out.int32(8), out.int64(Number(v)));
    case 'bool':
      return (out, v) => (out.int32(1), out.byte(v ? 1 : 0));
    case 'numeric':
      return numeric;
    case 'date':
      return (out, v) => (
        out.int32(4),
        out.int32(v instanceof Date ? Math.floor((v.getTime() - PG_EPOCH_MS) / 86_400_000) : daysOf(String(v)))
      );
    case 'timestamptz':
    case 'timestamp':
      return timestamp;
    default:
      throw new Error(`Bulk insert: no binary encoding for ${type.sql}`);
  }
}

/** Rows appended to a COPY's data, for the `targets` columns. */
export function appendRows(
  out: CopyData,
  targets: readonly Pick<Target, 'key' | 'type'>[],
  rows: readonly Record<string, unknown>[],
) {
  const encoders = targets.map((t) => encoderFor(t.type));
  const keys = targets.map((t) => t.key);
  for (const row of rows) {
    out.reserve(2 + keys.length * FIELD_BYTES);
    out.int16(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const value = row[keys[i]!];
      if (value === undefined || value === null) out.int32(-1);
      else encoders[i]!(out, value);
    }
  }
}
