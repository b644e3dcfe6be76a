// The HR e-file library (Art 15) through the real gateway: employment and unemployment periods, training and skill
// evaluations, titles and qualifications, electronic labour contracts. Written by the HR department alone, read by
// HR services and the holder, refused to every other purpose; each list newest first, a page at a time.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { hubTest } from '../support/fixtures.js';
import { codes, type GraphQLResponse, type Identity, type TestHub } from '../support/hub.js';
import { registerHolder } from '../support/hr.js';
import { idNumber, randomBirth } from '../support/identities.js';
import { rowsOf } from '../support/sql.js';

const it = hubTest();

const SELF: Identity = { client: 'province', purpose: 'HOLDER_SELF_SERVICE' };
const HR_SERVICE: Identity = { client: 'dept-hr', purpose: 'HR_SERVICE' };
const SOCIAL_INSURANCE: Identity = { client: 'dept-hr', purpose: 'SOCIAL_INSURANCE' };
const TRANSIT: Identity = { client: 'dept-transport', purpose: 'TRANSIT', operator: null, caseRef: null };

const EMPLOYER_CODE = '91440101MA59ABCD1D';
const SHA = 'a'.repeat(64);
const LISTS = ['employmentPeriods', 'trainingRecords', 'qualifications', 'labourContracts'];

const WRITES = {
  employment: `mutation($input: RecordEmploymentPeriodInput!) { recordEmploymentPeriod(input: $input) { id kind employerName city startDate endDate } }`,
  training: `mutation($input: RecordTrainingInput!) { recordTraining(input: $input) { id kind occupation skillLevel completedOn } }`,
  qualification: `mutation($input: RecordQualificationInput!) { recordQualification(input: $input) { id kind name level awardedOn } }`,
  contract: `mutation($input: RecordLabourContractInput!) { recordLabourContract(input: $input) {
    id employerName employerCode term startDate endDate signedAt documentSha256 } }`,
};

const inputs = {
  employment: (idNumber: string, extra: Record<string, unknown> = {}) => ({
    idempotencyKey: randomUUID(),
    idNumber,
    kind: 'EMPLOYED',
    employerName: '广州市测试科技有限公司',
    employerCode: EMPLOYER_CODE,
    city: '440100',
    startDate: '2019-07-01',
    endDate: '2022-06-30',
    ...extra,
  }),
  training: (idNumber: string, extra: Record<string, unknown> = {}) => ({
    idempotencyKey: randomUUID(),
    idNumber,
    kind: 'SKILL_EVALUATION',
    occupation: '电工',
    provider: '广东省职业技能鉴定中心',
    skillLevel: 3,
    certificateNumber: 'S2023440100123',
    completedOn: '2023-05-20',
    ...extra,
  }),
  qualification: (idNumber: string, extra: Record<string, unknown> = {}) => ({
    idempotencyKey: randomUUID(),
    idNumber,
    kind: 'PROFESSIONAL_TITLE',
    name: '工程师',
    level: 'INTERMEDIATE',
    issuer: '广东省人力资源和社会保障厅',
    awardedOn: '2021-12-01',
    ...extra,
  }),
  contract: (idNumber: string, extra: Record<string, unknown> = {}) => ({
    idempotencyKey: randomUUID(),
    idNumber,
    employerName: '广州市测试科技有限公司',
    employerCode: EMPLOYER_CODE,
    term: 'FIXED_TERM',
    startDate: '2022-07-01',
    endDate: '2025-06-30',
    signedAt: '2022-06-20T10:00:00+08:00',
    documentSha256: SHA,
    ...extra,
  }),
};
type Kind = keyof typeof inputs;

const record = (hub: TestHub, kind: Kind, idNumber: string, extra: Record<string, unknown> = {}) =>
  hub.query(WRITES[kind], { input: inputs[kind](idNumber, extra) });

const READ = `query($id: String!, $first: Int) { holder(idNumber: $id) {
  employmentPeriods(first: $first) { nodes { kind employerName startDate endDate } pageInfo { hasNextPage endCursor } }
  trainingRecords { nodes { kind occupation skillLevel } }
  qualifications { nodes { kind name level } }
  labourContracts { nodes { term signedAt documentSha256 } pageInfo { hasNextPage } } } }`;

function firstError(result: GraphQLResponse) {
  expect(result.errors?.length, JSON.stringify(result)).toBeGreaterThan(0);
  return result.errors![0]!.extensions;
}

let filed: { id: string; idNumber: string };

