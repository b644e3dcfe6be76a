// The binary COPY encoder against PostgreSQL's "Binary Format" (https://www.postgresql.org/docs/current/sql-copy.html)
// and each type's send function, byte for byte. Expected bytes are hex, spaced for reading.
import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../../../../seed/bulk-load/columns.js';
import { appendRows, CopyData, encoderFor } from '../../../../seed/bulk-load/copy-binary.js';

/** Signature `PGCOPY\n\377\r\n\0`, flags int32 0, header extension length int32 0. */
const HEADER = '50 47 43 4f 50 59 0a ff 0d 0a 00  00 00 00 00  00 00 00 00';
const TRAILER = 'ff ff';
const hex = (spaced: string) => spaced.replace(/\s+/g, '');

const type = (name: string, kind = 'b'): ColumnType => ({ name, kind, sql: name });

/** A whole COPY stream as hex. The buffer starts at the header's size, so every row makes it grow. */
function copy(columns: Record<string, ColumnType>, rows: Record<string, unknown>[]): string {
  const out = new CopyData(Buffer.alloc(19));
  appendRows(
    out,
    Object.entries(columns).map(([key, type]) => ({ key, type })),
    rows,
  );
  return out.end().toString('hex');
}

/** One field's bytes as hex (int32 length, then data), from a one-column, one-row stream. */
function field(columnType: ColumnType | string, value: unknown): string {
  const stream = copy({ v: typeof columnType === 'string' ? type(columnType) : columnType }, [{ v: value }]);
  const before = hex(HEADER) + '0001';
  expect(stream.startsWith(before) && stream.endsWith(hex(TRAILER))).toBe(true);
  return stream.slice(before.length, -hex(TRAILER).length);
}

describe('stream layout', () => {
  it('is the header, then the trailer, for no rows', () => {
    expect(new CopyData(Buffer.alloc(19)).end().toString('hex')).toBe(hex(HEADER + TRAILER));
  });

  it('writes each tuple as an int16 field count, then per field an int32 length and the bytes, -1 for NULL', () => {
    const columns = { id: type('int4'), name: type('text') };
    expect(copy(columns, [{ id: 1, name: 'ab' }, { id: 2, name: null }, { id: 3 }, { id: null, name: '' }])).toBe(
      hex(`${HEADER}
      00 02  00 00 00 04 00 00 00 01  00 00 00 02 61 62
      00 02  00 00 00 04 00 00 00 02  ff ff ff ff
      00 02  00 00 00 04 00 00 00 03  ff ff ff ff
      00 02  ff ff ff ff              00 00 00 00
      ${TRAILER}`),
    );
  });

  it('writes fields in the order of the columns given, whatever the order of the row keys', () => {
    expect(copy({ b: type('int2'), a: type('bool') }, [{ a: true, b: 7 }])).toBe(
      hex(`${HEADER} 00 02  00 00 00 02 00 07  00 00 00 01 01 ${TRAILER}`),
    );
  });

  it('gives the same bytes whether the buffer grows or is large and holds stale bytes', () => {
    const columns = { id: type('uuid'), name: type('text'), at: type('timestamptz'), amount: type('numeric') };
    const rows = Array.from({ length: 500 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      name: i % 2 ? `持卡人${i}` : 'x'.repeat(i),
      at: new Date(Date.UTC(2024, 0, 1) + i * 1000),
      amount: `${i}.${i % 100}`,
    }));
    const large = new CopyData(Buffer.alloc(1 << 20, 0xaa));
    appendRows(
      large,
      Object.entries(columns).map(([key, type]) => ({ key, type })),
      rows,
    );
    expect(large.end().toString('hex')).toBe(copy(columns, rows));
  });

  it('can append to the same data more than once, as each batch of a seed does', () => {
    const out = new CopyData(Buffer.alloc(19));
    appendRows(out, [{ key: 'n', type: type('int4') }], [{ n: 1 }]);
    appendRows(out, [{ key: 'n', type: type('int4') }], [{ n: 2 }]);
    expect(out.end().toString('hex')).toBe(hex(`${HEADER} 0001 00000004 00000001  0001 00000004 00000002 ${TRAILER}`));
  });
});

