// Valid, distinct identity numbers for tests, built the way the issuing authorities build them.
import { checkCharacter } from '../../subgraphs/hr/identifiers.js';

let sequence = 0;

/** A valid 18-character number: `prefix` (a district, or 810000 / 820000 / 830000) + birth date + sequence + check. */
export function idNumber(prefix = '440106', birth = '19900307', male = true): string {
  sequence = (sequence + 1) % 50;
  const seq = String(100 + Math.floor(Math.random() * 800)).slice(0, 2) + String((sequence % 5) * 2 + (male ? 1 : 0));
  const first17 = prefix + birth + seq;
  return first17 + checkCharacter(first17);
}

/** A birth date spread over 1950–1999 so numbers rarely collide. */
export function randomBirth(): string {
  const y = 1950 + Math.floor(Math.random() * 50);
  const m = 1 + Math.floor(Math.random() * 12);
  const d = 1 + Math.floor(Math.random() * 28);
  return `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
}
