// Violations and fines (Art 19) through the real gateway: written by the HR department alone, a fine within 1,000 to
// 10,000 yuan, an organisation by its checked credit code; a holder's violations read by HR services and the holder
// and refused to other purposes; the public credit feed in commit order, never repeating or skipping a record, never
// carrying a phone or a whole ID number; every read in the audit trail. PostgreSQL's own: violations-export.test.ts.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { hubTest } from '../support/fixtures.js';
import { codes, type GraphQLResponse, type Identity, type TestHub } from '../support/hub.js';
import { holderWithActiveCard, registerBank, registerHolder } from '../support/hr.js';
import { rowsOf } from '../support/sql.js';
import { CHANGE, CREDIT_CODE, FEED, HR_SERVICE, input, readFeed, RECORD } from '../support/violations.js';

const it = hubTest();

const SELF: Identity = { client: 'province', purpose: 'HOLDER_SELF_SERVICE' };
const TRANSIT: Identity = { client: 'dept-transport', purpose: 'TRANSIT', operator: null, caseRef: null };

const HOLDER_VIOLATIONS = `query($n: String!) { holderByCard(cardNumber: $n) {
  violations(first: 10) { nodes { kind fineFen status } pageInfo { hasNextPage } } } }`;

const record = (hub: TestHub, subject: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  hub.query(RECORD, { input: input(subject, extra) });

function firstError(result: GraphQLResponse) {
  expect(result.errors?.length, JSON.stringify(result)).toBeGreaterThan(0);
  return result.errors![0]!.extensions;
}

let person: { id: string; idNumber: string; cardNumber: string };

it.beforeAll(async ({ hub }) => {
  await registerBank(hub, 'ICBC');
  const { holder, cardNumber } = await holderWithActiveCard(hub);
  person = { id: holder.id, idNumber: holder.idNumber, cardNumber };
  for (const extra of [{}, { kind: 'FORGERY', fineFen: 1_000_000, correctBy: null }]) {
    const result = await record(hub, { holder: { cardNumber } }, extra);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  }
});

describe('a violation', () => {
  it('takes a fine of 1,000 to 10,000 yuan inclusive, and refuses any other with FINE_OUT_OF_RANGE', async ({
    hub,
  }) => {
    for (const fineFen of [100_000, 1_000_000, null]) {
      const result = await record(hub, { holder: { id: person.id } }, { fineFen });
      expect(result.data?.recordViolation, JSON.stringify(result)).toMatchObject({ subjectKind: 'PERSON', fineFen });
    }
    for (const fineFen of [99_999, 1_000_001, 0, -100_000]) {
      const result = await record(hub, { holder: { id: person.id } }, { fineFen });
      expect(firstError(result), String(fineFen)).toMatchObject({ code: 'FINE_OUT_OF_RANGE', field: 'fineFen' });
    }
  });

  it('names an organisation by a credit code whose check character is right', async ({ hub }) => {
    const organisation = { name: '广州市测试人力资源有限公司', creditCode: CREDIT_CODE.toLowerCase() };
    const ok = await record(hub, { organisation });
    expect(ok.data.recordViolation).toMatchObject({
      subjectKind: 'ORGANISATION',
      organisationName: organisation.name,
      organisationCode: CREDIT_CODE,
    });
    for (const creditCode of ['91440101MA59ABCD1E', '91440101MA59ABCD1', '91440101MA59ABCDIO'])
      expect(
        firstError(await record(hub, { organisation: { ...organisation, creditCode } })),
        creditCode,
      ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'organisation.creditCode' });
  });

  it('refuses bad input, naming the field', async ({ hub }) => {
    const holder = { holder: { id: person.id } };
    const cases: [Record<string, unknown>, Record<string, unknown>, string][] = [
      [holder, { authority: '440199' }, 'authority'],
      [holder, { decidedOn: '2999-01-01' }, 'decidedOn'],
      [holder, { decidedOn: '2026-02-30' }, 'decidedOn'],
      [holder, { correctBy: '2026-02-28' }, 'correctBy'],
      [holder, { facts: 'x'.repeat(2_001) }, 'facts'],
      [holder, { decision: ' ' }, 'decision'],
      [{ ...holder, organisation: { name: '某公司', creditCode: CREDIT_CODE } }, {}, 'holder'],
      [{}, {}, 'holder'],
      [{ holder: { id: person.id, cardNumber: person.cardNumber } }, {}, 'holder'],
      [{ holder: { cardNumber: 'nonsense' } }, {}, 'holder.cardNumber'],
    ];
    for (const [subject, extra, field] of cases)
      expect(firstError(await record(hub, subject, extra)), JSON.stringify(extra)).toMatchObject({
        code: 'BAD_USER_INPUT',
        field,
      });
    expect(codes(await record(hub, { holder: { id: randomUUID() } }))).toEqual(['HOLDER_NOT_FOUND']);
  });

  it('is the HR department’s to write alone', async ({ hub }) => {
    const holder = await registerHolder(hub);
    for (const identity of [
      { client: 'province', purpose: 'HR_SERVICE' },
      { client: 'city-440100', purpose: 'HR_SERVICE' },
      TRANSIT,
    ])
      expect(codes(await hub.as(identity).query(RECORD, { input: input({ holder: { id: holder.id } }) }))).toEqual([
        'FORBIDDEN',
      ]);
    const [row] = await hub.rows<{ n: number }>(
      sql`select count(*)::int as n from hr.violations where holder_id = ${holder.id}`,
    );
    expect(row!.n).toBe(0);
  });

  it('replays by key without a second record, and refuses the key for another input', async ({ hub }) => {
    const holder = await registerHolder(hub);
    const request = input({ holder: { id: holder.id } });
    const first = await hub.ok(RECORD, { input: request });
    expect(await hub.ok(RECORD, { input: request })).toEqual(first);
    expect(codes(await hub.query(RECORD, { input: { ...request, fineFen: 300_000 } }))).toEqual([
      'IDEMPOTENCY_KEY_REUSED',
    ]);
    const [row] = await hub.rows<{ n: number }>(
      sql`select count(*)::int as n from hr.violations where holder_id = ${holder.id}`,
    );
    expect(row!.n).toBe(1);
  });

  it('moves DECIDED → CORRECTED → CLOSED, and no further', async ({ hub }) => {
    const { id } = (await hub.ok(RECORD, { input: input({ holder: { id: person.id } }) })).recordViolation;
    const step = (status: string, idempotencyKey = randomUUID()) =>
      hub.query(CHANGE, { input: { idempotencyKey, violationId: id, status } });
    expect(codes(await step('DECIDED'))).toEqual(['ILLEGAL_VIOLATION_TRANSITION']);
    const key = randomUUID();
    expect((await step('CORRECTED', key)).data.changeViolationStatus).toEqual({ id, status: 'CORRECTED' });
    expect((await step('CORRECTED', key)).data.changeViolationStatus).toEqual({ id, status: 'CORRECTED' });
    expect((await step('CLOSED')).data.changeViolationStatus.status).toBe('CLOSED');
    expect(firstError(await step('CORRECTED'))).toMatchObject({
      code: 'ILLEGAL_VIOLATION_TRANSITION',
      status: 'CLOSED',
    });
    expect(
      codes(
        await hub.query(CHANGE, {
          input: { idempotencyKey: randomUUID(), violationId: randomUUID(), status: 'CLOSED' },
        }),
      ),
    ).toEqual(['NOT_FOUND']);
  });

  it('answers its writes with the record’s facts only under the purposes that read violations', async ({ hub }) => {
    const { id } = (await hub.ok(RECORD, { input: input({ holder: { id: person.id } }) })).recordViolation;
    const asInsurance = await hub
      .as({ client: 'dept-hr', purpose: 'SOCIAL_INSURANCE' })
      .query(
        `mutation($input: ChangeViolationStatusInput!) { changeViolationStatus(input: $input) { id status facts decision fineFen } }`,
        { input: { idempotencyKey: randomUUID(), violationId: id, status: 'CORRECTED' } },
      );
    expect(asInsurance.data.changeViolationStatus).toEqual({
      id,
      status: 'CORRECTED',
      facts: null,
      decision: null,
      fineFen: null,
    });
    expect(codes(asInsurance)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
  });
});

describe('a holder’s violations', () => {
  it('are read by the holder and by HR services, newest first', async ({ hub }) => {
    for (const identity of [SELF, HR_SERVICE]) {
      const { nodes } = (await hub.as(identity).ok(HOLDER_VIOLATIONS, { n: person.cardNumber })).holderByCard
        .violations;
      expect(nodes.length, identity.purpose).toBeGreaterThanOrEqual(2);
      expect(nodes.at(-2)).toEqual({ kind: 'FORGERY', fineFen: 1_000_000, status: 'DECIDED' });
      expect(nodes.at(-1)).toEqual({ kind: 'RENT_LEND_SELL', fineFen: 200_000, status: 'DECIDED' });
    }
  });

  it('are refused to a transport operator, and to social insurance', async ({ hub }) => {
    for (const identity of [TRANSIT, { client: 'dept-hr', purpose: 'SOCIAL_INSURANCE' }]) {
      const result = await hub.as(identity).query(HOLDER_VIOLATIONS, { n: person.cardNumber });
      expect(result.data).toEqual({ holderByCard: { violations: null } });
      expect(result.errors!.map((e) => e.extensions)).toEqual([
        expect.objectContaining({ code: 'FORBIDDEN', coordinate: 'Holder.violations', category: 'CREDIT' }),
      ]);
    }
  });

  it('are read for many holders in the one statement that reads their cards', async ({ hub }) => {
    const others = await Promise.all([0, 1, 2].map(() => registerHolder(hub)));
    const ids = [person.idNumber, ...others.map((h) => h.idNumber)];
    const cardsOnly = `query($ids: [String!]!) { holders(idNumbers: $ids) { cards { cardNumber } } }`;
    const withViolations = `query($ids: [String!]!) { holders(idNumbers: $ids) { cards { cardNumber }
      violations { nodes { kind } } } }`;
    const before = await hub.as(HR_SERVICE).query(cardsOnly, { ids });
    expect(before.errors).toBeUndefined();
    const plain = await hub.countStatements(() => hub.as(HR_SERVICE).ok(cardsOnly, { ids }));
    const listed = await hub.countStatements(() => hub.as(HR_SERVICE).ok(withViolations, { ids }));
    expect(listed.bySubgraph.hr).toBe(plain.bySubgraph.hr);
    expect(listed.result.holders[0].violations.nodes.length).toBeGreaterThanOrEqual(2);
    expect(listed.result.holders[1].violations.nodes).toEqual([]);
  });

  it('are in the audit trail against the holder', async ({ hub }) => {
    const name = `Violations_${randomUUID().slice(0, 8)}`;
    await hub.as(HR_SERVICE).ok(HOLDER_VIOLATIONS.replace('query(', `query ${name}(`), { n: person.cardNumber });
    const [row] = await rowsOf<{ holder_ids: string[]; coordinates: string[] }>(
      hub.gateway.database.db,
      sql`select holder_ids, coordinates from gateway.audit_records where operation_name = ${name}`,
    );
    expect(row!.holder_ids).toEqual([person.id]);
    expect(row!.coordinates).toEqual(expect.arrayContaining(['Holder.violations', 'Violation.fineFen']));
  });
});

describe('the public credit feed', () => {
  it('carries what credit platforms publish: a masked ID number, no phone', async ({ hub }) => {
    const { items } = await readFeed(hub, null);
    const mine = items.filter((i) => i.maskedIdNumber?.endsWith(person.idNumber.slice(-4)));
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(mine[0]).toMatchObject({
      subjectKind: 'PERSON',
      name: '陈小明',
      maskedIdNumber: `${person.idNumber.slice(0, 6)}********${person.idNumber.slice(-4)}`,
      creditCode: null,
      kind: 'RENT_LEND_SELL',
      authority: '440100',
      decidedOn: '2026-03-01',
      fineFen: 200_000,
      correctBy: '2026-04-01',
      status: 'DECIDED',
    });
    expect(items.find((i) => i.subjectKind === 'ORGANISATION')).toMatchObject({
      creditCode: CREDIT_CODE,
      maskedIdNumber: null,
    });
    const text = JSON.stringify(items);
    expect(text).not.toContain(person.idNumber);
    expect(text).not.toContain('13800138000');
    expect(new Set(items.map((i) => i.position)).size).toBe(items.length);
  });

  it('is refused to other purposes, and records the holders it named', async ({ hub }) => {
    const refused = await hub.as(TRANSIT).query(FEED, {});
    expect(refused.data).toEqual({ publicCreditFeed: null });
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', category: 'CREDIT' });
    const name = `Feed_${randomUUID().slice(0, 8)}`;
    await hub.as(HR_SERVICE).ok(FEED.replace('query(', `query ${name}(`), { first: 500 });
    const [row] = await rowsOf<{ holder_ids: string[]; coordinates: string[] }>(
      hub.gateway.database.db,
      sql`select holder_ids, coordinates from gateway.audit_records where operation_name = ${name}`,
    );
    expect(row!.holder_ids).toContain(person.id);
    expect(row!.coordinates).toEqual(
      expect.arrayContaining(['Query.publicCreditFeed', 'PublicCreditRecord.maskedIdNumber']),
    );
  });

  it('never skips a record committed while it is read, nor repeats one', async ({ hub }) => {
    let { after } = await readFeed(hub, null, 500);
    const seen: string[] = [];
    let writing = true;
    // Organisations: no holder's lock to queue them, only the feed's.
    const organisation = { name: '广州市并发测试有限公司', creditCode: CREDIT_CODE };
    const writes = Promise.all(
      Array.from({ length: 12 }, () => hub.ok(RECORD, { input: input({ organisation }) })),
    ).finally(() => (writing = false));
    // Reads in between the concurrent writes' commits, each from where the last left off.
    while (writing) {
      const page = await readFeed(hub, after, 5);
      seen.push(...page.items.map((i) => i.violationId));
      after = page.after;
    }
    const written = (await writes).map((w) => w.recordViolation.id);
    seen.push(...(await readFeed(hub, after, 5)).items.map((i) => i.violationId));
    expect(seen.filter((id) => written.includes(id)).sort()).toEqual([...written].sort());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('is refused a cursor it did not give', async ({ hub }) => {
    expect(firstError(await hub.as(HR_SERVICE).query(FEED, { after: 'abc' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
  });
});
