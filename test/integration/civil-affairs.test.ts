// Civil affairs through the real gateway: certificates integrated into the card, and relief entitlements.
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { hubTest } from '../support/fixtures.js';
import { codes } from '../support/hub.js';
import { holderWithActiveCard, registerBank, registerHolder } from '../support/hr.js';

const it = hubTest();
it.beforeAll(async ({ hub }) => {
  await registerBank(hub, 'ICBC');
});

const ISSUE = `mutation($input: IssueCertificateInput!) { issuePreferentialCertificate(input: $input) {
  certificateNumber kind disabilityLevel status validUntil holder { id name } } }`;
const REVOKE = `mutation($input: RevokeCertificateInput!) { revokePreferentialCertificate(input: $input) { status revocationReason revokedAt } }`;
const CERTIFICATES = `query($id: String!) { holder(idNumber: $id) {
  preferentialCertificates { nodes { certificateNumber status } pageInfo { hasNextPage } }
  concessionCertificates { kind disabilityLevel validUntil } } }`;

const certificateInput = (holder: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  idempotencyKey: randomUUID(),
  holder,
  certificateNumber: `C-${randomUUID().slice(0, 13)}`,
  kind: 'ELDERLY',
  issuer: '440100',
  validFrom: '2021-06-01',
  ...extra,
});

