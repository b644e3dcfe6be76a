import { describe, expect, it } from 'vitest';
import {
  checkStep,
  expiryDate,
  hasLapsed,
  lossLapseTime,
  type CardState,
} from '../../../../subgraphs/hr/card-rules.js';
import { generateCardNumber, generateIdentificationCode } from '../../../../subgraphs/hr/card-numbers.js';
import { isCardNumber } from '../../../../subgraphs/kit/card-number.js';

const card = (status: CardState['status'], extra: Partial<CardState> = {}): CardState => ({
  kind: 'PHYSICAL',
  status,
  lossKind: null,
  lossLapsesAt: null,
  ...extra,
});

describe('card state machine', () => {
  it('allows the legal steps', () => {
    expect(checkStep(card('APPLIED'), 'ISSUE')).toEqual({ ok: true, to: 'ACTIVE' });
    expect(checkStep(card('ACTIVE'), 'REPORT_LOSS', 'TEMPORARY')).toEqual({ ok: true, to: 'LOST' });
    expect(checkStep(card('LOST', { lossKind: 'TEMPORARY' }), 'REPORT_LOSS', 'FORMAL')).toEqual({
      ok: true,
      to: 'LOST',
    });
    expect(checkStep(card('LOST'), 'CANCEL_LOSS_REPORT')).toEqual({ ok: true, to: 'ACTIVE' });
    expect(checkStep(card('ACTIVE'), 'REPLACE')).toEqual({ ok: true, to: 'REPLACED' });
    expect(checkStep(card('LOST'), 'REPLACE')).toEqual({ ok: true, to: 'REPLACED' });
    expect(checkStep(card('APPLIED'), 'CANCEL')).toEqual({ ok: true, to: 'CANCELLED' });
  });

  it.each([
    ['CANCELLED', 'REPORT_LOSS'],
    ['REPLACED', 'REPLACE'],
    ['ACTIVE', 'ISSUE'],
    ['APPLIED', 'REPLACE'],
    ['ACTIVE', 'CANCEL_LOSS_REPORT'],
    ['CANCELLED', 'CANCEL'],
  ] as const)('refuses %s → %s', (status, step) => {
    expect(checkStep(card(status), step)).toMatchObject({ ok: false });
  });

  it('refuses a second formal loss report and steps on an electronic card other than cancelling it', () => {
    expect(checkStep(card('LOST', { lossKind: 'FORMAL' }), 'REPORT_LOSS', 'FORMAL').ok).toBe(false);
    expect(checkStep(card('ACTIVE', { kind: 'ELECTRONIC' }), 'REPORT_LOSS', 'TEMPORARY').ok).toBe(false);
    expect(checkStep(card('ACTIVE', { kind: 'ELECTRONIC' }), 'CANCEL').ok).toBe(true);
  });

  it('lets a temporary loss report lapse after its days, and a formal one never', () => {
    const reported = new Date('2026-01-01T00:00:00Z');
    const lapses = lossLapseTime(reported, 'TEMPORARY', 5)!;
    expect(lapses.toISOString()).toBe('2026-01-06T00:00:00.000Z');
    const lost = card('LOST', { lossKind: 'TEMPORARY', lossLapsesAt: lapses });
    expect(hasLapsed(lost, new Date('2026-01-05T23:59:59Z'))).toBe(false);
    expect(hasLapsed(lost, new Date('2026-01-06T00:00:00Z'))).toBe(true);
    expect(lossLapseTime(reported, 'FORMAL', 5)).toBeNull();
  });

  it('expires cards after ten years, 29 February on 28 February', () => {
    expect(expiryDate('2026-11-23')).toBe('2036-11-23');
    expect(expiryDate('2024-02-29')).toBe('2034-02-28');
  });
});

describe('card numbers', () => {
  it('draws a letter and 8 digits, E for electronic cards, and a 32-character identification code', () => {
    for (let i = 0; i < 100; i++) {
      const physical = generateCardNumber('PHYSICAL');
      expect(isCardNumber(physical)).toBe(true);
      expect(physical[0]).not.toMatch(/[EIO]/);
    }
    expect(generateCardNumber('ELECTRONIC')).toMatch(/^E\d{8}$/);
    expect(generateIdentificationCode('440100')).toMatch(/^440100D156000005[0-9A-F]{16}$/);
  });
});
