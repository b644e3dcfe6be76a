// The hash chain over audit records: each record's hash covers its canonical content and the hash before it, so
// changing, removing or re-ordering a stored record breaks the chain from there on (gateway/audit/verify.ts). The
// writer (writer.ts) computes it from the record it inserts, verification from the row it reads back: the canonical
// form must come out the same from both, hence stable key order, ISO times and only the columns stored.
import { createHash } from 'node:crypto';

/** The prev_hash of a chain's first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Every stored column but prev_hash and hash, by its property name in store/tables.ts (auditRecords). */
export const HASHED_FIELDS = [
  'chainId',
  'seq',
  'recordedAt',
  'requestId',
  'clientId',
  'clientKind',
  'clientCity',
  'operator',
  'caseRef',
  'place',
  'purpose',
  'operationType',
  'operationName',
  'documentHash',
  'variables',
  'outcome',
  'errorCodes',
  'durationMs',
  'holderIds',
  'coordinates',
  'deniedCoordinates',
  'access',
] as const;

export type HashedField = (typeof HASHED_FIELDS)[number];

/**
 * Columns added after records were first chained: left out of the content while null, so every record written
 * before a column existed hashes as it did then (`place`: X-Place, since issue 13).
 */
const OPTIONAL_FIELDS: ReadonlySet<HashedField> = new Set<HashedField>(['place']);

/** Every index holds a string (a hole does not, so sparse lists keep the item-by-item form). */
function allStrings(list: readonly unknown[]): boolean {
  for (let i = 0; i < list.length; i++) if (typeof list[i] !== 'string') return false;
  return true;
}

/**
 * JSON with object keys sorted at every level, times as ISO 8601 (milliseconds, UTC) and undefined object members
 * left out: the same text for equal content however it was built (a JS object, a jsonb value read back).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  // Written by concatenation, not by joining lists of parts: a record of 100 holders is ~100 KB, and each level of
  // joins copied it once more. A hole in a sparse list is written as nothing, as joining wrote it.
  if (Array.isArray(value)) {
    // Lists of strings (holder ids, coordinates: thousands in a record of 100 holders) come out of JSON.stringify
    // as the item-by-item form would write them, in one native call.
    if (allStrings(value)) return JSON.stringify(value);
    let text = '[';
    for (let i = 0; i < value.length; i++) text += `${i === 0 ? '' : ','}${i in value ? canonicalJson(value[i]) : ''}`;
    return `${text}]`;
  }
  if (typeof value === 'object') {
    let text = '{';
    const keys = Object.keys(value).sort();
    // Members that are the very same object (the holders of a record sharing a list of coordinates) are written
    // once: nothing can change an object while it is being written.
    const written = keys.length > 8 ? new Map<object, string>() : undefined;
    for (const key of keys) {
      const member = (value as Record<string, unknown>)[key];
      if (member === undefined) continue;
      let memberText = written && typeof member === 'object' && member !== null ? written.get(member) : undefined;
      if (memberText === undefined) {
        memberText = canonicalJson(member);
        if (written && typeof member === 'object' && member !== null) written.set(member, memberText);
      }
      text += `${text.length === 1 ? '' : ','}${JSON.stringify(key)}:${memberText}`;
    }
    return `${text}}`;
  }
  // Strings, finite numbers and booleans as JSON writes them (a non-finite number as null, as JSON does).
  return JSON.stringify(value) ?? 'null';
}

/** The content a record's hash covers. */
export function hashedContent(record: Record<HashedField, unknown>): Record<HashedField, unknown> {
  const content = {} as Record<HashedField, unknown>;
  for (const field of HASHED_FIELDS) {
    const value = record[field] ?? null;
    if (value !== null || !OPTIONAL_FIELDS.has(field)) content[field] = value;
  }
  return content;
}

// The members of hashedContent in the order canonicalJson writes them, with their keys written once.
const SORTED_MEMBERS = [...HASHED_FIELDS]
  .sort()
  .map((field) => ({ field, key: `${JSON.stringify(field)}:`, optional: OPTIONAL_FIELDS.has(field) }));

/** canonicalJson(hashedContent(record)), without building the content object and sorting its keys per record. */
export function canonicalContent(record: Record<HashedField, unknown>): string {
  let text = '{';
  for (let i = 0; i < SORTED_MEMBERS.length; i++) {
    const { field, key, optional } = SORTED_MEMBERS[i]!;
    const value = record[field] ?? null;
    if (optional && value === null) continue;
    text += (text.length === 1 ? key : `,${key}`) + canonicalJson(value);
  }
  return `${text}}`;
}

/** A link of the chain: the canonical content its hash covers, and that hash. */
export function chainLink(prevHash: string, record: Record<HashedField, unknown>): { content: string; hash: string } {
  const content = canonicalContent(record);
  return { content, hash: createHash('sha256').update(prevHash).update(content).digest('hex') };
}

/** sha256(prev_hash + canonical content), hex. */
export function linkHash(prevHash: string, record: Record<HashedField, unknown>): string {
  return chainLink(prevHash, record).hash;
}
