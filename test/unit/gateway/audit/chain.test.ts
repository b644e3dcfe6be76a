// The canonical content a record's hash covers, as the writer computes it: the same text canonicalJson gives for the
// record's hashed columns (verification recomputes it that way from the stored row).
import { describe, expect, it } from 'vitest';
import {
  canonicalContent,
  canonicalJson,
  hashedContent,
  HASHED_FIELDS,
  linkHash,
  GENESIS_HASH,
} from '../../../../gateway/audit/chain.js';
import { createHash } from 'node:crypto';

const record = {
  chainId: '6f1c2a1e-0000-4000-8000-000000000000',
  seq: 7,
  recordedAt: new Date('2026-11-23T16:16:12.192Z'),
  requestId: '0b6a1f2e-7c1d-4e3a-9f0b-2a4c6e8d0f12',
  clientId: 'province',
  clientKind: 'PROVINCE',
  clientCity: null,
  operator: 'clerk-0001',
  caseRef: undefined,
  place: undefined,
  purpose: 'HOLDER_SELF_SERVICE',
  operationType: 'query',
  operationName: 'Holder',
  documentHash: 'a'.repeat(64),
  variables: { z: 1, a: [0.1 + 0.2, 'x', null, { b: true, a: undefined }] },
  outcome: 'SUCCESS',
  errorCodes: [],
  durationMs: 12,
  holderIds: ['b', 'a'],
  coordinates: ['Holder.name'],
  deniedCoordinates: [],
  access: {
    holders: { b: ['Holder.name'], a: [] },
    unlinked: [],
    denied: [{ coordinate: 'Holder.x', path: ['holder', '@', 'x'] }],
  },
  // Not hashed: left out of the content.
  prevHash: 'c'.repeat(64),
  hash: 'd'.repeat(64),
};

/** canonicalJson as first written (lists of parts joined): the text it gives must never change. */
function referenceCanonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(referenceCanonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const members: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${referenceCanonicalJson(member)}`);
    }
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

describe('canonical JSON', () => {
  it('is the text the first canonicalJson wrote, for every kind of value', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const draw = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.3)
        return [null, undefined, true, 0, -0, 1.5, 1e21, NaN, Infinity, 'x', 'é\u0000"\\', '', new Date(1700000000123)][
          Math.floor(random() * 13)
        ];
      if (r < 0.6) {
        const list = Array.from({ length: Math.floor(random() * 4) }, () => draw(depth + 1));
        if (random() < 0.2) list[list.length + 1] = 'after a hole';
        return random() < 0.3 ? list.map(String) : list;
      }
      const object: Record<string, unknown> = {};
      for (const key of ['b', 'a', 'Z', '10', '2', 'é', '__proto__x', 'id'])
        if (random() < 0.5) object[key] = draw(depth + 1);
      return object;
    };
    for (let i = 0; i < 3_000; i++) {
      const value = draw(0);
      expect(canonicalJson(value)).toBe(referenceCanonicalJson(value));
      // Many members, some the very same object (as holders share a list of coordinates).
      const shared = [draw(1), draw(1), ['Holder.name', 'Holder.id'], { z: [1, 'x'], a: new Date(0) }];
      const many = Object.fromEntries(
        Array.from({ length: 20 }, (_, k) => [`k${(k * 7) % 20}`, random() < 0.7 ? shared[k % 4] : draw(1)]),
      );
      expect(canonicalJson({ many })).toBe(referenceCanonicalJson({ many }));
    }
  });
});

describe('canonical content', () => {
  it('is canonicalJson of the hashed columns, a missing or undefined one as null', () => {
    expect(canonicalContent(record)).toBe(canonicalJson(hashedContent(record)));
    const sparse = { chainId: record.chainId } as unknown as Parameters<typeof canonicalContent>[0];
    expect(canonicalContent(sparse)).toBe(canonicalJson(hashedContent(sparse)));
    expect(Object.keys(JSON.parse(canonicalContent(sparse)))).toEqual(
      [...HASHED_FIELDS].filter((f) => f !== 'place').sort(),
    );
  });

  it('leaves a null place out, so records chained before the column hash as they did, and covers a place given', () => {
    const before = { ...record };
    delete (before as Record<string, unknown>).place;
    const hashBefore = linkHash(GENESIS_HASH, before);
    expect(linkHash(GENESIS_HASH, { ...record, place: null })).toBe(hashBefore);
    expect(canonicalContent({ ...record, place: null })).not.toContain('"place"');
    const placed = { ...record, place: 'hotel-440100-0032/desk-1' };
    expect(JSON.parse(canonicalContent(placed)).place).toBe('hotel-440100-0032/desk-1');
    expect(linkHash(GENESIS_HASH, placed)).not.toBe(hashBefore);
    expect(canonicalContent(placed)).toBe(canonicalJson(hashedContent(placed)));
  });

  it('is what the link hash covers', () => {
    expect(linkHash(GENESIS_HASH, record)).toBe(
      createHash('sha256')
        .update(GENESIS_HASH + canonicalJson(hashedContent(record)))
        .digest('hex'),
    );
  });
});
