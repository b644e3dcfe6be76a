// The canonical content a record's hash covers, as the writer computes it: the same text canonicalJson gives for the
// record's hashed columns (verification recomputes it that way from the stored row).
import { describe, expect, it } from 'vitest';
import { canonicalContent, canonicalJson, hashedContent, HASHED_FIELDS, linkHash, GENESIS_HASH } from '../gateway/audit/chain.js';
import { createHash } from 'node:crypto';

const record = {
  chainId: '6f1c2a1e-0000-4000-8000-000000000000', seq: 7, recordedAt: new Date('2026-11-23T16:16:12.192Z'),
  requestId: '0b6a1f2e-7c1d-4e3a-9f0b-2a4c6e8d0f12', clientId: 'province', clientKind: 'PROVINCE', clientCity: null,
  operator: 'clerk-0001', caseRef: undefined, purpose: 'HOLDER_SELF_SERVICE', operationType: 'query', operationName: 'Holder',
  documentHash: 'a'.repeat(64), variables: { z: 1, a: [0.1 + 0.2, 'x', null, { b: true, a: undefined }] }, outcome: 'SUCCESS',
  errorCodes: [], durationMs: 12, holderIds: ['b', 'a'], coordinates: ['Holder.name'], deniedCoordinates: [],
  access: { holders: { b: ['Holder.name'], a: [] }, unlinked: [], denied: [{ coordinate: 'Holder.x', path: ['holder', '@', 'x'] }] },
  // Not hashed: left out of the content.
  prevHash: 'c'.repeat(64), hash: 'd'.repeat(64),
};

describe('canonical content', () => {
  it('is canonicalJson of the hashed columns, a missing or undefined one as null', () => {
    expect(canonicalContent(record)).toBe(canonicalJson(hashedContent(record)));
    const sparse = { chainId: record.chainId } as unknown as Parameters<typeof canonicalContent>[0];
    expect(canonicalContent(sparse)).toBe(canonicalJson(hashedContent(sparse)));
    expect(Object.keys(JSON.parse(canonicalContent(sparse)))).toEqual([...HASHED_FIELDS].sort());
  });

  it('is what the link hash covers', () => {
    expect(linkHash(GENESIS_HASH, record)).toBe(createHash('sha256').update(GENESIS_HASH + canonicalJson(hashedContent(record))).digest('hex'));
  });
});
