// How a purpose outside a field's @sensitive list sees the value: enough to recognise it (the caller holds the card
// or the number already), not enough to use it. The names form the `Mask` enum in schema/policy.graphql.

export const MASKS = ['ID_NUMBER', 'PHONE', 'LAST4', 'BIRTH_YEAR'] as const;
export type Mask = (typeof MASKS)[number];

export const isMask = (value: string): value is Mask => (MASKS as readonly string[]).includes(value);

const MAINLAND_MOBILE = /^1\d{10}$/;
const ISO_DATE = /^(\d{4})-\d{2}-\d{2}$/;

/** Keeps `head` characters at the start and `tail` at the end, stars the rest; the length stays. */
function keep(value: string, head: number, tail: number): string {
  // Code points, not UTF-16 units: a star per character the caller would see.
  const chars = Array.from(value);
  return chars.map((c, i) => (i < head || i >= chars.length - tail ? c : '*')).join('');
}

/** At most `wanted` characters, and no more than `share` of a short value: a short value is mostly starred too. */
const shown = (value: string, wanted: number, share: number) =>
  Math.min(wanted, Math.floor(Array.from(value).length * share));

const MASKERS: Record<Mask, (value: string) => string> = {
  // 18 characters: a resident ID (or a residence permit numbered like one). 440106********1234 keeps the division
  // code and the last four; the birth date goes.
  ID_NUMBER: (v) => (Array.from(v).length === 18 ? keep(v, 6, 4) : keep(v, shown(v, 2, 1 / 4), shown(v, 2, 1 / 4))),
  PHONE: (v) => (MAINLAND_MOBILE.test(v) ? keep(v, 3, 4) : keep(v, 0, shown(v, 4, 1 / 2))),
  LAST4: (v) => keep(v, 0, shown(v, 4, 1 / 2)),
  // 1994-**-**: wherever the ID number is masked, as the whole date would fill in the eight digits ID_NUMBER stars.
  // The year still narrows them to a year's dates (some 30 once the check character is tried): recognisable, not
  // usable. Anything but a YYYY-MM-DD date is starred whole: which part is the year is not known.
  BIRTH_YEAR: (v) => {
    const year = ISO_DATE.exec(v)?.[1];
    return year ? `${year}-**-**` : keep(v, 0, 0);
  },
};

/**
 * The masked value. Null stays null; a list is masked item by item. Anything else that is not a string should not
 * reach here (readSchemaPolicy allows masks on String fields only) and becomes null rather than pass unmasked.
 */
export function applyMask(mask: Mask, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => applyMask(mask, item));
  return typeof value === 'string' ? MASKERS[mask](value) : null;
}
