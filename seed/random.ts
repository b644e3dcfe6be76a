// Deterministic randomness for demo data: the same seed gives the same holders, cards and rides on every machine.
import type { RandomInt } from '../subgraphs/kit/random.js';

/** mulberry32: small, fast and good enough to spread demo data. */
export function seededRandom(seed: number): RandomInt {
  let a = seed >>> 0;
  return (max) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * max);
  };
}

/** A version-4-shaped UUID drawn from `random`, so seeded rows can reference each other before insertion. */
export function seededUuid(random: RandomInt): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += random(16).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[random(4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const pad = (n: number, width: number) => String(n).padStart(width, '0');