describe('text, varchar, bpchar and enums: UTF-8, no terminator', () => {
  it('writes ASCII, an empty string and a non-string value as its String()', () => {
    expect(field('text', 'ACTIVE')).toBe(hex('00 00 00 06  41 43 54 49 56 45'));
    expect(field('text', '')).toBe(hex('00 00 00 00'));
    expect(field('varchar', 42)).toBe(hex('00 00 00 02  34 32'));
    expect(field('bpchar', '440100')).toBe(hex('00 00 00 06  34 34 30 31 30 30'));
  });

  it('counts bytes, not characters, in multibyte UTF-8', () => {
    // 广 U+5E7F, 州 U+5DDE: three bytes each.
    expect(field('text', '广州')).toBe(hex('00 00 00 06  e5 b9 bf  e5 b7 9e'));
    // ASCII first, then a character beyond it.
    expect(field('text', 'ab广')).toBe(hex('00 00 00 05  61 62  e5 b9 bf'));
    // A surrogate pair: four bytes.
    expect(field('text', '😀')).toBe(hex('00 00 00 04  f0 9f 98 80'));
  });

  it('writes long ASCII as well as short', () => {
    const long = 'abcdefghij'.repeat(10);
    expect(field('text', long)).toBe('00000064' + Buffer.from(long).toString('hex'));
  });

  it('writes text longer than the whole buffer so far', () => {
    const long = '广'.repeat(100_000);
    expect(field('text', long)).toBe('000493e0' + 'e5b9bf'.repeat(100_000));
  });

  it('writes an enum (typtype e) as its label, whatever its name', () => {
    expect(field(type('card_status', 'e'), 'LOST')).toBe(hex('00 00 00 04  4c 4f 53 54'));
  });
});

describe('json and jsonb', () => {
  it('writes json as JSON text', () => {
    expect(field('json', { a: 1 })).toBe(hex('00 00 00 07  7b 22 61 22 3a 31 7d'));
  });

  it('writes jsonb as version byte 1, then JSON text', () => {
    expect(field('jsonb', { a: 1 })).toBe(hex('00 00 00 08  01  7b 22 61 22 3a 31 7d'));
    expect(field('jsonb', ['广州'])).toBe(hex('00 00 00 0b  01  5b 22 e5 b9 bf e5 b7 9e 22 5d'));
    expect(field('jsonb', 'x')).toBe(hex('00 00 00 04  01  22 78 22'));
  });
});

describe('uuid: 16 raw bytes', () => {
  it('writes the hex digits as bytes, either case', () => {
    const bytes = '00 00 00 10  12 3e 45 67  e8 9b  12 d3  a4 56  42 66 14 17 40 00';
    expect(field('uuid', '123e4567-e89b-12d3-a456-426614174000')).toBe(hex(bytes));
    expect(field('uuid', '123E4567-E89B-12D3-A456-426614174000')).toBe(hex(bytes));
    expect(field('uuid', 'ffffffff-ffff-ffff-ffff-ffffffffffff')).toBe(hex('00 00 00 10' + ' ff'.repeat(16)));
  });

  it.each([
    '123e4567e89b12d3a456426614174000',
    '123e4567-e89b-12d3-a456-42661417400',
    '123e4567-e89b-12d3-a456-4266141740000',
    '123e4567_e89b-12d3-a456-426614174000',
    '123e4567-e89b-12d3-a456-42661417400g',
    '123e4567-e89b-12d3-a456-42661417400广',
  ])('refuses %s', (value) => {
    expect(() => field('uuid', value)).toThrow(`Bulk insert: not a uuid: ${value}`);
  });
});

