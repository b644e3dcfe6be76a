import { describe, expect, it } from 'vitest';
import {
  checkCharacter,
  inferIdType,
  validateAnyIdNumber,
  validateIdNumber,
  validatePhone,
} from '../../../../subgraphs/hr/identifiers.js';

describe('ISO 7064 MOD 11-2 check character', () => {
  it('matches the examples of GB 11643-1999', () => {
    expect(checkCharacter('11010519491231002')).toBe('X');
    expect(checkCharacter('44052418800101001')).toBe('4');
  });
});

describe('resident ID numbers', () => {
  it('accepts real numbers and reads birth date and gender from them', () => {
    expect(validateIdNumber('RESIDENT_ID', '11010519491231002X')).toEqual({
      ok: true,
      idNumber: '11010519491231002X',
      birthDate: '1949-12-31',
      gender: 'FEMALE',
    });
    expect(validateIdNumber('RESIDENT_ID', '440524188001010014')).toMatchObject({
      ok: true,
      birthDate: '1880-01-01',
      gender: 'MALE',
    });
    // Guangzhou Tianhe, and a lower-case x as people type it.
    expect(validateIdNumber('RESIDENT_ID', '440106199003071231')).toMatchObject({ ok: true, gender: 'MALE' });
    expect(validateIdNumber('RESIDENT_ID', ' 11010519491231002x ')).toMatchObject({
      ok: true,
      idNumber: '11010519491231002X',
    });
  });

  it('accepts withdrawn division codes, which IDs issued under them keep (440102 Dongshan, merged 2005)', () => {
    const first17 = '44010219800101001';
    expect(validateIdNumber('RESIDENT_ID', first17 + checkCharacter(first17)).ok).toBe(true);
  });

  it.each([
    ['11010519491231002', 'must be 18 characters, got 17'],
    ['1101051949123100XX', '17 digits followed by a digit or X'],
    ['000000199003071234', 'starts with 000000, which is not an administrative division code'],
    ['449999199003071234', 'starts with 449999, which is not an administrative division code'],
    ['440106199002301234', 'birth date 19900230, which is not a real past date'],
    ['440106209901011234', 'birth date 20990101, which is not a real past date'],
    ['440106199003071234', 'check character is 4 but should be 1'],
    ['810000199408230021', 'residence permit prefix; use idType HK_MACAU_RESIDENCE_PERMIT'],
  ])('refuses %s and says what is wrong', (number, reason) => {
    const result = validateIdNumber('RESIDENT_ID', number);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });
});

describe('Hong Kong, Macau and Taiwan residents and foreigners (Art 10)', () => {
  it('accepts residence permits under 810000, 820000 and 830000 only for their own type', () => {
    expect(validateIdNumber('HK_MACAU_RESIDENCE_PERMIT', '810000199408230021').ok).toBe(true);
    const macau = '82000019850505002';
    expect(validateIdNumber('HK_MACAU_RESIDENCE_PERMIT', macau + checkCharacter(macau)).ok).toBe(true);
    const taiwan = '83000019800101001';
    expect(validateIdNumber('TAIWAN_RESIDENCE_PERMIT', taiwan + checkCharacter(taiwan)).ok).toBe(true);
    const wrong = validateIdNumber('TAIWAN_RESIDENCE_PERMIT', '810000199408230021');
    expect(!wrong.ok && wrong.reason).toContain('must start with 830000');
    expect(validateIdNumber('HK_MACAU_RESIDENCE_PERMIT', '810000199408230022').ok).toBe(false);
  });

  it('accepts travel permits and permanent resident IDs in their formats', () => {
    expect(validateIdNumber('HK_MACAU_TRAVEL_PERMIT', 'H1234567801').ok).toBe(true);
    expect(validateIdNumber('HK_MACAU_TRAVEL_PERMIT', 'M12345678').ok).toBe(true);
    expect(validateIdNumber('HK_MACAU_TRAVEL_PERMIT', 'X12345678').ok).toBe(false);
    expect(validateIdNumber('TAIWAN_TRAVEL_PERMIT', '12345678').ok).toBe(true);
    expect(validateIdNumber('TAIWAN_TRAVEL_PERMIT', '1234567').ok).toBe(false);
    const foreign = '94484019900101001';
    expect(validateIdNumber('FOREIGN_PERMANENT_RESIDENT', foreign + checkCharacter(foreign))).toMatchObject({
      ok: true,
      birthDate: '1990-01-01',
    });
    expect(validateIdNumber('FOREIGN_PERMANENT_RESIDENT', 'USA440101010011').ok).toBe(true);
    expect(validateIdNumber('FOREIGN_PERMANENT_RESIDENT', '440106199003071231').ok).toBe(false);
  });

  it("tells a bare number's document type for look-ups", () => {
    expect(inferIdType('440106199003071231')).toBe('RESIDENT_ID');
    expect(inferIdType('810000199408230021')).toBe('HK_MACAU_RESIDENCE_PERMIT');
    expect(inferIdType('H1234567801')).toBe('HK_MACAU_TRAVEL_PERMIT');
    expect(inferIdType('12345678')).toBe('TAIWAN_TRAVEL_PERMIT');
    expect(inferIdType('not-an-id')).toBeNull();
    expect(validateAnyIdNumber('not-an-id')).toMatchObject({ ok: false });
  });
});

describe('phone numbers', () => {
  it('accepts mainland mobiles and international numbers, refuses the rest', () => {
    expect(validatePhone('138 0013 8000')).toBe('13800138000');
    expect(validatePhone('+85291234567')).toBe('+85291234567');
    expect(validatePhone('12345')).toBeNull();
    expect(validatePhone('23800138000')).toBeNull();
  });
});
