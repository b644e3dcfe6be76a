// The binary COPY encoder against a real server's receive functions: rows encoded by copy-binary.ts, COPYed into
// PGlite (embedded, whatever DATABASE_URL says; the seed tests cover postgres.js's COPY path), read back as text.
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnType } from '../../seed/bulk-load/columns.js';
import { appendRows, CopyData } from '../../seed/bulk-load/copy-binary.js';

let pg: PGlite;
let types: Map<string, ColumnType>;

beforeAll(async () => {
  pg = new PGlite();
  await pg.waitReady;
  await pg.exec(`set timezone = 'UTC';
    create type status as enum ('ACTIVE', 'LOST');
    create table every_type (t text, v varchar(10), c char(6), e status, j json, jb jsonb, u uuid, s int2, i int4, b int8,
      ok bool, n numeric, d date, ts timestamp(3) with time zone, tl timestamp)`);
  // As columns.ts reads them.
  const { rows } = await pg.query<
    ColumnType & { column: string }
  >(`select a.attname as column, format_type(a.atttypid, a.atttypmod) as sql,
      t.typname as name, t.typtype as kind
    from pg_attribute a join pg_type t on t.oid = a.atttypid
    where a.attrelid = 'every_type'::regclass and a.attnum > 0 and not a.attisdropped`);
  types = new Map(rows.map(({ column, ...type }) => [column, type]));
});
afterAll(async () => {
  await pg?.close();
});

const COLUMNS = ['t', 'v', 'c', 'e', 'j', 'jb', 'u', 's', 'i', 'b', 'ok', 'n', 'd', 'ts', 'tl'];

/** In COPY order: the table is emptied first, so the rows lie on its pages as they came. */
async function roundTrip(rows: Record<string, unknown>[]): Promise<Record<string, string | null>[]> {
  await pg.exec('truncate every_type');
  const out = new CopyData(Buffer.alloc(19));
  appendRows(
    out,
    COLUMNS.map((key) => ({ key, type: types.get(key)! })),
    rows,
  );
  await pg.query(`copy every_type (${COLUMNS.join(', ')}) from '/dev/blob' (format binary)`, [], {
    blob: new Blob([new Uint8Array(out.end())]),
  });
  const read = await pg.query<Record<string, string | null>>(
    `select ${COLUMNS.map((c) => `${c}::text`).join(', ')} from every_type order by ctid`,
  );
  return read.rows;
}

describe('binary COPY into PostgreSQL', () => {
  it('gives back every supported type, edge values included', async () => {
    expect(
      await roundTrip([
        {
          t: '广州',
          v: 'ab',
          c: '440100',
          e: 'LOST',
          j: { a: [1, 'x'] },
          jb: { 城市: '广州', n: 1.5 },
          u: '123E4567-e89b-12d3-a456-426614174000',
          s: -32768,
          i: -2147483648,
          b: Number.MIN_SAFE_INTEGER,
          ok: true,
          n: '-12345.678',
          d: '1900-03-01',
          ts: new Date('1999-12-31T23:59:59.999Z'),
          tl: new Date('1970-01-01T00:00:00Z'),
        },
        {
          t: '',
          v: '',
          c: '000000',
          e: 'ACTIVE',
          j: [],
          jb: 'x',
          u: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
          s: 32767,
          i: 2147483647,
          b: Number.MAX_SAFE_INTEGER,
          ok: false,
          n: '0.00001',
          d: '2024-02-29',
          ts: new Date('2024-05-01T08:30:00+08:00'),
          tl: new Date('2000-01-01T00:00:00.001Z'),
        },
        { t: 'x'.repeat(40), i: 0, n: '100000000', d: new Date('2000-01-01T12:00:00Z'), b: 2 ** 32, s: -1 },
        { n: '0.10' },
      ]),
    ).toEqual([
      {
        t: '广州',
        v: 'ab',
        c: '440100',
        e: 'LOST',
        j: '{"a":[1,"x"]}',
        jb: '{"n": 1.5, "城市": "广州"}',
        u: '123e4567-e89b-12d3-a456-426614174000',
        s: '-32768',
        i: '-2147483648',
        b: '-9007199254740991',
        ok: 'true',
        n: '-12345.678',
        d: '1900-03-01',
        ts: '1999-12-31 23:59:59.999+00',
        tl: '1970-01-01 00:00:00',
      },
      {
        t: '',
        v: '',
        c: '000000',
        e: 'ACTIVE',
        j: '[]',
        jb: '"x"',
        u: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
        s: '32767',
        i: '2147483647',
        b: '9007199254740991',
        ok: 'false',
        n: '0.00001',
        d: '2024-02-29',
        ts: '2024-05-01 00:30:00+00',
        tl: '2000-01-01 00:00:00.001',
      },
      {
        t: 'x'.repeat(40),
        v: null,
        c: null,
        e: null,
        j: null,
        jb: null,
        u: null,
        s: '-1',
        i: '0',
        b: '4294967296',
        ok: null,
        n: '100000000',
        d: '2000-01-01',
        ts: null,
        tl: null,
      },
      {
        t: null,
        v: null,
        c: null,
        e: null,
        j: null,
        jb: null,
        u: null,
        s: null,
        i: null,
        b: null,
        ok: null,
        n: '0.10',
        d: null,
        ts: null,
        tl: null,
      },
    ]);
  });

  it('is refused by the server when a value breaks its type, e.g. a label outside the enum', async () => {
    await expect(roundTrip([{ e: 'CANCELLED', i: 1 }])).rejects.toThrow(/invalid input value for enum status/);
  });
});