describe('integers: big-endian two’s complement', () => {
  it('writes int2 in two bytes', () => {
    expect(field('int2', 1)).toBe(hex('00 00 00 02  00 01'));
    expect(field('int2', -1)).toBe(hex('00 00 00 02  ff ff'));
    expect(field('int2', 32767)).toBe(hex('00 00 00 02  7f ff'));
    expect(field('int2', -32768)).toBe(hex('00 00 00 02  80 00'));
  });

  it('writes int4 in four bytes, from a number or its string', () => {
    expect(field('int4', 0)).toBe(hex('00 00 00 04  00 00 00 00'));
    expect(field('int4', 258)).toBe(hex('00 00 00 04  00 00 01 02'));
    expect(field('int4', '42')).toBe(hex('00 00 00 04  00 00 00 2a'));
    expect(field('int4', -2)).toBe(hex('00 00 00 04  ff ff ff fe'));
    expect(field('int4', 2_147_483_647)).toBe(hex('00 00 00 04  7f ff ff ff'));
    expect(field('int4', -2_147_483_648)).toBe(hex('00 00 00 04  80 00 00 00'));
  });

  it('writes int8 in eight bytes, for any safe integer', () => {
    expect(field('int8', 1)).toBe(hex('00 00 00 08  00 00 00 00 00 00 00 01'));
    expect(field('int8', -1)).toBe(hex('00 00 00 08  ff ff ff ff ff ff ff ff'));
    expect(field('int8', 2 ** 32)).toBe(hex('00 00 00 08  00 00 00 01 00 00 00 00'));
    expect(field('int8', -(2 ** 32))).toBe(hex('00 00 00 08  ff ff ff ff 00 00 00 00'));
    expect(field('int8', Number.MAX_SAFE_INTEGER)).toBe(hex('00 00 00 08  00 1f ff ff ff ff ff ff'));
    expect(field('int8', Number.MIN_SAFE_INTEGER)).toBe(hex('00 00 00 08  ff e0 00 00 00 00 00 01'));
    expect(field('int8', 123n)).toBe(hex('00 00 00 08  00 00 00 00 00 00 00 7b'));
  });
});

describe('bool', () => {
  it('writes one byte, 1 or 0', () => {
    expect(field('bool', true)).toBe(hex('00 00 00 01  01'));
    expect(field('bool', false)).toBe(hex('00 00 00 01  00'));
  });
});

describe('numeric: ndigits, weight, sign, dscale, then base-10000 digits (int16 each)', () => {
  it.each([
    // value, ndigits weight sign dscale, digits
    ['0', '0000 0000 0000 0000', ''],
    ['-0', '0000 0000 0000 0000', ''],
    ['1', '0001 0000 0000 0000', '0001'],
    ['12345.678', '0003 0001 0000 0003', '0001 0929 1a7c'], // 1 2345 . 6780
    ['-12345.678', '0003 0001 4000 0003', '0001 0929 1a7c'],
    ['-0.05', '0001 ffff 4000 0002', '01f4'], // . 0500, weight -1
    ['0.10', '0001 ffff 0000 0002', '03e8'], // trailing zeros in dscale, not in digits
    ['0.00001', '0001 fffe 0000 0005', '03e8'], // . 0000 1000: leading zero digit dropped, weight -2
    ['100000000', '0001 0002 0000 0000', '0001'], // 1 0000 0000: trailing zero digits dropped
    ['10000.0001', '0003 0001 0000 0004', '0001 0000 0001'],
    ['9999', '0001 0000 0000 0000', '270f'],
  ])('writes %s', (value, header, digits) => {
    const body = hex(header + digits);
    expect(field('numeric', value)).toBe((body.length / 2).toString(16).padStart(8, '0') + body);
  });

  it('takes numbers as their String()', () => {
    expect(field('numeric', 1.5)).toBe(hex('00 00 00 0c  0002 0000 0000 0001  0001 1388'));
    expect(field('numeric', -7)).toBe(hex('00 00 00 0a  0001 0000 4000 0000  0007'));
  });

  it('writes 32 base-10000 digits, and refuses 33', () => {
    const digits32 = '1'.repeat(128);
    expect(field('numeric', digits32)).toBe('00000048' + hex('0020 001f 0000 0000') + '0457'.repeat(32));
    expect(() => field('numeric', `1${digits32}`)).toThrow('Bulk insert: not a plain decimal');
  });

  it.each(['', '-', '.5', '5.', '1e5', '1,5', '+1', ' 1', 'NaN', 'Infinity', '1.2.3', '--1'])('refuses %j', (value) => {
    expect(() => field('numeric', value)).toThrow(`Bulk insert: not a plain decimal: ${value}`);
  });
});

