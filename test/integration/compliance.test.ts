// The credential register (Art 6) and governance's compliance report (Art 18) through the real gateway. Credentials
// whose function the card serves are refused unless a national rule requires them. The report is joined across
// subgraphs by federation: the catalog contributes its departments and the refused duplicate credentials,
// governance judges from the audit trail which departments went unused and which failed to answer. The failing
// department is a real one out of reach: a second gateway in front of the same subgraphs and audit trail, with
// culture-tourism's address pointing nowhere.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect } from 'vitest';
import { verifyAuditChains } from '../../gateway/audit/verify.js';
import { startGateway, type RunningGateway } from '../../gateway/server.js';
import { chinaDate } from '../../subgraphs/kit/time.js';
import { hubTest } from '../support/fixtures.js';
import { codes, type Identity, type TestHub } from '../support/hub.js';
import { registerHolder } from '../support/hr.js';

const it = hubTest();
let cut: RunningGateway | undefined;
afterAll(async () => {
  await cut?.close();
});

const PROVINCE: Identity = { client: 'province', purpose: 'HR_SERVICE' };
const HEALTH: Identity = { client: 'dept-health', purpose: 'MEDICAL_SERVICE' };
const GOVERNANCE: Identity = { client: 'governance', purpose: 'GOVERNANCE_AUDIT', caseRef: 'GOV-2026-0042' };

const REPORT = `query($days: Int) { complianceReport(days: $days) {
  days since
  catalogDepartments { department itemCount }
  idleDepartments { department itemCount }
  duplicateCredentialAttempts { department code kind category scenarios city duplicates attemptedBy attemptedAt }
  unansweredQueries { department queries holderQueries lastAt } } }`;
const REGISTER = `mutation($input: RegisterCredentialInput!) { registerCredential(input: $input) {
  department code kind category status nationalBasis integratedWith city } }`;

async function publishProvincialCatalog(hub: TestHub) {
  const mutation = (name: string, input: string) => `mutation($input: ${input}!) { ${name}(input: $input) { id } }`;
  const as = hub.as(PROVINCE);
  const draft = await as.ok(mutation('createCatalogDraft', 'CreateCatalogDraftInput'), {
    input: { idempotencyKey: randomUUID(), scope: '440000' },
  });
  const versionId = draft.createCatalogDraft.id;
  for (const [code, category, department, scenario] of [
    ['MEDICAL_SETTLEMENT', 'MEDICAL', 'health', '医保结算'],
    ['MEDICAL_RECORDS', 'MEDICAL', 'health', '健康档案'],
    ['TRANSIT_RIDE', 'TRANSPORT', 'transport', '乘坐公交地铁'],
  ] as const) {
    await as.ok(mutation('putCatalogItem', 'PutCatalogItemInput'), {
      input: {
        idempotencyKey: randomUUID(),
        versionId,
        item: { code, name: code, category, scenarios: [scenario], department },
      },
    });
  }
  await as.ok(mutation('publishCatalogVersion', 'PublishCatalogVersionInput'), {
    input: { idempotencyKey: randomUUID(), versionId, effectiveFrom: chinaDate(new Date()) },
  });
}

/** Guangzhou's catalog adds one application of transport's. */
async function publishGuangzhouCatalog(hub: TestHub) {
  const as = hub.as({ client: 'city-440100', purpose: 'HR_SERVICE' });
  const draft = await as.ok(`mutation($input: CreateCatalogDraftInput!) { createCatalogDraft(input: $input) { id } }`, {
    input: { idempotencyKey: randomUUID(), scope: '440100' },
  });
  const versionId = draft.createCatalogDraft.id;
  const item = {
    code: 'GZ_LINGNAN_PASS',
    name: '岭南通',
    category: 'TRANSPORT',
    scenarios: ['岭南通'],
    department: 'transport',
  };
  await as.ok(`mutation($input: PutCatalogItemInput!) { putCatalogItem(input: $input) { id } }`, {
    input: { idempotencyKey: randomUUID(), versionId, item },
  });
  await as.ok(`mutation($input: PublishCatalogVersionInput!) { publishCatalogVersion(input: $input) { id } }`, {
    input: { idempotencyKey: randomUUID(), versionId, effectiveFrom: chinaDate(new Date()) },
  });
}

it.beforeAll(async ({ hub }) => {
  await publishProvincialCatalog(hub);
  await publishGuangzhouCatalog(hub);
});

