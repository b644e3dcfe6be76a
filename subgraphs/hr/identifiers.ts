// Holder identifiers (Art 10: citizens, Hong Kong / Macau / Taiwan residents and foreigners alike).
// Pure functions: what is wrong with a number is said in words a counter clerk can act on.
import divisionCodeList from './division-codes.json' with { type: 'json' };
import { quote } from '../kit/text.js';
import type { IdType } from './tables.js';

// GB/T 2260 county- and city-level codes, current and withdrawn (an ID keeps the code it was issued under),
// merged from the `idcard` (ISC) and `china-area-data` (MIT) packages.
const DIVISION_CODES: ReadonlySet<string> = new Set(divisionCodeList);

/** Prefixes of residence permits for Hong Kong, Macau and Taiwan residents (GB 16783 style numbers). */
const RESIDENCE_PERMIT_PREFIXES: Record<string, IdType> = {
  '810000': 'HK_MACAU_RESIDENCE_PERMIT',
  '820000': 'HK_MACAU_RESIDENCE_PERMIT',
  '830000': 'TAIWAN_RESIDENCE_PERMIT',
};

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** ISO 7064 MOD 11-2 check character over the first 17 digits. */
export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

export type IdValidation =
  | { ok: true; idNumber: string; birthDate: string | null; gender: 'MALE' | 'FEMALE' | null }
  | { ok: false; reason: string };

const fail = (reason: string): IdValidation => ({ ok: false, reason });

/** Upper-cases and trims, so `44010619900307125x` and `44010619900307125X` are one holder. */
export function normalizeIdNumber(raw: string): string {
  return raw.trim().toUpperCase();
}

/** `YYYYMMDD` → `YYYY-MM-DD` if it is a date that has happened, else null. */
export function parseBirthDate(yyyymmdd: string, today = new Date()): string | null {
  if (!/^\d{8}$/.test(yyyymmdd)) return null;
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  if (y < 1880 || date.getTime() > today.getTime()) return null;
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
}

/** The 18-character structure shared by citizen IDs, residence permits and the 2023 foreign permanent resident ID. */
function validate18(idNumber: string, label: string, checkPrefix: (prefix: string) => string | null): IdValidation {
  if (idNumber.length !== 18) return fail(`${label} must be 18 characters, got ${idNumber.length}`);
  if (!/^\d{17}[\dX]$/.test(idNumber)) return fail(`${label} must be 17 digits followed by a digit or X`);
  const prefixProblem = checkPrefix(idNumber.slice(0, 6));
  if (prefixProblem) return fail(prefixProblem);
  const birthDate = parseBirthDate(idNumber.slice(6, 14));
  if (!birthDate) return fail(`${label} contains birth date ${idNumber.slice(6, 14)}, which is not a real past date`);
  const expected = checkCharacter(idNumber.slice(0, 17));
  if (idNumber[17] !== expected) {
    return fail(`${label} check character is ${idNumber[17]} but should be ${expected}: the number is mistyped`);
  }
  // The 17th digit is odd for men and even for women.
  const gender = Number(idNumber[16]) % 2 === 1 ? 'MALE' : 'FEMALE';
  return { ok: true, idNumber, birthDate, gender };
}

export function validateIdNumber(idType: IdType, raw: string): IdValidation {
  const idNumber = normalizeIdNumber(raw);
  if (idNumber === '') return fail('ID number is empty');
  switch (idType) {
    case 'RESIDENT_ID':
      return validate18(idNumber, 'Resident ID number', (prefix) => {
        if (RESIDENCE_PERMIT_PREFIXES[prefix])
          return `${prefix} is a residence permit prefix; use idType ${RESIDENCE_PERMIT_PREFIXES[prefix]}`;
        return DIVISION_CODES.has(prefix)
          ? null
          : `Resident ID number starts with ${prefix}, which is not an administrative division code`;
      });
    case 'HK_MACAU_RESIDENCE_PERMIT':
    case 'TAIWAN_RESIDENCE_PERMIT':
      return validate18(idNumber, 'Residence permit number', (prefix) => {
        if (RESIDENCE_PERMIT_PREFIXES[prefix] === idType) return null;
        const expected = idType === 'TAIWAN_RESIDENCE_PERMIT' ? '830000' : '810000 (Hong Kong) or 820000 (Macau)';
        return `Residence permit number must start with ${expected}, got ${prefix}`;
      });
    case 'FOREIGN_PERMANENT_RESIDENT':
      // Since 2023: 9 + province + 3-digit nationality + birth date + sequence + check. Older cards: 3 letters + 12 digits.
      if (/^[A-Z]{3}\d{12}$/.test(idNumber)) return { ok: true, idNumber, birthDate: null, gender: null };
      return validate18(idNumber, 'Foreign permanent resident ID number', (prefix) => {
        if (prefix[0] !== '9')
          return 'Foreign permanent resident ID number must start with 9 (or, for cards before 2023, 3 letters and 12 digits)';
        return DIVISION_CODES.has(`${prefix.slice(1, 3)}0000`)
          ? null
          : `Foreign permanent resident ID number names province ${prefix.slice(1, 3)}, which does not exist`;
      });
    case 'HK_MACAU_TRAVEL_PERMIT':
      // 港澳居民来往内地通行证: H (Hong Kong) or M (Macau), 8 digits, and on current cards 2 more digits (times issued).
      return /^[HM]\d{8}(\d{2})?$/.test(idNumber)
        ? { ok: true, idNumber, birthDate: null, gender: null }
        : fail('Hong Kong / Macau travel permit number must be H or M followed by 8 or 10 digits');
    case 'TAIWAN_TRAVEL_PERMIT':
      // 台湾居民来往大陆通行证: 8 digits since 2015, 10 on older booklets.
      return /^\d{8}(\d{2})?$/.test(idNumber)
        ? { ok: true, idNumber, birthDate: null, gender: null }
        : fail('Taiwan travel permit number must be 8 digits (or 10 on older permits)');
  }
}

/** Mainland mobile numbers, or an international number in E.164 form (+852…, +853…, +886…). */
export function validatePhone(raw: string): string | null {
  const phone = raw.replace(/[\s-]/g, '');
  return /^1[3-9]\d{9}$/.test(phone) || /^\+[1-9]\d{6,14}$/.test(phone) ? phone : null;
}

/** Which document a bare number is, for look-ups that are given only the number. */
export function inferIdType(idNumber: string): IdType | null {
  if (/^\d{17}[\dX]$/.test(idNumber)) {
    const prefix = idNumber.slice(0, 6);
    if (RESIDENCE_PERMIT_PREFIXES[prefix]) return RESIDENCE_PERMIT_PREFIXES[prefix];
    return idNumber.startsWith('9') ? 'FOREIGN_PERMANENT_RESIDENT' : 'RESIDENT_ID';
  }
  if (/^[HM]\d{8}(\d{2})?$/.test(idNumber)) return 'HK_MACAU_TRAVEL_PERMIT';
  if (/^\d{8}(\d{2})?$/.test(idNumber)) return 'TAIWAN_TRAVEL_PERMIT';
  if (/^[A-Z]{3}\d{12}$/.test(idNumber)) return 'FOREIGN_PERMANENT_RESIDENT';
  return null;
}

/** Validates a number given without its document type. */
export function validateAnyIdNumber(raw: string): IdValidation {
  const idNumber = normalizeIdNumber(raw);
  const idType = inferIdType(idNumber);
  if (!idType) {
    return fail(
      `${quote(raw)} is not a recognised identity document number (18-character ID or residence permit, travel permit or permanent resident number)`,
    );
  }
  return validateIdNumber(idType, idNumber);
}
