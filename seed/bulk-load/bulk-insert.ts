// Seeding's way of writing many rows. drizzle's multi-row VALUES binds a parameter per value, and building those
// was most of a large seed's time; here a table's rows of a batch go in one piece:
// - on PostgreSQL (postgres.js), as a binary COPY: the server parses nothing, which at a million holders is most
//   of its work saved;
// - on PGlite, as one INSERT per few thousand rows whose values travel as a single JSON parameter of column
//   arrays that PostgreSQL unpacks itself (json_to_record, unnest).
// Both give the same rows; test/seed.test.ts runs on either driver.
import { getTableColumns, sql, type Column, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { PostgresJsSession } from 'drizzle-orm/postgres-js';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Sql } from 'postgres';
import { rowsOf, type Db } from '../../core/database.js';
import { yieldToEventLoop } from '../../core/process.js';

/** Rows per INSERT (PGlite): big enough that statements do not count, small enough to keep each parameter a few MB. */
const ROWS_PER_STATEMENT = 5_000;

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

const qualifiedNameOf = (table: PgTable) => {
  const { name, schema } = getTableConfig(table);
  return schema ? `${quote(schema)}.${quote(name)}` : quote(name);
};

interface ColumnType {
  /** As the database spells it: `hr.card_status`, `timestamp(3) with time zone`. */
  sql: string;
  /** pg_type's typname (`uuid`, `bpchar`, `timestamptz`) and typtype (`e` for an enum). */
  name: string;
  kind: string;
}

const columnTypes = new WeakMap<PgTable, Map<string, ColumnType>>();

/** Each column's type, by column name, read from the database once per table. */
async function typesOf(db: Db, table: PgTable): Promise<Map<string, ColumnType>> {
  let types = columnTypes.get(table);
  if (!types) {
    const rows = await rowsOf<ColumnType & { column: string }>(db, sql`select a.attname as column, format_type(a.atttypid, a.atttypmod) as sql,
        t.typname as name, t.typtype as kind
      from pg_attribute a join pg_type t on t.oid = a.atttypid
      where a.attrelid = ${qualifiedNameOf(table)}::regclass and a.attnum > 0 and not a.attisdropped`);
    types = new Map(rows.map(({ column, ...type }) => [column, type]));
    columnTypes.set(table, types);
  }
  return types;
}

interface Target {
  key: string;
  column: Column;
  type: ColumnType;
}

/**
 * The columns `rows` give a value for. As with drizzle's insert, a key a row leaves out (undefined) is NULL — but
 * not a column default: a column with a default must be given in every row or in none (then the default applies),
 * which is checked.
 */
function targetsOf(table: PgTable, types: Map<string, ColumnType>, rows: readonly Record<string, unknown>[]): Target[] {
  const targets: Target[] = [];
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    if (!rows.some((row) => row[key] !== undefined)) continue;
    if (column.hasDefault && rows.some((row) => row[key] === undefined)) {
      throw new Error(`Bulk insert into ${qualifiedNameOf(table)}: ${key} is given in some rows and left to its default in others`);
    }
    const type = types.get(column.name);
    if (!type) throw new Error(`Bulk insert into ${qualifiedNameOf(table)}: no column ${column.name}`);
    targets.push({ key, column, type });
  }
  return targets;
}

// ---- PGlite: INSERT … SELECT from a JSON parameter ----

/**
 * The INSERT statements for `rows`. Values go through JSON: strings, numbers, booleans, objects for json columns,
 * and Dates (for a timestamp column, as epoch milliseconds: Date#toJSON costs more than all the rest).
 */
