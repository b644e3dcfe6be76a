// What a licence must look like, without a database: numbers, classes, points, terms and the status on a day.
import { describe, expect, it } from 'vitest';
import {
  checkTerm,
  licenceStatus,
  readLicenceNumber,
  readPoints,
  readVehicleClass,
} from '../../../../subgraphs/public-security/licence-rules.js';

/** The field a BAD_USER_INPUT error names. */
function fieldOf(read: () => unknown): unknown {
  try {
    read();
  } catch (error) {
    return (error as { extensions?: Record<string, unknown> }).extensions;
  }
  throw new Error('accepted');
}

describe('licence rules', () => {
  it('reads vehicle classes alone and together, as printed, refusing unknown and repeated ones', () => {
    expect(readVehicleClass(' c1 ')).toBe('C1');
    expect(readVehicleClass('A2D')).toBe('A2D');
    expect(readVehicleClass('C1E')).toBe('C1E');
    expect(readVehicleClass('C6')).toBe('C6');
    for (const bad of ['', 'C7', 'A', 'C1C1', 'B3', 'C1 E', 'X'])
      expect(
        fieldOf(() => readVehicleClass(bad)),
        bad,
      ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'vehicleClass' });
  });

  it('takes a 12-digit file number and points from 0 to 12', () => {
    expect(readLicenceNumber(' 440100000001 ')).toBe('440100000001');
    for (const bad of ['44010000000', '4401000000011', '11010519491231002X', '44010000000a'])
      expect(
        fieldOf(() => readLicenceNumber(bad)),
        bad,
      ).toMatchObject({ field: 'licenceNumber' });
    expect(readPoints(0)).toBe(0);
    expect(readPoints(12)).toBe(12);
    for (const bad of [-1, 13, 1.5]) expect(fieldOf(() => readPoints(bad))).toMatchObject({ field: 'points' });
  });

  it('holds terms to their lengths: 6 or 10 years for a driving licence, 5, 10 or 20 for an ID card', () => {
    expect(() => checkTerm('DRIVING_LICENCE', '2020-03-01', '2026-03-01')).not.toThrow();
    expect(() => checkTerm('DRIVING_LICENCE', '2020-03-01', null)).not.toThrow();
    expect(() => checkTerm('RESIDENT_ID_CARD', '2020-03-01', '2040-03-01')).not.toThrow();
    expect(() => checkTerm('RESIDENT_ID_CARD', '2024-02-29', '2029-02-28')).not.toThrow();
    expect(fieldOf(() => checkTerm('DRIVING_LICENCE', '2020-03-01', '2025-03-01'))).toMatchObject({
      field: 'validUntil',
    });
    expect(fieldOf(() => checkTerm('RESIDENT_ID_CARD', '2020-03-01', '2026-03-01'))).toMatchObject({
      field: 'validUntil',
    });
  });

  it('reads a valid licence past its last day as expired, and keeps a recorded status', () => {
    expect(licenceStatus({ status: 'VALID', validUntil: '2026-03-01' }, '2026-03-01')).toBe('VALID');
    expect(licenceStatus({ status: 'VALID', validUntil: '2026-03-01' }, '2026-03-02')).toBe('EXPIRED');
    expect(licenceStatus({ status: 'VALID', validUntil: null }, '2099-01-01')).toBe('VALID');
    expect(licenceStatus({ status: 'SUSPENDED', validUntil: '2020-01-01' }, '2026-01-01')).toBe('SUSPENDED');
  });
});