describe('date: int32 days since 2000-01-01', () => {
  it.each([
    ['2000-01-01', '00000000'],
    ['2000-01-02', '00000001'],
    ['1999-12-31', 'ffffffff'],
    ['2000-03-01', '0000003c'], // 31 + 29: 2000 is a leap year
    ['2024-02-29', '00002279'], // 8 825 = 24 × 365 + 6 leap days + 31 + 28
    ['1970-01-01', 'ffffd533'], // -10 957
    ['1900-03-01', 'ffff718f'], // -36 465: 1900 is no leap year
    ['0001-01-01', 'fff4dbf9'], // -730 119, proleptic Gregorian
    ['9999-12-31', '002c95d3'], // 2 921 939
  ])('writes %s', (value, days) => {
    expect(field('date', value)).toBe('00000004' + days);
  });

  it('takes a Date as its UTC day', () => {
    expect(field('date', new Date('2000-01-01T23:59:59.999Z'))).toBe('00000004' + '00000000');
    expect(field('date', new Date('1999-12-31T23:00:00Z'))).toBe('00000004' + 'ffffffff');
    expect(field('date', new Date('2024-02-29T00:00:00+08:00'))).toBe('00000004' + '00002278');
  });

  it.each([
    '2023-02-29',
    '1900-02-29',
    '2024-04-31',
    '2024-13-01',
    '2024-00-10',
    '2024-01-00',
    '2024-1-01',
    '20240101',
    '2024/01/01',
    '2024-01-0a',
    'x',
  ])('refuses %s', (value) => {
    expect(() => field('date', value)).toThrow(`Bulk insert: not a date: ${value}`);
  });
});

describe('timestamp and timestamptz: int64 microseconds since 2000-01-01 00:00 UTC', () => {
  it.each([
    ['2000-01-01T00:00:00Z', '00 00 00 00 00 00 00 00'],
    ['2000-01-01T00:00:00.001Z', '00 00 00 00 00 00 03 e8'], // 1 000
    ['1999-12-31T23:59:59.999Z', 'ff ff ff ff ff ff fc 18'], // -1 000
    ['1970-01-01T00:00:00Z', 'ff fc a2 fe c4 c8 20 00'], // -946 684 800 000 000
    ['1900-01-01T00:00:00Z', 'ff f4 c9 ee 7c 0b 80 00'], // -3 155 673 600 000 000
    ['2024-05-01T08:30:00+08:00', '00 02 ba 58 5a ff 72 00'], // 767 838 600 000 000
  ])('writes %s', (iso, micros) => {
    expect(field('timestamptz', new Date(iso))).toBe(hex('00 00 00 08' + micros));
    expect(field('timestamp', new Date(iso))).toBe(hex('00 00 00 08' + micros));
  });

  it('takes only a Date', () => {
    expect(() => field('timestamptz', '2000-01-01T00:00:00Z')).toThrow(
      'Bulk insert: a timestamp takes a Date, got 2000-01-01T00:00:00Z',
    );
    expect(() => field('timestamp', 0)).toThrow('Bulk insert: a timestamp takes a Date, got 0');
  });
});

describe('other types', () => {
  it.each(['_text', '_int4', 'bytea', 'float8', 'interval', 'inet'])(
    'has no encoding for %s, and says so up front',
    (name) => {
      expect(() => encoderFor({ name, kind: 'b', sql: `${name} (as spelt)` })).toThrow(
        `Bulk insert: no binary encoding for ${name} (as spelt)`,
      );
    },
  );
});
