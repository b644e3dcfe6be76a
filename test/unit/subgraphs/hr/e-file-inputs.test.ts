// The checks on social insurance and e-file input: what each accepts, and the field each refusal names.
import { describe, expect, it } from 'vitest';
import {
  creditCodeCheck,
  monthOf,
  readEmployerCode,
  readFen,
  readMonth,
  readPeriod,
  readSha256,
} from '../../../../subgraphs/hr/e-file-inputs.js';

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { extensions?: Record<string, unknown> }).extensions;
  }
  throw new Error('accepted');
};

describe('the unified social credit code', () => {
  it('computes the check character of a published code (GB 32100-2015)', () => {
    expect(creditCodeCheck('91350100M000100Y4')).toBe('3');
    expect(readEmployerCode(' 91350100m000100y43 ')).toBe('91350100M000100Y43');
  });

  it('refuses a wrong check character, a letter outside the alphabet and a short code', () => {
    for (const code of ['91350100M000100Y44', '91350100M000100I43', '9135010'])
      expect(refusal(() => readEmployerCode(code))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'employerCode' });
  });
});

describe('amounts in fen', () => {
  it('takes whole fen from 0 up to what a 32-bit Int holds', () => {
    expect(readFen(0, 'employerFen')).toBe(0);
    expect(readFen(2_147_483_647, 'employerFen')).toBe(2_147_483_647);
  });

  it('refuses negative, fractional and oversized amounts, naming the field', () => {
    for (const fen of [-1, 0.5, 2 ** 31, Number.NaN])
      expect(refusal(() => readFen(fen, 'personalFen'))).toMatchObject({ field: 'personalFen' });
  });
});

describe('months, periods and hashes', () => {
  it('reads a month as its first moment in Guangdong, and back', () => {
    const { at } = readMonth('2026-01');
    expect(at.toISOString()).toBe('2025-12-31T16:00:00.000Z');
    expect(monthOf(at)).toBe('2026-01');
    for (const bad of ['2026-1', '2026-13', '2026-00', '1899-12', '2026-01-01'])
      expect(refusal(() => readMonth(bad))).toMatchObject({ field: 'month' });
  });

  it('refuses an end before its start, naming the end', () => {
    expect(readPeriod('2024-01-01', null)).toEqual({ start: '2024-01-01', end: null });
    expect(refusal(() => readPeriod('2024-01-02', '2024-01-01'))).toMatchObject({ field: 'endDate' });
    expect(refusal(() => readPeriod('2024-02-30', null))).toMatchObject({ field: 'startDate' });
  });

  it('keeps a SHA-256 digest lowercase and refuses anything else', () => {
    expect(readSha256('AB'.repeat(32))).toBe('ab'.repeat(32));
    for (const bad of ['ab'.repeat(31), 'zz'.repeat(32), `${'ab'.repeat(32)}00`])
      expect(refusal(() => readSha256(bad))).toMatchObject({ field: 'documentSha256' });
  });
});