function insertStatements(table: PgTable, targets: Target[], rows: readonly Record<string, unknown>[]): SQL[] {
  const statements: SQL[] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const end = Math.min(start + ROWS_PER_STATEMENT, rows.length);
    // JSON's keys are positional (c0, c1, …): property keys may be anything, SQL names must be quoted.
    const fields = targets.map(({ key, type }, i) => {
      const values: unknown[] = new Array(end - start);
      let instants = true;
      for (let r = start; r < end; r++) {
        const value = rows[r]![key];
        if (value instanceof Date) values[r - start] = value.getTime();
        else {
          values[r - start] = value ?? null;
          if (value != null) instants = false;
        }
      }
      const epoch = type.name === 'timestamptz' || type.name === 'timestamp';
      // Back to Dates (JSON's ISO strings) where a column mixes them with other values, or is no timestamp.
      if (!(epoch && instants)) for (let r = start; r < end; r++) if (rows[r]![key] instanceof Date) values[r - start] = rows[r]![key];
      const field = `c${i}`;
      return {
        field, values, type: epoch && instants ? 'bigint' : type.sql,
        value: epoch && instants ? `${type.name} 'epoch' + u.${field} * interval '1 millisecond'` : `u.${field}`,
      };
    });
    const json = JSON.stringify(Object.fromEntries(fields.map((f) => [f.field, f.values])));
    const list = (f: (field: (typeof fields)[number], i: number) => string) => sql.raw(fields.map(f).join(', '));
    statements.push(sql`insert into ${sql.raw(qualifiedNameOf(table))} (${list((_, i) => quote(targets[i]!.column.name))})
      select ${list((f) => f.value)} from json_to_record(${json}::text::json) as r(${list((f) => `${f.field} ${f.type}[]`)}),
      unnest(${list((f) => `r.${f.field}`)}) as u(${list((f) => f.field)})`);
  }
  return statements;
}