describe('the compliance report', () => {
  it('shows a refused duplicate credential, once per attempt however often retried', async ({ hub }) => {
    const input = {
      idempotencyKey: randomUUID(),
      code: 'HOSPITAL_CARD',
      name: '医院就诊卡',
      kind: 'CARD',
      category: 'MEDICAL',
      scenarios: ['医保结算'],
    };
    for (let i = 0; i < 2; i++)
      expect(codes(await hub.as(HEALTH).query(REGISTER, { input }))).toEqual(['DUPLICATE_CREDENTIAL']);
    const report = (await hub.as(GOVERNANCE).ok(REPORT, { days: 7 })).complianceReport;
    expect(report.days).toBe(7);
    expect(report.duplicateCredentialAttempts).toEqual([
      {
        department: 'health',
        code: 'HOSPITAL_CARD',
        kind: 'CARD',
        category: 'MEDICAL',
        scenarios: ['医保结算'],
        city: null,
        duplicates: ['MEDICAL_SETTLEMENT'],
        attemptedBy: 'dept-health',
        attemptedAt: expect.any(String),
      },
    ]);
    expect(report.catalogDepartments).toEqual([
      { department: 'health', itemCount: 2 },
      { department: 'transport', itemCount: 2 },
    ]);
  });

  it('names the departments owning applications whose data nobody used in the period', async ({ hub }) => {
    const before = (await hub.as(GOVERNANCE).ok(REPORT, {})).complianceReport;
    expect(before.days).toBe(30);
    expect(before.idleDepartments.map((d: any) => d.department)).toEqual(['health', 'transport']);
    // A holder's rides read: transport's data (Holder.rides is transport's alone) served and audited.
    const holder = await registerHolder(hub);
    await hub.ok(`query($id: String!) { holder(idNumber: $id) { name rides { nodes { fare } } } }`, {
      id: holder.idNumber,
    });
    const after = (await hub.as(GOVERNANCE).ok(REPORT, {})).complianceReport;
    expect(after.idleDepartments).toEqual([{ department: 'health', itemCount: 2 }]);
  });

  it('counts the holder queries each department failed to answer, naming it', async ({ hub }) => {
    const holder = await registerHolder(hub);
    const config = hub.gatewayConfig();
    cut = await startGateway(
      { ...config, port: 0, subgraphUrls: { ...config.subgraphUrls, 'culture-tourism': 'http://127.0.0.1:9/graphql' } },
      { database: hub.gateway.database },
    );
    const venues = `query($id: String!) { holder(idNumber: $id) { name venueAdmissions { nodes { concession } } } }`;
    for (let i = 0; i < 2; i++) {
      const answer = await hub.as({ client: 'province', purpose: 'HOLDER_SELF_SERVICE' }, cut.url).query(venues, {
        id: holder.idNumber,
      });
      expect(answer.data?.holder?.name).toBe(holder.name);
      expect(answer.errors?.[0]?.extensions).toMatchObject({
        code: 'SUBGRAPH_UNAVAILABLE',
        serviceName: 'culture-tourism',
      });
    }
    const report = (await hub.as(GOVERNANCE).ok(REPORT, { days: 1 })).complianceReport;
    expect(report.unansweredQueries).toEqual([
      { department: 'culture-tourism', queries: 2, holderQueries: 2, lastAt: expect.any(String) },
    ]);
    // The record names the department in its hashed content: the chain still verifies.
    await cut.close();
    cut = undefined;
    expect(await verifyAuditChains(hub.gateway.database.db, { record: false })).toMatchObject({ ok: true });
  });

  it('is for governance alone, over 1 to 366 days', async ({ hub }) => {
    const refused = await hub.as({ client: 'province', purpose: 'HOLDER_SELF_SERVICE' }).query(REPORT, {});
    expect(refused.data?.complianceReport).toBeNull();
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    for (const days of [0, 367]) {
      const answer = await hub.as(GOVERNANCE).query(REPORT, { days });
      expect(answer.errors?.[0]?.extensions, `days ${days}`).toMatchObject({ code: 'BAD_USER_INPUT', field: 'days' });
    }
  });
});

describe('the credential register', () => {
  it('refuses a credential duplicating a catalog item, unless a national rule requires it', async ({ hub }) => {
    const base = { kind: 'CARD', category: 'MEDICAL', name: '就诊卡' };
    const refused = await hub.as(HEALTH).query(REGISTER, {
      input: { ...base, idempotencyKey: randomUUID(), code: 'HOSPITAL_CARD', scenarios: ['医保结算'] },
    });
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'DUPLICATE_CREDENTIAL',
      duplicates: ['MEDICAL_SETTLEMENT'],
    });
    const national = await hub.as(HEALTH).ok(REGISTER, {
      input: {
        ...base,
        idempotencyKey: randomUUID(),
        code: 'NATIONAL_HEALTH_CODE',
        kind: 'QR_CODE',
        scenarios: ['医保结算'],
        nationalBasis: '国家医保电子凭证',
      },
    });
    expect(national.registerCredential).toMatchObject({
      department: 'health',
      status: 'INTEGRATED',
      integratedWith: ['MEDICAL_SETTLEMENT'],
    });
    const own = await hub.as(HEALTH).ok(REGISTER, {
      input: {
        ...base,
        idempotencyKey: randomUUID(),
        code: 'BLOOD_DONOR',
        kind: 'CERTIFICATE',
        scenarios: ['无偿献血'],
      },
    });
    expect(own.registerCredential).toMatchObject({ status: 'REGISTERED', integratedWith: [], city: null });
    // A city's own catalog counts for a credential issued there.
    const gz = await hub.as(HEALTH).query(REGISTER, {
      input: {
        ...base,
        idempotencyKey: randomUUID(),
        code: 'GZ_PASS',
        category: 'TRANSPORT',
        scenarios: ['岭南通'],
        city: '440100',
      },
    });
    expect(gz.errors?.[0]?.extensions).toMatchObject({ code: 'DUPLICATE_CREDENTIAL', duplicates: ['GZ_LINGNAN_PASS'] });
    const elsewhere = await hub.as(HEALTH).query(REGISTER, {
      input: {
        ...base,
        idempotencyKey: randomUUID(),
        code: 'SZ_PASS',
        category: 'TRANSPORT',
        scenarios: ['岭南通'],
        city: '440300',
      },
    });
    expect(codes(elsewhere)).toEqual([]);
    // Platforms do not register credentials; departments register their own.
    const province = await hub.as(PROVINCE).query(REGISTER, {
      input: { ...base, idempotencyKey: randomUUID(), code: 'PROVINCE_CARD', scenarios: ['其他'] },
    });
    expect(codes(province)).toEqual(['FORBIDDEN']);
    const listed = await hub.ok(`{ credentials(department: "health") { code status } }`);
    expect(listed.credentials).toEqual([
      { code: 'BLOOD_DONOR', status: 'REGISTERED' },
      { code: 'NATIONAL_HEALTH_CODE', status: 'INTEGRATED' },
      { code: 'SZ_PASS', status: 'REGISTERED' },
    ]);
  });
});