it.beforeAll(async ({ hub }) => {
  const holder = await registerHolder(hub);
  filed = { id: holder.id, idNumber: holder.idNumber };
  // Recorded one after another: the newest recorded comes first.
  for (const [kind, extra] of [
    ['employment', {}],
    [
      'employment',
      { kind: 'UNEMPLOYED', employerName: null, employerCode: null, startDate: '2022-07-01', endDate: '2022-09-30' },
    ],
    ['employment', { startDate: '2022-10-01', endDate: null }],
    ['training', {}],
    ['qualification', {}],
    ['contract', { signedAt: '2019-06-25T09:00:00+08:00', startDate: '2019-07-01', endDate: '2022-06-30' }],
    ['contract', { term: 'OPEN_ENDED', endDate: null, signedAt: '2022-09-20T09:00:00+08:00', startDate: '2022-10-01' }],
  ] as [Kind, Record<string, unknown>][]) {
    const result = await record(hub, kind, holder.idNumber, extra);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  }
});

describe('the e-file', () => {
  it('lists every entry for the holder, newest first, a page at a time', async ({ hub }) => {
    const data = (await hub.as(SELF).ok(READ, { id: filed.idNumber, first: 2 })).holder;
    expect(data.employmentPeriods.nodes).toEqual([
      { kind: 'EMPLOYED', employerName: '广州市测试科技有限公司', startDate: '2022-10-01', endDate: null },
      { kind: 'UNEMPLOYED', employerName: null, startDate: '2022-07-01', endDate: '2022-09-30' },
    ]);
    expect(data.employmentPeriods.pageInfo.hasNextPage).toBe(true);
    const rest = await hub.as(SELF).ok(
      `query($id: String!, $after: String) { holder(idNumber: $id) { employmentPeriods(after: $after) {
        nodes { startDate } pageInfo { hasNextPage } } } }`,
      { id: filed.idNumber, after: data.employmentPeriods.pageInfo.endCursor },
    );
    expect(rest.holder.employmentPeriods).toEqual({
      nodes: [{ startDate: '2019-07-01' }],
      pageInfo: { hasNextPage: false },
    });
    expect(data.trainingRecords.nodes).toEqual([{ kind: 'SKILL_EVALUATION', occupation: '电工', skillLevel: 3 }]);
    expect(data.qualifications.nodes).toEqual([{ kind: 'PROFESSIONAL_TITLE', name: '工程师', level: 'INTERMEDIATE' }]);
    // Contracts by signing time: the open-ended one signed in 2022 first.
    expect(data.labourContracts.nodes).toEqual([
      { term: 'OPEN_ENDED', signedAt: '2022-09-20T01:00:00.000Z', documentSha256: SHA },
      { term: 'FIXED_TERM', signedAt: '2019-06-25T01:00:00.000Z', documentSha256: SHA },
    ]);
  });

  it('is read by HR services, and refused to social insurance and to a transport operator', async ({ hub }) => {
    const hr = (await hub.as(HR_SERVICE).ok(READ, { id: filed.idNumber })).holder;
    expect(hr.employmentPeriods.nodes).toHaveLength(3);
    expect(hr.labourContracts.nodes).toHaveLength(2);
    for (const identity of [SOCIAL_INSURANCE, TRANSIT]) {
      const result = await hub.as(identity).query(READ, { id: filed.idNumber });
      expect(result.data.holder).toEqual(Object.fromEntries(LISTS.map((list) => [list, null])));
      expect(
        result.errors!.map((e) => [e.extensions?.code, e.extensions?.coordinate, e.extensions?.category]).sort(),
      ).toEqual(LISTS.map((list) => ['FORBIDDEN', `Holder.${list}`, 'EMPLOYMENT']).sort());
    }
  });

  it('records every read in the audit trail against the holder', async ({ hub }) => {
    const name = `EFile_${randomUUID().slice(0, 8)}`;
    await hub
      .as(HR_SERVICE)
      .ok(`query ${name}($id: String!) { holder(idNumber: $id) { labourContracts { nodes { documentSha256 } } } }`, {
        id: filed.idNumber,
      });
    const [row] = await rowsOf<{ holder_ids: string[]; coordinates: string[]; purpose: string }>(
      hub.gateway.database.db,
      sql`select holder_ids, coordinates, purpose from gateway.audit_records where operation_name = ${name}`,
    );
    expect(row).toMatchObject({ holder_ids: [filed.id], purpose: 'HR_SERVICE' });
    expect(row!.coordinates).toEqual(
      expect.arrayContaining([
        'Holder.labourContracts',
        'LabourContract.documentSha256',
        'LabourContractConnection.nodes',
      ]),
    );
    const report = await hub
      .as({ client: 'governance', purpose: 'GOVERNANCE_AUDIT' })
      .ok(`query($n: String!) { holderAccessReport(idNumber: $n) { accesses { client { id } purpose categories } } }`, {
        n: filed.idNumber,
      });
    const hr = report.holderAccessReport.accesses.find(
      (a: any) => a.client.id === 'dept-hr' && a.purpose === 'HR_SERVICE',
    );
    expect(hr.categories).toContain('EMPLOYMENT');
  });
});

