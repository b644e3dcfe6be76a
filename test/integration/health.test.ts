// Medical visits, settlements and the record index (Art 7(3)) through the real gateway, over hr's real holders and
// cards; plus the ICD-10 and settlement rules on their own.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { seedHealth } from '../../seed/health.js';
import { isIcd10Code, readDiagnoses } from '../../subgraphs/health/icd10.js';
import { readSettlement } from '../../subgraphs/health/settlement.js';
import { hubTest } from '../support/fixtures.js';
import { codes, type GraphQLResponse, type TestHub } from '../support/hub.js';
import { holderWithActiveCard, registerBank, registerHolder } from '../support/hr.js';

const SEEDED_HOLDERS = 40;
const it = hubTest({ seedHolders: SEEDED_HOLDERS });

describe('ICD-10 codes', () => {
  it.each(['I10', 'J45.909', 'E11.9', 'S72.001A', 'U07.1', 'K35.8'])('accepts %s', (code) => {
    expect(isIcd10Code(code)).toBe(true);
  });

  it.each(['', 'I1', '110', 'J4A', 'J45.', 'J45.90901', 'J45-909', 'J45909', 'j45.909', 'IJ10', 'J45.9 '])(
    'refuses %j',
    (code) => {
      expect(isIcd10Code(code)).toBe(false);
    },
  );

  it('normalises case and padding, keeps order, drops repeats', () => {
    expect(readDiagnoses([' j45.909', 'I10', 'J45.909'])).toEqual(['J45.909', 'I10']);
    expect(readDiagnoses(null)).toEqual([]);
  });

  it('names the malformed code in BAD_USER_INPUT', () => {
    expect(() => readDiagnoses(['I10', 'X1'])).toThrow(
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'diagnoses[1]' } }),
    );
    expect(() => readDiagnoses(Array(21).fill('I10'))).toThrow(/At most 20/);
  });
});

describe('settlement amounts', () => {
  it('normalises amounts that add up', () => {
    expect(readSettlement({ total: '100', fundPaid: '60.5', selfPaid: '39.50', cardPaid: '39.5' })).toEqual({
      total: '100.00',
      fundPaid: '60.50',
      selfPaid: '39.50',
      cardPaid: '39.50',
    });
    // Floats would miss this sum by a rounding error; fen do not.
    expect(readSettlement({ total: '0.30', fundPaid: '0.10', selfPaid: '0.20', cardPaid: '0' }).total).toBe('0.30');
  });

  it.each([
    [{ total: '100.00', fundPaid: '60.00', selfPaid: '30.00', cardPaid: '0' }, 'settlement.total'],
    [{ total: '100.00', fundPaid: '60.00', selfPaid: '40.00', cardPaid: '40.01' }, 'settlement.cardPaid'],
    [{ total: '100.001', fundPaid: '60.00', selfPaid: '40.00', cardPaid: '0' }, 'settlement.total'],
    [{ total: '100.00', fundPaid: '-60.00', selfPaid: '160.00', cardPaid: '0' }, 'settlement.fundPaid'],
  ])('refuses %o naming %s', (input, field) => {
    expect(() => readSettlement(input)).toThrow(
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field } }),
    );
  });
});

const count = async (hub: TestHub, table: string, where = sql`true`) =>
  (await hub.rows<{ n: number }>(sql`select count(*)::int as n from ${sql.raw(`health.${table}`)} where ${where}`))[0]!
    .n;
const allCounts = async (hub: TestHub) =>
  Object.fromEntries(
    await Promise.all(
      ['visits', 'visit_diagnoses', 'settlements', 'health_records', 'medical_institutions'].map(
        async (t) => [t, await count(hub, t)] as const,
      ),
    ),
  );

// Test institutions use serials from 90001 on, clear of the seeded ones.
const GUANGZHOU = 'H44010090001';
const SHENZHEN = 'H44030090001';

const VISIT_FIELDS = `id kind city department visitedAt admittedAt dischargedAt diagnoses
  institution { code name city level } settlement { total fundPaid selfPaid cardPaid settledAt } holder { id }`;