describe('preferential certificates', () => {
  it('issues to a holder named by card or by id, and shows which hold today', async ({ hub }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const byCard = await hub.ok(ISSUE, { input: certificateInput({ cardNumber }) });
    expect(byCard.issuePreferentialCertificate).toMatchObject({
      kind: 'ELDERLY',
      status: 'VALID',
      holder: { id: holder.id, name: holder.name },
    });
    await hub.ok(ISSUE, {
      input: certificateInput({ id: holder.id }, { kind: 'DISABILITY', disabilityLevel: 1, validUntil: '2022-01-01' }),
    });
    await hub.ok(ISSUE, { input: certificateInput({ id: holder.id }, { kind: 'VETERAN', validFrom: '2099-01-01' }) });
    const read = (await hub.ok(CERTIFICATES, { id: holder.idNumber })).holder;
    expect(read.preferentialCertificates.nodes.map((c: any) => c.status).sort()).toEqual([
      'EXPIRED',
      'PENDING',
      'VALID',
    ]);
    expect(read.concessionCertificates).toEqual([{ kind: 'ELDERLY', disabilityLevel: null, validUntil: null }]);
  });

  it('revokes, after which no concession rests on the certificate', async ({ hub }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const input = certificateInput({ cardNumber });
    await hub.ok(ISSUE, { input });
    const revoked = await hub.ok(REVOKE, {
      input: { idempotencyKey: randomUUID(), certificateNumber: input.certificateNumber, reason: '持证人迁出本省' },
    });
    expect(revoked.revokePreferentialCertificate).toMatchObject({
      status: 'REVOKED',
      revocationReason: '持证人迁出本省',
    });
    expect((await hub.ok(CERTIFICATES, { id: holder.idNumber })).holder.concessionCertificates).toEqual([]);
    const twice = await hub.query(REVOKE, {
      input: { idempotencyKey: randomUUID(), certificateNumber: input.certificateNumber, reason: 'again' },
    });
    expect(codes(twice)).toEqual(['BAD_USER_INPUT']);
    expect(
      codes(
        await hub.query(REVOKE, {
          input: { idempotencyKey: randomUUID(), certificateNumber: 'NOPE-0000', reason: 'x' },
        }),
      ),
    ).toEqual(['NOT_FOUND']);
  });

  it('replays an issue by its key without a second certificate, and refuses the key for another payload', async ({
    hub,
  }) => {
    const holder = await registerHolder(hub);
    const input = certificateInput({ id: holder.id });
    const first = await hub.ok(ISSUE, { input });
    expect(await hub.ok(ISSUE, { input })).toEqual(first);
    const read = (await hub.ok(CERTIFICATES, { id: holder.idNumber })).holder;
    expect(read.preferentialCertificates.nodes).toHaveLength(1);
    expect(codes(await hub.query(ISSUE, { input: { ...input, kind: 'VETERAN' } }))).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    // The same request naming the holder another way (by card, not id) is the same request.
    const { holder: carded, cardNumber } = await holderWithActiveCard(hub);
    const byId = certificateInput({ id: carded.id });
    const issued = await hub.ok(ISSUE, { input: byId });
    expect(await hub.ok(ISSUE, { input: { ...byId, holder: { cardNumber } } })).toEqual(issued);
    // A new key for an already issued number is refused, not a second row.
    expect(codes(await hub.query(ISSUE, { input: { ...input, idempotencyKey: randomUUID() } }))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });

  it('refuses unknown holders and cards, and bad input, naming the field', async ({ hub }) => {
    expect(codes(await hub.query(ISSUE, { input: certificateInput({ cardNumber: 'Z00000000' }) }))).toEqual([
      'CARD_NOT_FOUND',
    ]);
    expect(codes(await hub.query(ISSUE, { input: certificateInput({ id: randomUUID() }) }))).toEqual([
      'HOLDER_NOT_FOUND',
    ]);
    const holder = await registerHolder(hub);
    for (const [extra, field] of [
      [{ kind: 'DISABILITY' }, 'disabilityLevel'],
      [{ validFrom: '2021-02-30' }, 'validFrom'],
      [{ validUntil: '2020-01-01' }, 'validUntil'],
      [{ issuer: '110000' }, 'issuer'],
      [{ idempotencyKey: 'short' }, 'idempotencyKey'],
    ] as const) {
      const result = await hub.query(ISSUE, { input: certificateInput({ id: holder.id }, extra) });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(
      codes(await hub.query(ISSUE, { input: certificateInput({ id: holder.id, cardNumber: 'Z00000000' }) })),
    ).toEqual(['BAD_USER_INPUT']);
  });
});

describe('paging certificates', () => {
  it('walks certificates issued within one millisecond one at a time without skipping any', async ({ hub }) => {
    const holder = await registerHolder(hub);
    await Promise.all(Array.from({ length: 12 }, () => hub.ok(ISSUE, { input: certificateInput({ id: holder.id }) })));
    const PAGE = `query($id: String!, $after: String) { holder(idNumber: $id) { preferentialCertificates(first: 1, after: $after) { nodes { certificateNumber } pageInfo { hasNextPage endCursor } } } }`;
    const seen = new Set<string>();
    for (let after: string | null = null; ;) {
      const page: any = (await hub.ok(PAGE, { id: holder.idNumber, after })).holder.preferentialCertificates;
      for (const n of page.nodes) seen.add(n.certificateNumber);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen.size).toBe(12);
  });

  it('refuses a malformed certificate number before it reaches the database', async ({ hub }) => {
    expect(codes(await hub.query(`{ preferentialCertificate(certificateNumber: "a\\u0000b") { kind } }`))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });
});

describe('relief entitlements (Art 8)', () => {
  it('grants and lists them, refusing a malformed amount', async ({ hub }) => {
    const holder = await registerHolder(hub);
    const GRANT = `mutation($input: GrantReliefInput!) { grantReliefEntitlement(input: $input) { kind monthlyAmount periodStart periodEnd city } }`;
    const input = {
      idempotencyKey: randomUUID(),
      holder: { id: holder.id },
      kind: 'MINIMUM_LIVING_ALLOWANCE',
      monthlyAmount: '1300',
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
      city: '440100',
    };
    expect((await hub.ok(GRANT, { input })).grantReliefEntitlement).toEqual({
      kind: 'MINIMUM_LIVING_ALLOWANCE',
      monthlyAmount: '1300.00',
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
      city: '440100',
    });
    const listed = await hub.ok(
      `query($id: String!) { holder(idNumber: $id) { reliefEntitlements { nodes { monthlyAmount } } } }`,
      { id: holder.idNumber },
    );
    expect(listed.holder.reliefEntitlements.nodes).toEqual([{ monthlyAmount: '1300.00' }]);
    expect(
      codes(await hub.query(GRANT, { input: { ...input, idempotencyKey: randomUUID(), monthlyAmount: '13.005' } })),
    ).toEqual(['BAD_USER_INPUT']);
  });
});