describe('writes', () => {
  it('replay by key without a second entry, and refuse the key for another input', async ({ hub }) => {
    const holder = await registerHolder(hub);
    for (const kind of Object.keys(inputs) as Kind[]) {
      const input = inputs[kind](holder.idNumber);
      const first = await hub.ok(WRITES[kind], { input });
      expect(await hub.ok(WRITES[kind], { input }), kind).toEqual(first);
      const changed = {
        employment: { startDate: '2020-01-01' },
        training: { completedOn: '2020-01-01' },
        qualification: { awardedOn: '2020-01-01' },
        contract: { documentSha256: 'b'.repeat(64) },
      }[kind];
      expect(codes(await hub.query(WRITES[kind], { input: { ...input, ...changed } })), kind).toEqual([
        'IDEMPOTENCY_KEY_REUSED',
      ]);
    }
    const [counts] = await hub.rows<Record<string, number>>(
      sql`select (select count(*)::int from hr.employment_periods where holder_id = ${holder.id}) as e,
        (select count(*)::int from hr.training_records where holder_id = ${holder.id}) as t,
        (select count(*)::int from hr.qualifications where holder_id = ${holder.id}) as q,
        (select count(*)::int from hr.labour_contracts where holder_id = ${holder.id}) as c`,
    );
    expect(counts).toEqual({ e: 1, t: 1, q: 1, c: 1 });
  });

  it('are the HR department’s alone', async ({ hub }) => {
    const holder = await registerHolder(hub);
    for (const identity of [
      { client: 'province', purpose: 'HR_SERVICE' },
      { client: 'city-440100', purpose: 'HR_SERVICE' },
      { client: 'dept-transport', purpose: 'TRANSIT', operator: null, caseRef: null },
    ]) {
      for (const kind of Object.keys(inputs) as Kind[]) {
        const result = await hub.as(identity).query(WRITES[kind], { input: inputs[kind](holder.idNumber) });
        expect(codes(result), `${identity.client} ${kind}`).toEqual(['FORBIDDEN']);
      }
    }
    const [row] = await hub.rows<{ n: number }>(
      sql`select count(*)::int as n from hr.labour_contracts where holder_id = ${holder.id}`,
    );
    expect(row!.n).toBe(0);
  });

  it('refuse bad input, naming the field', async ({ hub }) => {
    const cases: [Kind, Record<string, unknown>, string][] = [
      ['employment', { startDate: '2019-02-29' }, 'startDate'],
      ['employment', { endDate: '2019-06-30' }, 'endDate'],
      ['employment', { employerName: null }, 'employerName'],
      ['employment', { kind: 'UNEMPLOYED', employerCode: null }, 'employerName'],
      ['employment', { city: '4401' }, 'city'],
      ['employment', { employerCode: 'ABC' }, 'employerCode'],
      ['training', { skillLevel: 6 }, 'skillLevel'],
      ['training', { skillLevel: null }, 'skillLevel'],
      ['training', { completedOn: '2999-01-01' }, 'completedOn'],
      ['training', { occupation: '  ' }, 'occupation'],
      ['qualification', { level: null }, 'level'],
      ['qualification', { kind: 'QUALIFICATION' }, 'level'],
      ['qualification', { awardedOn: '2021-12' }, 'awardedOn'],
      ['contract', { documentSha256: 'a'.repeat(63) }, 'documentSha256'],
      ['contract', { documentSha256: 'g'.repeat(64) }, 'documentSha256'],
      ['contract', { endDate: null }, 'endDate'],
      ['contract', { term: 'OPEN_ENDED' }, 'endDate'],
      ['contract', { endDate: '2022-06-30' }, 'endDate'],
      ['contract', { signedAt: '2022-06-20 10:00' }, 'signedAt'],
      ['contract', { signedAt: '2999-06-20T10:00:00+08:00' }, 'signedAt'],
      ['contract', { idNumber: 'no-such-document' }, 'idNumber'],
    ];
    for (const [kind, extra, field] of cases) {
      const result = await record(hub, kind, filed.idNumber, extra);
      expect(firstError(result), `${kind} ${JSON.stringify(extra)}`).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(codes(await record(hub, 'contract', idNumber('440106', randomBirth())))).toEqual(['HOLDER_NOT_FOUND']);
  });

  it('keeps the document hash in lowercase', async ({ hub }) => {
    const result = await record(hub, 'contract', filed.idNumber, { documentSha256: 'ABCDEF'.padEnd(64, 'F') });
    expect(result.data.recordLabourContract.documentSha256).toBe('abcdef'.padEnd(64, 'f'));
  });
});