const RECORD_VISIT = `mutation($input: RecordMedicalVisitInput!) { recordMedicalVisit(input: $input) { ${VISIT_FIELDS} } }`;
const RECORD_HEALTH_RECORD = `mutation($input: RecordHealthRecordInput!) { recordHealthRecord(input: $input) { id type recordedAt summary institution { code } holder { id } } }`;
const REGISTER_INSTITUTION = `mutation($input: RegisterMedicalInstitutionInput!) { registerMedicalInstitution(input: $input) { code name city level } }`;

const outpatient = (holder: Record<string, string>, overrides: Record<string, unknown> = {}) => ({
  idempotencyKey: randomUUID(),
  holder,
  institutionCode: SHENZHEN,
  kind: 'OUTPATIENT',
  department: '呼吸内科',
  visitedAt: '2024-03-07T09:30:00+08:00',
  diagnoses: ['J45.909', 'i10'],
  settlement: { total: '356.80', fundPaid: '214.08', selfPaid: '142.72', cardPaid: '100.00' },
  ...overrides,
});

const recordVisit = (hub: TestHub, input: Record<string, unknown>) => hub.query(RECORD_VISIT, { input });
const fieldOf = (result: GraphQLResponse) => result.errors?.[0]?.extensions?.field;

it.beforeAll(async ({ hub }) => {
  await registerBank(hub, 'ICBC');
  for (const [code, name, city] of [
    [GUANGZHOU, '广州市测试医院', '440100'],
    [SHENZHEN, '深圳市测试医院', '440300'],
  ] as const) {
    await hub.ok(REGISTER_INSTITUTION, {
      input: { idempotencyKey: randomUUID(), code, name, city, level: 'TERTIARY_A' },
    });
  }
});

describe('recording a visit', () => {
  it('records a visit by card number, in the institution city, and reads it back on the holder', async ({ hub }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const data = await hub.ok(RECORD_VISIT, { input: outpatient({ cardNumber }) });
    const visit = data.recordMedicalVisit;
    // Registered in Guangzhou, seen in Shenzhen: the visit carries the city it happened in (Art 4).
    expect(visit).toMatchObject({
      kind: 'OUTPATIENT',
      city: '440300',
      department: '呼吸内科',
      visitedAt: '2024-03-07T01:30:00.000Z',
      admittedAt: null,
      dischargedAt: null,
      diagnoses: ['J45.909', 'I10'],
      institution: { code: SHENZHEN, city: '440300', level: 'TERTIARY_A' },
      settlement: {
        total: '356.80',
        fundPaid: '214.08',
        selfPaid: '142.72',
        cardPaid: '100.00',
        settledAt: '2024-03-07T01:30:00.000Z',
      },
      holder: { id: holder.id },
    });

    const read = await hub.ok(
      `query($n: String!) { holder(idNumber: $n) { name medicalVisits { nodes { ${VISIT_FIELDS} } pageInfo { hasNextPage endCursor } } } }`,
      { n: holder.idNumber },
    );
    expect(read.holder.name).toBe(holder.name);
    expect(read.holder.medicalVisits.nodes).toEqual([visit]);
    expect(read.holder.medicalVisits.pageInfo).toMatchObject({ hasNextPage: false, endCursor: expect.any(String) });

    const byId = await hub.ok(`query($id: ID!) { medicalVisit(id: $id) { id holder { name } } }`, { id: visit.id });
    expect(byId.medicalVisit).toEqual({ id: visit.id, holder: { name: holder.name } });
  });

  it('records an inpatient stay by holder id, settled at discharge', async ({ hub }) => {
    const holder = await registerHolder(hub);
    const data = await hub.ok(RECORD_VISIT, {
      input: outpatient(
        { id: holder.id },
        {
          kind: 'INPATIENT',
          institutionCode: GUANGZHOU,
          department: '普通外科',
          diagnoses: ['K35.8'],
          visitedAt: '2024-05-01T08:00:00Z',
          admittedAt: '2024-05-01T10:00:00Z',
          dischargedAt: '2024-05-06T02:00:00Z',
          settlement: { total: '12000', fundPaid: '9600', selfPaid: '2400', cardPaid: '0' },
        },
      ),
    });
    expect(data.recordMedicalVisit).toMatchObject({
      kind: 'INPATIENT',
      city: '440100',
      admittedAt: '2024-05-01T10:00:00.000Z',
      dischargedAt: '2024-05-06T02:00:00.000Z',
      diagnoses: ['K35.8'],
      settlement: {
        total: '12000.00',
        fundPaid: '9600.00',
        selfPaid: '2400.00',
        cardPaid: '0.00',
        settledAt: '2024-05-06T02:00:00.000Z',
      },
    });
  });

  it('records a registration with neither diagnoses nor settlement', async ({ hub }) => {
    const holder = await registerHolder(hub);
    const data = await hub.ok(RECORD_VISIT, {
      input: outpatient({ id: holder.id }, { kind: 'REGISTRATION', diagnoses: undefined, settlement: undefined }),
    });
    expect(data.recordMedicalVisit).toMatchObject({ kind: 'REGISTRATION', diagnoses: [], settlement: null });
  });
});

