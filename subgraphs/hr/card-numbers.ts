// Numbers printed on and encoded in a card. Pure: the random source is passed in, so the seed is deterministic.
import { randomInt } from 'node:crypto';
import type { RandomInt } from '../kit/random.js';

export const secureRandomInt: RandomInt = (max) => randomInt(max);

// Physical cards carry a letter and 8 digits (e.g. F41665315); electronic cards get an E-prefixed number of
// the same shape, so a number alone tells the kind. O and I are left out: they read as 0 and 1.
const PHYSICAL_LETTERS = 'ABCDFGHJKLMNPQRSTUVWXYZ';

function digits(count: number, random: RandomInt): string {
  let s = '';
  for (let i = 0; i < count; i++) s += String(random(10));
  return s;
}

export function generateCardNumber(kind: 'PHYSICAL' | 'ELECTRONIC', random: RandomInt = secureRandomInt): string {
  const letter = kind === 'ELECTRONIC' ? 'E' : PHYSICAL_LETTERS[random(PHYSICAL_LETTERS.length)]!;
  return letter + digits(8, random);
}

/** The 32-character card identification code: issuing division + the national application code + 16 hex digits. */
export function generateIdentificationCode(issuingAuthority: string, random: RandomInt = secureRandomInt): string {
  let hex = '';
  for (let i = 0; i < 16; i++) hex += random(16).toString(16).toUpperCase();
  return `${issuingAuthority}D156000005${hex}`;
}
