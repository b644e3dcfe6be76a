// What a licence must look like, and whether it holds on a given day. Pure: no database, no clock.
import { badInput } from '../../core/protocol/errors.js';
import { quote } from '../kit/text.js';
import type { LicenceRow, StoredLicenceStatus } from './tables.js';

export type LicenceStatus = StoredLicenceStatus | 'EXPIRED';

/**
 * The licence number this hub keeps: the 12-digit file number (档案编号) printed on a driving licence. The licence's
 * own 证号 is the holder's ID number, which hr owns; keying licences by it would copy it into another department.
 */
export function readLicenceNumber(raw: string, field = 'licenceNumber'): string {
  const licenceNumber = raw.trim();
  if (!/^\d{12}$/.test(licenceNumber))
    throw badInput(`${field} must be the licence's 12-digit file number (档案编号), got "${quote(raw)}"`, field);
  return licenceNumber;
}

/** The vehicle classes (准驾车型) of the Ministry of Public Security's Order 162, C6 included. */
const CLASS = 'A[1-3]|B[12]|C[1-6]|[DEFMNP]';

/** A licence's classes as printed, one or several together (C1, A2D, C1E): each known, none twice. */
export function readVehicleClass(raw: string, field = 'vehicleClass'): string {
  const value = raw.trim().toUpperCase();
  const classes: string[] = [];
  const next = new RegExp(CLASS, 'y');
  while (next.lastIndex < value.length) {
    const at = next.lastIndex;
    const match = next.exec(value);
    if (!match || classes.includes(match[0])) {
      throw badInput(
        `${field} "${quote(raw)}" is not a vehicle class (A1 A2 A3 B1 B2 C1 to C6 D E F M N P, e.g. C1 or A2D) at "${value.slice(at, at + 2)}"`,
        field,
      );
    }
    classes.push(match[0]);
  }
  if (classes.length === 0) throw badInput(`${field} must name a vehicle class, e.g. C1`, field);
  return classes.join('');
}

/** Penalty points in a scoring cycle: at 12 the driver stops driving until they pass the tests again. */
export function readPoints(points: number, field = 'points'): number {
  if (!Number.isInteger(points) || points < 0 || points > 12)
    throw badInput(`${field} must be a whole number of points from 0 to 12, got ${points}`, field);
  return points;
}

const plusYears = (day: string, years: number) =>
  `${String(Number(day.slice(0, 4)) + years).padStart(4, '0')}${day.slice(4)}`;

/**
 * A licence runs a fixed term from its start day, or without end (长期, validUntil null): a driving licence 6 or 10
 * years, a resident ID card 5, 10 or 20 (by the holder's age when it was issued).
 */
export function checkTerm(kind: LicenceRow['kind'], validFrom: string, validUntil: string | null): void {
  if (validUntil === null) return;
  const terms = kind === 'DRIVING_LICENCE' ? [6, 10] : [5, 10, 20];
  // 29 February runs to 28 February (or 1 March) in a common year; either is taken.
  const ends = terms.flatMap((years) => {
    const end = plusYears(validFrom, years);
    return validFrom.endsWith('-02-29')
      ? [end, end.replace('-02-29', '-02-28'), end.replace('-02-29', '-03-01')]
      : [end];
  });
  if (!ends.includes(validUntil))
    throw badInput(
      `validUntil must be ${terms.join(', ')} years after validFrom (${ends.join(' or ')}), or omitted for a long-term licence`,
      'validUntil',
    );
}

/** The licence's status on `today`: a valid licence past its last day has expired. */
export function licenceStatus(row: Pick<LicenceRow, 'status' | 'validUntil'>, today: string): LicenceStatus {
  if (row.status === 'VALID' && row.validUntil !== null && row.validUntil < today) return 'EXPIRED';
  return row.status;
}