describe('paging a holder’s visits', () => {
  let idNumber: string;
  const days = ['2024-01-05', '2024-02-05', '2024-03-05', '2024-04-05', '2024-05-05'];
  const PAGE = `query($n: String!, $first: Int, $after: String, $from: String, $to: String) {
    holder(idNumber: $n) { medicalVisits(first: $first, after: $after, from: $from, to: $to) { nodes { visitedAt } pageInfo { hasNextPage endCursor } } } }`;
  const page = async (hub: TestHub, args: Record<string, unknown>) =>
    (await hub.ok(PAGE, { n: idNumber, ...args })).holder.medicalVisits;
  const dayOf = (connection: { nodes: { visitedAt: string }[] }) =>
    connection.nodes.map((n) => n.visitedAt.slice(0, 10));

  it.beforeAll(async ({ hub }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    idNumber = holder.idNumber;
    for (const day of days)
      await hub.ok(RECORD_VISIT, { input: outpatient({ cardNumber }, { visitedAt: `${day}T02:00:00Z` }) });
  });

  it('walks the visits newest first with first/after', async ({ hub }) => {
    const first = await page(hub, { first: 2 });
    expect(dayOf(first)).toEqual(['2024-05-05', '2024-04-05']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await page(hub, { first: 2, after: first.pageInfo.endCursor });
    expect(dayOf(second)).toEqual(['2024-03-05', '2024-02-05']);
    const last = await page(hub, { first: 2, after: second.pageInfo.endCursor });
    expect(dayOf(last)).toEqual(['2024-01-05']);
    expect(last.pageInfo.hasNextPage).toBe(false);
  });

  it('bounds the visit time with from (inclusive) and to (exclusive)', async ({ hub }) => {
    expect(dayOf(await page(hub, { from: '2024-02-05T02:00:00Z', to: '2024-04-05T02:00:00Z' }))).toEqual([
      '2024-03-05',
      '2024-02-05',
    ]);
    const bounded = await page(hub, { from: '2024-02-01T00:00:00Z', first: 1 });
    const next = await page(hub, { from: '2024-02-01T00:00:00Z', first: 10, after: bounded.pageInfo.endCursor });
    expect([...dayOf(bounded), ...dayOf(next)]).toEqual(['2024-05-05', '2024-04-05', '2024-03-05', '2024-02-05']);
  });

  it('refuses a foreign cursor and a page size out of range', async ({ hub }) => {
    expect(codes(await hub.query(PAGE, { n: idNumber, after: 'not-a-cursor' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await hub.query(PAGE, { n: idNumber, first: 0 }))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('idempotency', () => {
  it('returns the first visit for a replay and writes nothing new, whichever way the holder is named', async ({
    hub,
  }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const input = outpatient({ cardNumber });
    const first = (await hub.ok(RECORD_VISIT, { input })).recordMedicalVisit;
    const before = await allCounts(hub);
    const replay = (await hub.ok(RECORD_VISIT, { input })).recordMedicalVisit;
    const byId = (await hub.ok(RECORD_VISIT, { input: { ...input, holder: { id: holder.id } } })).recordMedicalVisit;
    expect(replay).toEqual(first);
    expect(byId).toEqual(first);
    expect(await allCounts(hub)).toEqual(before);
    expect(await count(hub, 'visits', sql`holder_id = ${holder.id}`)).toBe(1);
  });

  it('writes once when the same request arrives several times at once', async ({ hub }) => {
    const holder = await registerHolder(hub);
    const input = outpatient({ id: holder.id });
    const results = await Promise.all(Array.from({ length: 5 }, () => recordVisit(hub, input)));
    expect(results.flatMap(codes)).toEqual([]);
    expect(new Set(results.map((r) => r.data!.recordMedicalVisit.id)).size).toBe(1);
    expect(await count(hub, 'visits', sql`holder_id = ${holder.id}`)).toBe(1);
  });

  it('refuses the same key with a different payload with IDEMPOTENCY_KEY_REUSED', async ({ hub }) => {
    const holder = await registerHolder(hub);
    const input = outpatient({ id: holder.id });
    await hub.ok(RECORD_VISIT, { input });
    const result = await recordVisit(hub, { ...input, department: '心血管内科' });
    expect(codes(result)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    // A key is one department-wide ledger entry: another operation cannot take it either.
    const record = await hub.query(RECORD_HEALTH_RECORD, {
      input: {
        idempotencyKey: input.idempotencyKey,
        holder: { id: holder.id },
        type: 'EMR',
        institutionCode: SHENZHEN,
        recordedAt: '2024-03-07T10:00:00Z',
        summary: '门诊病历',
      },
    });
    expect(codes(record)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(await count(hub, 'visits', sql`holder_id = ${holder.id}`)).toBe(1);
  });

  it('refuses a malformed key', async ({ hub }) => {
    const holder = await registerHolder(hub);
    const result = await recordVisit(hub, outpatient({ id: holder.id }, { idempotencyKey: 'short' }));
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(fieldOf(result)).toBe('idempotencyKey');
  });
});

describe('refusals, with nothing written', () => {
  let holderId: string;
  let before: Record<string, number>;
  it.beforeAll(async ({ hub }) => {
    holderId = (await registerHolder(hub)).id;
  });
  const refused = async (hub: TestHub, input: Record<string, unknown>, code: string, field?: string) => {
    before = await allCounts(hub);
    const result = await recordVisit(hub, input);
    expect(codes(result)).toEqual([code]);
    if (field) expect(fieldOf(result)).toBe(field);
    expect(result.errors![0]!.message).not.toMatch(/sql|select|insert|relation/i);
    expect(await allCounts(hub)).toEqual(before);
    return result;
  };

  it('refuses an unknown card with CARD_NOT_FOUND and an unknown holder id with HOLDER_NOT_FOUND', async ({ hub }) => {
    await refused(hub, outpatient({ cardNumber: 'Z00000000' }), 'CARD_NOT_FOUND');
    await refused(hub, outpatient({ id: randomUUID() }), 'HOLDER_NOT_FOUND');
    await refused(hub, outpatient({ id: 'not-a-uuid' }), 'HOLDER_NOT_FOUND');
    await refused(hub, outpatient({ id: holderId, cardNumber: 'Z00000000' }), 'BAD_USER_INPUT', 'holder');
  });

  it('refuses a settlement that does not add up with BAD_USER_INPUT', async ({ hub }) => {
    await refused(
      hub,
      outpatient(
        { id: holderId },
        { settlement: { total: '100.00', fundPaid: '60.00', selfPaid: '30.00', cardPaid: '0' } },
      ),
      'BAD_USER_INPUT',
      'settlement.total',
    );
    await refused(
      hub,
      outpatient(
        { id: holderId },
        { settlement: { total: '100.00', fundPaid: '60.00', selfPaid: '40.00', cardPaid: '50.00' } },
      ),
      'BAD_USER_INPUT',
      'settlement.cardPaid',
    );
    await refused(
      hub,
      outpatient({ id: holderId }, { settlement: { total: '1e3', fundPaid: '1000', selfPaid: '0', cardPaid: '0' } }),
      'BAD_USER_INPUT',
      'settlement.total',
    );
  });

  it('refuses a malformed ICD-10 code with BAD_USER_INPUT naming it', async ({ hub }) => {
    const result = await refused(
      hub,
      outpatient({ id: holderId }, { diagnoses: ['I10', 'J45909'] }),
      'BAD_USER_INPUT',
      'diagnoses[1]',
    );
    expect(result.errors![0]!.message).toContain('J45909');
  });

  it('refuses an unknown institution with NOT_FOUND', async ({ hub }) => {
    const result = await refused(
      hub,
      outpatient({ id: holderId }, { institutionCode: 'H44010099999' }),
      'NOT_FOUND',
      'institutionCode',
    );
    expect(result.errors![0]!.message).toContain('H44010099999');
  });

  it('keeps admission and discharge to inpatient stays, in order, and settles a stay at discharge', async ({ hub }) => {
    const stay = { kind: 'INPATIENT', admittedAt: '2024-05-01T10:00:00Z', dischargedAt: '2024-05-06T02:00:00Z' };
    await refused(hub, outpatient({ id: holderId }, { kind: 'INPATIENT' }), 'BAD_USER_INPUT', 'admittedAt');
    await refused(
      hub,
      outpatient({ id: holderId }, { admittedAt: '2024-05-01T10:00:00Z' }),
      'BAD_USER_INPUT',
      'admittedAt',
    );
    await refused(
      hub,
      outpatient({ id: holderId }, { ...stay, dischargedAt: '2024-04-30T10:00:00Z' }),
      'BAD_USER_INPUT',
      'dischargedAt',
    );
    await refused(hub, outpatient({ id: holderId }, { ...stay, dischargedAt: null }), 'BAD_USER_INPUT', 'dischargedAt');
    // Still admitted and not yet settled: fine.
    expect(
      (await recordVisit(hub, outpatient({ id: holderId }, { ...stay, dischargedAt: null, settlement: null }))).errors,
    ).toBeUndefined();
  });

  it('refuses a time without an offset, and an empty department', async ({ hub }) => {
    await refused(
      hub,
      outpatient({ id: holderId }, { visitedAt: '2024-03-07T09:30:00' }),
      'BAD_USER_INPUT',
      'visitedAt',
    );
    await refused(hub, outpatient({ id: holderId }, { visitedAt: 'yesterday' }), 'BAD_USER_INPUT', 'visitedAt');
    await refused(
      hub,
      outpatient({ id: holderId }, { visitedAt: '2024-02-30T09:30:00+08:00' }),
      'BAD_USER_INPUT',
      'visitedAt',
    );
    await refused(hub, outpatient({ id: holderId }, { department: '  ' }), 'BAD_USER_INPUT', 'department');
  });

  it('says NOT_FOUND for an unknown or malformed visit id', async ({ hub }) => {
    expect(codes(await hub.query(`query($id: ID!) { medicalVisit(id: $id) { id } }`, { id: randomUUID() }))).toEqual([
      'NOT_FOUND',
    ]);
    expect(codes(await hub.query(`{ medicalVisit(id: "42") { id } }`))).toEqual(['NOT_FOUND']);
  });
});

describe('hostile and odd input, refused before it reaches the database', () => {
  let holderId: string;
  it.beforeAll(async ({ hub }) => {
    holderId = (await registerHolder(hub)).id;
  });
  const record = (hub: TestHub, overrides: Record<string, unknown>) =>
    hub.query(RECORD_HEALTH_RECORD, {
      input: {
        idempotencyKey: randomUUID(),
        holder: { id: holderId },
        type: 'EMR',
        institutionCode: GUANGZHOU,
        recordedAt: '2024-03-07T03:00:00Z',
        summary: '门诊病历',
        ...overrides,
      },
    });
  const register = (hub: TestHub, overrides: Record<string, unknown>) =>
    hub.query(REGISTER_INSTITUTION, {
      input: {
        idempotencyKey: randomUUID(),
        code: 'H44190090002',
        name: '东莞市另一医院',
        city: '441900',
        level: 'PRIMARY',
        ...overrides,
      },
    });
  /** BAD_USER_INPUT naming `field`, nothing written, and a message that neither carries control characters nor runs long. */
  const expectRefused = async (
    hub: TestHub,
    result: GraphQLResponse | Promise<GraphQLResponse>,
    field: string,
    before: Record<string, number>,
  ) => {
    const r = await result;
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(r.errors![0]!.message).not.toMatch(/[\u0000-\u001f]/);
    expect(r.errors![0]!.message.length).toBeLessThan(200);
    expect(await allCounts(hub)).toEqual(before);
  };

  it('refuses free text with a NUL byte (department, summary, institution name)', async ({ hub }) => {
    const before = await allCounts(hub);
    await expectRefused(
      hub,
      recordVisit(hub, outpatient({ id: holderId }, { department: '呼吸\u0000内科' })),
      'department',
      before,
    );
    await expectRefused(hub, record(hub, { summary: '门诊\u0000病历' }), 'summary', before);
    await expectRefused(hub, register(hub, { name: '东莞\u0000医院' }), 'name', before);
  });

  it.for([
    '0000-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '-271821-04-20T00:00:00Z',
    '1899-12-31T23:59:59Z',
    '2024-03-07T24:00:00+08:00',
    '2024-03-07T09:30:00+15:00',
    '2024-03-07',
  ])(
    'refuses the instant %s as a visit, admission, discharge, settlement and record time',
    async (instant, { hub }) => {
      const before = await allCounts(hub);
      const stay = { kind: 'INPATIENT', admittedAt: '2024-05-01T10:00:00Z', dischargedAt: '2024-05-06T02:00:00Z' };
      await expectRefused(
        hub,
        recordVisit(hub, outpatient({ id: holderId }, { visitedAt: instant })),
        'visitedAt',
        before,
      );
      await expectRefused(
        hub,
        recordVisit(hub, outpatient({ id: holderId }, { ...stay, admittedAt: instant })),
        'admittedAt',
        before,
      );
      await expectRefused(
        hub,
        recordVisit(hub, outpatient({ id: holderId }, { ...stay, dischargedAt: instant })),
        'dischargedAt',
        before,
      );
      await expectRefused(
        hub,
        recordVisit(
          hub,
          outpatient(
            { id: holderId },
            { settlement: { total: '1', fundPaid: '1', selfPaid: '0', cardPaid: '0', settledAt: instant } },
          ),
        ),
        'settlement.settledAt',
        before,
      );
      await expectRefused(hub, record(hub, { recordedAt: instant }), 'recordedAt', before);
    },
  );

  it('refuses visit and record times in the future, beyond a few minutes of clock skew', async ({ hub }) => {
    const before = await allCounts(hub);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    await expectRefused(
      hub,
      recordVisit(hub, outpatient({ id: holderId }, { visitedAt: tomorrow })),
      'visitedAt',
      before,
    );
    await expectRefused(
      hub,
      recordVisit(
        hub,
        outpatient(
          { id: holderId },
          {
            kind: 'INPATIENT',
            visitedAt: '2024-05-01T08:00:00Z',
            admittedAt: tomorrow,
            dischargedAt: null,
            settlement: null,
          },
        ),
      ),
      'admittedAt',
      before,
    );
    await expectRefused(hub, record(hub, { recordedAt: tomorrow }), 'recordedAt', before);
    // A device clock a minute fast is not the future.
    const skewed = new Date(Date.now() + 60_000).toISOString();
    expect((await recordVisit(hub, outpatient({ id: holderId }, { visitedAt: skewed }))).errors).toBeUndefined();
  });

  it('checks an institution code’s format before looking it up', async ({ hub }) => {
    const before = await allCounts(hub);
    await expectRefused(
      hub,
      recordVisit(hub, outpatient({ id: holderId }, { institutionCode: 'H4401009\u00000001' })),
      'institutionCode',
      before,
    );
    await expectRefused(hub, record(hub, { institutionCode: 'H4401009\u00000001' }), 'institutionCode', before);
    await expectRefused(hub, record(hub, { institutionCode: 'X'.repeat(100_000) }), 'institutionCode', before);
    // Lower case and padding are the same code.
    expect((await record(hub, { institutionCode: ` ${GUANGZHOU.toLowerCase()} ` })).errors).toBeUndefined();
  });

  it('echoes a caller’s value in a message only cut short and without control characters', async ({ hub }) => {
    const before = await allCounts(hub);
    await expectRefused(hub, register(hub, { city: '44\u00000100' }), 'city', before);
    await expectRefused(hub, register(hub, { city: '4'.repeat(100_000) }), 'city', before);
    await expectRefused(hub, register(hub, { code: `H\u0000${'1'.repeat(100_000)}` }), 'code', before);
    await expectRefused(
      hub,
      recordVisit(hub, outpatient({ id: holderId }, { diagnoses: [`I10\u0000${'9'.repeat(100_000)}`] })),
      'diagnoses[0]',
      before,
    );
    const list = await hub.query(`query($c: String) { medicalInstitutions(city: $c) { code } }`, {
      c: `\u0000${'4'.repeat(100_000)}`,
    });
    expect(list.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'city' });
    expect(list.errors![0]!.message).not.toMatch(/[\u0000-\u001f]/);
    expect(list.errors![0]!.message.length).toBeLessThan(200);
    const visit = await hub.query(`query($id: ID!) { medicalVisit(id: $id) { id } }`, {
      id: `\u0000${'x'.repeat(100_000)}`,
    });
    expect(codes(visit)).toEqual(['NOT_FOUND']);
    expect(visit.errors![0]!.message).not.toMatch(/[\u0000-\u001f]/);
    expect(visit.errors![0]!.message.length).toBeLessThan(200);
  });
});

describe('medical institutions', () => {
  const register = (hub: TestHub, input: Record<string, unknown>) =>
    hub.query(REGISTER_INSTITUTION, {
      input: {
        idempotencyKey: randomUUID(),
        code: 'H44190090001',
        name: '东莞市测试医院',
        city: '441900',
        level: 'SECONDARY_A',
        ...input,
      },
    });

  it('registers once per key, lists by city, and refuses a second registration of a code', async ({ hub }) => {
    const key = randomUUID();
    const first = await register(hub, { idempotencyKey: key });
    expect(first.data.registerMedicalInstitution).toEqual({
      code: 'H44190090001',
      name: '东莞市测试医院',
      city: '441900',
      level: 'SECONDARY_A',
    });
    expect((await register(hub, { idempotencyKey: key })).data).toEqual(first.data);
    const again = await register(hub, {});
    expect(codes(again)).toEqual(['BAD_USER_INPUT']);
    expect(fieldOf(again)).toBe('code');
    const listed = await hub.ok(`{ medicalInstitutions(city: "441900") { code city } }`);
    expect(listed.medicalInstitutions.map((i: { code: string }) => i.code)).toContain('H44190090001');
    expect(listed.medicalInstitutions.every((i: { city: string }) => i.city === '441900')).toBe(true);
  });

  it('refuses a code outside the city, a city outside Guangdong, and a blank name', async ({ hub }) => {
    expect(fieldOf(await register(hub, { code: 'H44010090009' }))).toBe('code');
    expect(fieldOf(await register(hub, { code: 'X123' }))).toBe('code');
    expect(fieldOf(await register(hub, { city: '110100' }))).toBe('city');
    expect(fieldOf(await register(hub, { name: ' ' }))).toBe('name');
    expect(codes(await hub.query(`{ medicalInstitutions(city: "110100") { code } }`))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('the record index', () => {
  it('records entries and pages them newest first within a time range', async ({ hub }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const entries = [
      ['HEALTH_ARCHIVE', '2023-06-01T00:00:00Z', '居民健康档案建档'],
      ['EMR', '2024-03-07T03:00:00Z', '门诊病历'],
      ['EXAMINATION_REPORT', '2024-03-08T03:00:00Z', '检验报告：血常规'],
    ];
    for (const [type, recordedAt, summary] of entries) {
      const data = await hub.ok(RECORD_HEALTH_RECORD, {
        input: {
          idempotencyKey: randomUUID(),
          holder: { cardNumber },
          type,
          institutionCode: GUANGZHOU,
          recordedAt,
          summary,
        },
      });
      expect(data.recordHealthRecord).toMatchObject({
        type,
        summary,
        institution: { code: GUANGZHOU },
        holder: { id: holder.id },
      });
    }
    const read = await hub.ok(
      `query($n: String!) { holder(idNumber: $n) {
      all: healthRecords { nodes { type } pageInfo { hasNextPage } }
      recent: healthRecords(first: 1, from: "2024-01-01T00:00:00Z") { nodes { type recordedAt } pageInfo { hasNextPage } } } }`,
      { n: holder.idNumber },
    );
    expect(read.holder.all.nodes.map((n: { type: string }) => n.type)).toEqual([
      'EXAMINATION_REPORT',
      'EMR',
      'HEALTH_ARCHIVE',
    ]);
    expect(read.holder.recent).toEqual({
      nodes: [{ type: 'EXAMINATION_REPORT', recordedAt: '2024-03-08T03:00:00.000Z' }],
      pageInfo: { hasNextPage: true },
    });
  });

  it('refuses an unknown institution and an overlong summary', async ({ hub }) => {
    const holder = await registerHolder(hub);
    const input = {
      idempotencyKey: randomUUID(),
      holder: { id: holder.id },
      type: 'EMR',
      institutionCode: 'H44010099999',
      recordedAt: '2024-03-07T03:00:00Z',
      summary: '门诊病历',
    };
    expect(codes(await hub.query(RECORD_HEALTH_RECORD, { input }))).toEqual(['NOT_FOUND']);
    expect(
      fieldOf(
        await hub.query(RECORD_HEALTH_RECORD, {
          input: { ...input, institutionCode: GUANGZHOU, summary: '病'.repeat(501) },
        }),
      ),
    ).toBe('summary');
  });
});

describe('demo data and batching', () => {
  const seededIdNumbers = async (hub: TestHub) =>
    (
      await hub.rows<{ id_number: string }>(
        sql`select id_number from hr.holders order by id_number limit ${SEEDED_HOLDERS}`,
      )
    ).map((r) => r.id_number);

  it('seeds hospitals in every city and visits whose settlements add up and whose diagnoses are ICD-10', async ({
    hub,
  }) => {
    const cities = await hub.rows<{ city: string }>(
      sql`select distinct city from health.medical_institutions where code not like '%900__'`,
    );
    expect(cities).toHaveLength(21);
    expect(await count(hub, 'visits')).toBeGreaterThan(SEEDED_HOLDERS);
    expect(await count(hub, 'settlements', sql`total <> fund_paid + self_paid or card_paid > self_paid`)).toBe(0);
    const diagnoses = await hub.rows<{ code: string }>(sql`select distinct code from health.visit_diagnoses`);
    expect(diagnoses.length).toBeGreaterThan(5);
    expect(diagnoses.every((d) => isIcd10Code(d.code))).toBe(true);
    // Some holders were seen away from their home city (Art 4).
    const away = await hub.rows<{ n: number }>(
      sql`select count(*)::int as n from health.visits v join hr.holders h on h.id = v.holder_id where v.city <> h.registered_city`,
    );
    expect(away[0]!.n).toBeGreaterThan(0);

    const lines: string[] = [];
    await seedHealth(hub.databases[0]!.database, { holders: SEEDED_HOLDERS, log: (l) => lines.push(l) });
    expect(lines).toEqual(['health: medical institutions already present, demo data left as it is']);
  });

  it('issues the same number of health statements for many holders’ visits as for a few', async ({ hub }) => {
    const query = `query($ids: [String!]!) { holders(idNumbers: $ids) { id
      medicalVisits(first: 5) { nodes { kind diagnoses institution { name } settlement { total } } pageInfo { hasNextPage } }
      healthRecords(first: 5) { nodes { type institution { name } } } } }`;
    const statementsFor = async (ids: string[]) => {
      const { result: data, bySubgraph } = await hub.countStatements(() => hub.ok(query, { ids }));
      expect(data.holders).toHaveLength(ids.length);
      return { statements: bySubgraph.health!, visits: data.holders.flatMap((h: any) => h.medicalVisits.nodes).length };
    };
    const ids = await seededIdNumbers(hub);
    // A few holders who have both visits and records, so both lists reach their nested lookups.
    const withBoth = await hub.rows<{ id_number: string }>(sql`select h.id_number from hr.holders h
      where exists (select 1 from health.visits v where v.holder_id = h.id) and exists (select 1 from health.health_records r where r.holder_id = h.id)
      order by h.id_number limit 3`);
    expect(withBoth).toHaveLength(3);
    const few = await statementsFor(withBoth.map((r) => r.id_number));
    const many = await statementsFor(ids);
    expect(many.visits).toBeGreaterThan(few.visits);
    expect(many.statements).toBe(few.statements);
    // Both pages in one statement, each visit with its institution, settlement and diagnoses, each record with its
    // institution.
    expect(many.statements).toBe(1);
  });
});
