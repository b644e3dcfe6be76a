// The Art 19 rules checked before anything is written: the fine's range (inclusive), the status machine, the feed
// cursor, and what an export line leaves out.
import { describe, expect, it } from 'vitest';
import {
  exportLine,
  NEXT_STATUSES,
  readFeedCursor,
  readFine,
  type PublicCreditRecord,
} from '../../../../subgraphs/hr/violations.js';

const codeOf = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    return (error as { extensions?: Record<string, unknown> }).extensions;
  }
  return undefined;
};

describe('readFine', () => {
  it('takes 1,000 to 10,000 yuan inclusive, in fen, or none', () => {
    expect(readFine(100_000)).toBe(100_000);
    expect(readFine(1_000_000)).toBe(1_000_000);
    expect(readFine(null)).toBeNull();
  });

  it('refuses any other amount with FINE_OUT_OF_RANGE, and a fraction as bad input', () => {
    for (const fen of [99_999, 1_000_001, 0, -1])
      expect(codeOf(() => readFine(fen))).toMatchObject({ code: 'FINE_OUT_OF_RANGE', field: 'fineFen' });
    expect(codeOf(() => readFine(100_000.5))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'fineFen' });
  });
});

describe('the status machine', () => {
  it('moves forward only, CLOSED final', () => {
    expect(NEXT_STATUSES).toEqual({ DECIDED: ['CORRECTED', 'CLOSED'], CORRECTED: ['CLOSED'], CLOSED: [] });
  });
});

describe('the feed', () => {
  it('reads its own cursors, and refuses anything else naming `after`', () => {
    expect(readFeedCursor(null)).toBe(0);
    expect(readFeedCursor('42')).toBe(42);
    for (const bad of ['-1', 'abc', '1e3', '9'.repeat(16)])
      expect(codeOf(() => readFeedCursor(bad))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('exports a record without the holder’s internal id', () => {
    const record = { position: '1', holderId: 'f7a1c0de-0000-4000-8000-000000000000', name: '陈小明' };
    expect(JSON.parse(exportLine(record as unknown as PublicCreditRecord))).toEqual({ position: '1', name: '陈小明' });
  });
});