// ---- PostgreSQL: binary COPY ----
// Written byte by byte into one buffer: Buffer's own write methods (a call and checks per value) were a good part
// of a large seed's time.

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
class CopyData {
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
    if (s.length !== 36 || s.charCodeAt(8) !== 45 || s.charCodeAt(13) !== 45 || s.charCodeAt(18) !== 45 || s.charCodeAt(23) !== 45) {
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

type FieldEncoder = (out: CopyData, value: unknown) => void;

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
  if (!ok || m < 1 || m > 12 || d < 1 || d > MONTH_DAYS[m - 1]! + (m === 2 && leap ? 1 : 0)) throw new Error(`Bulk insert: not a date: ${date}`);
  // Days from 1970-01-01 (Howard Hinnant's days_from_civil).
  const year = m <= 2 ? y - 1 : y;
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return era * 146_097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719_468 - PG_EPOCH_DAYS;
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
function encoderFor(type: ColumnType): FieldEncoder {
  if (type.kind === 'e') return (out, v) => out.text(String(v));
  switch (type.name) {
    case 'text': case 'varchar': case 'bpchar': return (out, v) => out.text(String(v));
    // As drizzle sends them: JSON text; jsonb's binary form is a version number (1), then the same.
    case 'json': return (out, v) => out.text(JSON.stringify(v));
    case 'jsonb': return (out, v) => out.text(`\x01${JSON.stringify(v)}`);
    case 'uuid': return (out, v) => out.uuid(String(v));
    case 'int2': return (out, v) => (out.int32(2), out.int16(Number(v)));
    case 'int4': return (out, v) => (out.int32(4), out.int32(Number(v)));
    case 'int8': return (out, v) => (out.int32(8), out.int64(Number(v)));
    case 'bool': return (out, v) => (out.int32(1), out.byte(v ? 1 : 0));
    case 'numeric': return numeric;
    case 'date': return (out, v) => (out.int32(4), out.int32(v instanceof Date ? Math.floor((v.getTime() - PG_EPOCH_MS) / 86_400_000) : daysOf(String(v))));
    case 'timestamptz': case 'timestamp': return timestamp;
    default: throw new Error(`Bulk insert: no binary encoding for ${type.sql}`);
  }
}

/** Rows appended to a COPY's data, for the `targets` columns. */
function appendRows(out: CopyData, targets: Target[], rows: readonly Record<string, unknown>[]) {
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

// ---- Writers ----

/** One table's rows within a batch; `into` checks them against the table. */
export type Batch = readonly [table: PgTable, rows: readonly object[]];
export const into = <T extends PgTable>(table: T, rows: readonly T['$inferInsert'][]): Batch => [table, rows];

interface Writer {
  write(batch: Batch[]): Promise<void>;
  /** Once everything written is in. */
  flush(): Promise<void>;
  /** Once nothing is under way any more, written or failed (before the transaction ends). */
  settle(): Promise<void>;
}

/** PGlite: a batch's statements in one go; PGlite runs them in this thread, one after the other. */
class InsertWriter implements Writer {
  private pending: Promise<unknown> = Promise.resolve();

  constructor(private readonly tx: Db, private readonly types: Map<PgTable, Map<string, ColumnType>>) {}

  async write(batch: Batch[]) {
    await this.pending;
    const statements = batch.flatMap(([table, rows]) =>
      rows.length === 0 ? [] : insertStatements(table, targetsOf(table, this.types.get(table)!, rows as Record<string, unknown>[]), rows as Record<string, unknown>[]));
    this.pending = Promise.all(statements.map((statement) => this.tx.execute(statement)));
  }

  async flush() {
    await this.pending;
  }

  async settle() {
    await this.pending.catch(() => {});
  }
}

/** COPY data a table gathers before it is sent: a few MB, a fraction of a second of the server's work. */
const COPY_BYTES = 4 << 20;
/** COPYs queued at most before `write` waits for the oldest. */
const COPIES_QUEUED = 4;

/**
 * PostgreSQL: each table's rows gather as binary COPY data, sent a few MB at a time while the caller builds more
 * rows. postgres.js cannot send anything else on a connection during a COPY, so until `flush` the transaction's
 * connection is this writer's alone: the seed reads other departments' data through other connections.
 */
class CopyWriter implements Writer {
  /** Per table, the data gathering and the columns it is for. */
  private readonly gathering = new Map<PgTable, { columns: string; targets: Target[]; data: CopyData }>();
  /** The last COPY queued; each starts once the one before it has finished. */
  private last: Promise<void> = Promise.resolve();
  private readonly queued: Promise<void>[] = [];
  /** Buffers of COPYs sent, for the next ones: no new 5 MB allocation (and garbage) per COPY. */
  private readonly spare: Buffer[] = [];

  constructor(private readonly client: Sql, private readonly types: Map<PgTable, Map<string, ColumnType>>) {}

  async write(batch: Batch[]) {
    for (const [table, tableRows] of batch) {
      const rows = tableRows as Record<string, unknown>[];
      if (rows.length === 0) continue;
      const targets = targetsOf(table, this.types.get(table)!, rows);
      const columns = targets.map((t) => quote(t.column.name)).join(', ');
      let gathering = this.gathering.get(table);
      // A batch giving other columns than the data gathered so far starts a COPY of its own.
      if (gathering && gathering.columns !== columns) this.send(table);
      gathering = this.gathering.get(table);
      if (!gathering) this.gathering.set(table, (gathering = { columns, targets, data: new CopyData(this.spare.pop() ?? Buffer.allocUnsafe(COPY_BYTES + (1 << 20))) }));
      appendRows(gathering.data, targets, rows);
      if (gathering.data.size >= COPY_BYTES) this.send(table);
    }
    while (this.queued.length > COPIES_QUEUED) await this.queued.shift();
    // Lets the COPYs under way take their next step (and a Ctrl-C in) before the caller computes again.
    await yieldToEventLoop();
  }

  async flush() {
    for (const table of [...this.gathering.keys()]) this.send(table);
    await this.last;
  }

  async settle() {
    await this.last.catch(() => {});
  }

  private send(table: PgTable) {
    const gathering = this.gathering.get(table);
    if (!gathering) return;
    this.gathering.delete(table);
    const data = gathering.data.end();
    const copy = this.last.then(async () => {
      const stream = await this.client.unsafe(`copy ${qualifiedNameOf(table)} (${gathering.columns}) from stdin (format binary)`).writable();
      await pipeline(Readable.from([data]), stream);
      // postgres.js has copied the data out by now.
      if (this.spare.length < COPIES_QUEUED) this.spare.push(gathering.data.buffer);
    });
    // Awaited by `write`, `flush` or `settle`; failing meanwhile, it must not count as unhandled.
    copy.catch(() => {});
    this.last = copy;
    this.queued.push(copy);
  }
}

/**
 * Fills empty `tables` inside the caller's transaction: `load` writes batches of rows (parents before children
 * within a batch), and when it is done the tables' indexes and keys are built, as they were. PostgreSQL gets the
 * rows by binary COPY while `load` builds the next ones; on PostgreSQL, `load` must read through other
 * connections than `tx`'s (see readerIn). A failed or interrupted load leaves the tables as they were, once the
 * transaction rolls back.
 */
export async function bulkLoad(tx: Db, tables: PgTable[], load: (write: (batch: Batch[]) => Promise<void>) => Promise<void>): Promise<void> {
  const types = new Map<PgTable, Map<string, ColumnType>>();
  for (const table of tables) types.set(table, await typesOf(tx, table));
  const indexes = await setIndexesAside(tx, tables);
  const session = tx._.session;
  const writer: Writer = session instanceof PostgresJsSession ? new CopyWriter(session.client as Sql, types) : new InsertWriter(tx, types);
  const write = (batch: Batch[]) => {
    for (const [table] of batch) if (!types.has(table)) throw new Error(`Bulk load: ${qualifiedNameOf(table)} is not among its tables`);
    return writer.write(batch);
  };
  try {
    await load(write);
    await writer.flush();
  } catch (error) {
    // Nothing may be under way on the connection when the transaction rolls back.
    await writer.settle();
    throw error;
  }
  await indexes.rebuild();
}

/**
 * Sets aside the indexes and keys of `tables` (primary, unique, and foreign to or from them) for a bulk load;
 * `rebuild` refreshes the planner's statistics (for the departments that read these tables next) and builds
 * them again exactly as they were (pg_get_indexdef, pg_get_constraintdef). Sorting once per index beats a random
 * B-tree insertion per row and index, and a foreign-key look-up per row and key, several times over at a million
 * holders. Both run in the caller's transaction: a load that fails or is interrupted rolls back to the tables as
 * they were, indexes included. Meant for empty tables under the seed lock: until the commit, other sessions
 * wait on them.
 */
async function setIndexesAside(tx: Db, tables: PgTable[]): Promise<{ rebuild(): Promise<void> }> {
  const oids = sql.join(tables.map((t) => sql`${qualifiedNameOf(t)}::regclass`), sql`, `);
  const statements = (query: SQL) => rowsOf<{ drop: string; create: string }>(tx, query);
  const foreignKeys = await statements(sql`select format('alter table %s drop constraint %I', conrelid::regclass, conname) as drop,
      format('alter table %s add constraint %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) as create
    from pg_constraint where contype = 'f' and (conrelid in (${oids}) or confrelid in (${oids})) order by oid`);
  const keys = await statements(sql`select format('alter table %s drop constraint %I', conrelid::regclass, conname) as drop,
      format('alter table %s add constraint %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) as create
    from pg_constraint where contype in ('p', 'u') and conrelid in (${oids}) order by oid`);
  const indexes = await statements(sql`select format('drop index %s', indexrelid::regclass) as drop, pg_get_indexdef(indexrelid) as create
    from pg_index i where indrelid in (${oids})
      and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.contype in ('p', 'u', 'x'))
    order by indexrelid`);
  // Dropped dependants first (a foreign key needs the key it references), built again in the opposite order.
  const deferred = [...foreignKeys, ...indexes, ...keys];
  for (const { drop } of deferred) await tx.execute(sql.raw(drop));
  return {
    async rebuild() {
      // Statistics first: the foreign keys' validating joins are planned with them (a third faster).
      for (const table of tables) await tx.execute(sql.raw(`analyze ${qualifiedNameOf(table)}`));
      // Index builds sort in memory up to this much (the default, 64 MB, spills a million rows to disk).
      await tx.execute(sql`set local maintenance_work_mem = '256MB'`);
      for (const { create } of deferred.reverse()) await tx.execute(sql.raw(create));
    },
  };
}
