// The application catalog and credential register (Art 6) through the real gateway: the provincial catalog and a
// city's extending it, versions drafted, published and in force by date, a published version refused any change by
// the API and by the database itself, editing rights by caller, public reads under every purpose, and each bad input
// named. The credential register and governance's compliance report: compliance.test.ts.
import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { databaseErrorOf } from '../../core/protocol/errors.js';
import { describe, expect } from 'vitest';
import { chinaDate } from '../../subgraphs/kit/time.js';
import { hubTest } from '../support/fixtures.js';
import { codes, type Identity, type TestHub } from '../support/hub.js';

const it = hubTest();

const PROVINCE: Identity = { client: 'province', purpose: 'HR_SERVICE' };
const GUANGZHOU: Identity = { client: 'city-440100', purpose: 'HR_SERVICE' };
const SHENZHEN: Identity = { client: 'city-440300', purpose: 'HR_SERVICE' };
const HEALTH: Identity = { client: 'dept-health', purpose: 'MEDICAL_SERVICE' };
const today = chinaDate(new Date());
const dayBefore = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

const VERSION = 'id scope version status effectiveFrom items { code department scope }';
const DRAFT = `mutation($input: CreateCatalogDraftInput!) { createCatalogDraft(input: $input) { ${VERSION} } }`;
const PUT = `mutation($input: PutCatalogItemInput!) { putCatalogItem(input: $input) { ${VERSION} } }`;
const REMOVE = `mutation($input: RemoveCatalogItemInput!) { removeCatalogItem(input: $input) { ${VERSION} } }`;
const PUBLISH = `mutation($input: PublishCatalogVersionInput!) { publishCatalogVersion(input: $input) { ${VERSION} publishedAt } }`;
const CATALOG = `query($city: String, $asOf: String) { catalog(city: $city, asOf: $asOf) {
  city asOf provincialVersion { version } cityVersion { version } items { code name category scenarios venues department scope } } }`;
const REGISTER = `mutation($input: RegisterCredentialInput!) { registerCredential(input: $input) {
  department code kind category status nationalBasis integratedWith city } }`;

const item = (code: string, category: string, department: string, scenarios: string[]) => ({
  code,
  name: `${code} 应用`,
  category,
  scenarios,
  venues: ['全省'],
  department,
});

const PROVINCIAL_ITEMS = [
  item('SOCIAL_INSURANCE_QUERY', 'SOCIAL_INSURANCE', 'hr', ['社保查询', '养老金领取']),
  item('MEDICAL_SETTLEMENT', 'MEDICAL', 'health', ['医保结算', '挂号就诊']),
  item('TRANSIT_RIDE', 'TRANSPORT', 'transport', ['乘坐公交地铁']),
  item('VENUE_ENTRY', 'CULTURE_TOURISM', 'culture-tourism', ['景区入园', '图书借阅']),
];

async function draft(hub: TestHub, who: Identity, scope: string) {
  return (await hub.as(who).ok(DRAFT, { input: { idempotencyKey: randomUUID(), scope } })).createCatalogDraft;
}
const put = (hub: TestHub, who: Identity, versionId: string, it: ReturnType<typeof item>) =>
  hub.as(who).query(PUT, { input: { idempotencyKey: randomUUID(), versionId, item: it } });
const publish = (hub: TestHub, who: Identity, versionId: string, effectiveFrom: string) =>
  hub.as(who).query(PUBLISH, { input: { idempotencyKey: randomUUID(), versionId, effectiveFrom } });

/** Test order matters: the provincial catalog published here is the one every later test sees. */
let provincialV1: string;

describe('the provincial catalog', () => {
  it('is drafted, published with an effective date, and read as in force on a day', async ({ hub }) => {
    const v1 = await draft(hub, PROVINCE, '440000');
    expect(v1).toMatchObject({ scope: '440000', version: 1, status: 'DRAFT', effectiveFrom: null, items: [] });
    for (const i of PROVINCIAL_ITEMS) expect(codes(await put(hub, PROVINCE, v1.id, i))).toEqual([]);
    const published = await publish(hub, PROVINCE, v1.id, today);
    expect(published.errors).toBeUndefined();
    expect(published.data.publishCatalogVersion).toMatchObject({ status: 'PUBLISHED', effectiveFrom: today });
    provincialV1 = v1.id;

    // Version 2 starts from version 1's items, drops one, adds one, and takes effect in 2030.
    const v2 = await draft(hub, PROVINCE, '440000');
    expect(v2.items.map((i: any) => i.code).sort()).toEqual(PROVINCIAL_ITEMS.map((i) => i.code).sort());
    await hub
      .as(PROVINCE)
      .ok(REMOVE, { input: { idempotencyKey: randomUUID(), versionId: v2.id, code: 'VENUE_ENTRY' } });
    await put(hub, PROVINCE, v2.id, item('BANK_ACCOUNT', 'FINANCE', 'hr', ['金融账户', '待遇发放']));
    expect(codes(await publish(hub, PROVINCE, v2.id, '2030-01-01'))).toEqual([]);

    const on = async (asOf: string) => (await hub.ok(CATALOG, { asOf })).catalog;
    expect(await on(dayBefore(today))).toMatchObject({ provincialVersion: null, items: [] });
    const now = await on(today);
    expect(now.provincialVersion).toEqual({ version: 1 });
    expect(now.items.map((i: any) => i.code)).toEqual(PROVINCIAL_ITEMS.map((i) => i.code).sort());
    expect(now.items[0]).toMatchObject({ scope: '440000', venues: ['全省'] });
    expect((await on('2029-12-31')).provincialVersion).toEqual({ version: 1 });
    const later = await on('2030-06-01');
    expect(later.provincialVersion).toEqual({ version: 2 });
    expect(later.items.map((i: any) => i.code)).toEqual([
      'BANK_ACCOUNT',
      'MEDICAL_SETTLEMENT',
      'SOCIAL_INSURANCE_QUERY',
      'TRANSIT_RIDE',
    ]);
    // Each day has one version in force: a later version may not take effect before an earlier one.
    const v3 = await draft(hub, PROVINCE, '440000');
    const early = await publish(hub, PROVINCE, v3.id, '2029-06-01');
    expect(early.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'effectiveFrom' });
  });

  it('never changes once published: the API refuses with CATALOG_VERSION_PUBLISHED', async ({ hub }) => {
    const edit = await put(hub, PROVINCE, provincialV1, item('NEW_ONE', 'OTHER', 'hr', ['其他']));
    expect(edit.errors?.[0]?.extensions).toMatchObject({ code: 'CATALOG_VERSION_PUBLISHED', field: 'versionId' });
    const removal = await hub
      .as(PROVINCE)
      .query(REMOVE, { input: { idempotencyKey: randomUUID(), versionId: provincialV1, code: 'TRANSIT_RIDE' } });
    expect(codes(removal)).toEqual(['CATALOG_VERSION_PUBLISHED']);
    expect(codes(await publish(hub, PROVINCE, provincialV1, '2099-01-01'))).toEqual(['CATALOG_VERSION_PUBLISHED']);
  });

  it('never changes once published: the database itself refuses, whoever writes', async ({ hub }) => {
    /** The database's refusal of a statement: its SQLSTATE and message (drizzle wraps the driver's error). */
    const refusal = async (statement: SQL) => {
      const error = await hub.rows(statement).then(
        () => null,
        (e: unknown) => e,
      );
      const cause = (error as { cause?: { message?: string } } | null)?.cause;
      return { code: databaseErrorOf(error).code, message: cause?.message ?? String(error) };
    };
    const published = { code: '55000', message: expect.stringMatching(/is published/) };
    const v1 = provincialV1;
    expect(
      await refusal(sql`update catalog.catalog_versions set effective_from = '2000-01-01' where id = ${v1}`),
    ).toEqual(published);
    expect(await refusal(sql`update catalog.catalog_versions set status = 'DRAFT' where id = ${v1}`)).toEqual(
      published,
    );
    expect(await refusal(sql`delete from catalog.catalog_versions where id = ${v1}`)).toEqual(published);
    expect(await refusal(sql`update catalog.catalog_items set name = '改' where version_id = ${v1}`)).toEqual(
      published,
    );
    expect(await refusal(sql`delete from catalog.catalog_items where version_id = ${v1}`)).toEqual(published);
    expect(
      await refusal(sql`insert into catalog.catalog_items (version_id, code, name, category, scenarios, venues, department)
        values (${v1}, 'SNUCK_IN', '偷加', 'OTHER', '{x}', '{}', 'hr')`),
    ).toEqual(published);
    expect(await refusal(sql`truncate catalog.catalog_items`)).toEqual({
      code: '55000',
      message: expect.stringMatching(/TRUNCATE refused/),
    });
    const [row] = await hub.rows<{ n: number }>(
      sql`select count(*)::int as n from catalog.catalog_items where version_id = ${v1}`,
    );
    expect(Number(row!.n)).toBe(PROVINCIAL_ITEMS.length);
    // A draft is still its editors' to change, in SQL as through the API.
    const [draftRow] = await hub.rows<{ id: string }>(
      sql`select id from catalog.catalog_versions where scope = '440000' and status = 'DRAFT'`,
    );
    expect(await refusal(sql`update catalog.catalog_items set name = name where version_id = ${draftRow!.id}`)).toEqual(
      {
        code: undefined,
        message: 'null',
      },
    );
  });
});

describe('a city catalog', () => {
  it('adds to the provincial catalog and may neither drop nor override a provincial item', async ({ hub }) => {
    const gz = await draft(hub, GUANGZHOU, '440100');
    const override = await put(hub, GUANGZHOU, gz.id, item('MEDICAL_SETTLEMENT', 'MEDICAL', 'health', ['本市医保']));
    expect(override.errors?.[0]?.extensions).toMatchObject({
      code: 'CATALOG_PROVINCIAL_ITEM',
      field: 'item.code',
      item: 'MEDICAL_SETTLEMENT',
    });
    const drop = await hub
      .as(GUANGZHOU)
      .query(REMOVE, { input: { idempotencyKey: randomUUID(), versionId: gz.id, code: 'TRANSIT_RIDE' } });
    expect(drop.errors?.[0]?.extensions).toMatchObject({ code: 'CATALOG_PROVINCIAL_ITEM', field: 'code' });
    // A provincial item of a version not yet in force is the province's too.
    expect(codes(await put(hub, GUANGZHOU, gz.id, item('BANK_ACCOUNT', 'FINANCE', 'hr', ['x'])))).toEqual([
      'CATALOG_PROVINCIAL_ITEM',
    ]);
    await put(hub, GUANGZHOU, gz.id, item('GZ_LINGNAN_PASS', 'CULTURE_TOURISM', 'culture-tourism', ['岭南通']));
    expect(codes(await publish(hub, GUANGZHOU, gz.id, today))).toEqual([]);

    const merged = (await hub.ok(CATALOG, { city: '440100' })).catalog;
    expect(merged).toMatchObject({
      city: '440100',
      asOf: today,
      provincialVersion: { version: 1 },
      cityVersion: { version: 1 },
    });
    expect(merged.items.map((i: any) => `${i.scope}:${i.code}`)).toEqual([
      ...PROVINCIAL_ITEMS.map((i) => `440000:${i.code}`).sort(),
      '440100:GZ_LINGNAN_PASS',
    ]);
    // Another city, with no catalog of its own, applies the provincial one alone.
    const sz = (await hub.ok(CATALOG, { city: '440300' })).catalog;
    expect(sz.cityVersion).toBeNull();
    expect(sz.items).toHaveLength(PROVINCIAL_ITEMS.length);
  });

  it('is edited by its own city platform only', async ({ hub }) => {
    const gz = await draft(hub, GUANGZHOU, '440100');
    expect(codes(await put(hub, SHENZHEN, gz.id, item('SZ_TAKEOVER', 'OTHER', 'hr', ['x'])))).toEqual(['FORBIDDEN']);
    expect(codes(await publish(hub, SHENZHEN, gz.id, '2031-01-01'))).toEqual(['FORBIDDEN']);
    for (const [who, scope] of [
      [SHENZHEN, '440100'],
      [GUANGZHOU, '440000'],
      [PROVINCE, '440300'],
      [HEALTH, '440000'],
    ] as const) {
      const answer = await hub.as(who).query(DRAFT, { input: { idempotencyKey: randomUUID(), scope } });
      expect(codes(answer), `${who.client} drafting ${scope}`).toEqual(['FORBIDDEN']);
    }
    // The gateway refuses the catalog's writes to governance, which writes only its own domain.
    const governance = await hub
      .as({ client: 'governance', purpose: 'GOVERNANCE_AUDIT' })
      .query(DRAFT, { input: { idempotencyKey: randomUUID(), scope: '440000' } });
    expect(governance.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', domain: 'catalog' });
    // A draft is its editor's: others do not see it.
    const read = `query($id: ID!) { catalogVersion(id: $id) { status } }`;
    expect((await hub.as(GUANGZHOU).ok(read, { id: gz.id })).catalogVersion).toEqual({ status: 'DRAFT' });
    expect(codes(await hub.as(SHENZHEN).query(read, { id: gz.id }))).toEqual(['NOT_FOUND']);
  });
});

describe('reading and writing', () => {
  it('serves a published catalog to every client under any purpose', async ({ hub }) => {
    const expected = (await hub.ok(CATALOG, { city: '440100' })).catalog;
    const readers: Identity[] = [
      { client: 'city-440300', purpose: 'TRANSIT', operator: null, caseRef: null },
      { client: 'city-445300', purpose: 'SOCIAL_INSURANCE' },
      { client: 'dept-transport', purpose: 'TRANSIT', operator: null, caseRef: null },
      { client: 'dept-culture-tourism', purpose: 'CULTURE_TOURISM', operator: null, caseRef: null },
      { client: 'dept-health', purpose: 'IDENTITY_VERIFICATION' },
      { client: 'governance', purpose: 'GOVERNANCE_AUDIT' },
    ];
    for (const reader of readers) {
      const answer = await hub.as(reader).query(CATALOG, { city: '440100' });
      expect(answer.errors, `${reader.client} under ${reader.purpose}`).toBeUndefined();
      expect(answer.data.catalog).toEqual(expected);
    }
    const versions = await hub
      .as(readers[0]!)
      .ok(`{ catalogVersions(scope: "440000") { version status effectiveFrom } }`);
    expect(versions.catalogVersions).toEqual([
      { version: 1, status: 'PUBLISHED', effectiveFrom: today },
      { version: 2, status: 'PUBLISHED', effectiveFrom: '2030-01-01' },
    ]);
  });

  it('answers every bad input with a code naming the field', async ({ hub }) => {
    const field = (answer: { errors?: { extensions?: Record<string, unknown> }[] }) =>
      answer.errors?.map((e) => `${String(e.extensions?.code)}:${String(e.extensions?.field)}`);
    expect(field(await hub.query(CATALOG, { asOf: '2026-02-30' }))).toEqual(['BAD_USER_INPUT:asOf']);
    expect(field(await hub.query(CATALOG, { asOf: 'tomorrow' }))).toEqual(['BAD_USER_INPUT:asOf']);
    expect(field(await hub.query(CATALOG, { city: '440199' }))).toEqual(['BAD_USER_INPUT:city']);
    expect(field(await hub.query(CATALOG, { city: '440000' }))).toEqual(['BAD_USER_INPUT:city']);
    const bad = await hub.as(PROVINCE).query(DRAFT, { input: { idempotencyKey: randomUUID(), scope: '999999' } });
    expect(field(bad)).toEqual(['BAD_USER_INPUT:scope']);
    const v = (await hub.as(GUANGZHOU).ok(`query { catalogVersions(scope: "440100") { id } }`)).catalogVersions;
    expect(v).toHaveLength(1);
    const gzDraft = (
      await hub.rows<{ id: string }>(
        sql`select id from catalog.catalog_versions where scope = '440100' and status = 'DRAFT'`,
      )
    )[0]!.id;
    const cases: [Record<string, unknown>, string][] = [
      [{ category: 'SPACE_TRAVEL' }, 'item.category'],
      [{ department: 'police' }, 'item.department'],
      [{ code: 'lower case' }, 'item.code'],
      [{ name: ' ' }, 'item.name'],
      [{ scenarios: [] }, 'item.scenarios'],
      [{ scenarios: ['a\u0000b'] }, 'item.scenarios[0]'],
    ];
    for (const [change, name] of cases) {
      const answer = await put(hub, GUANGZHOU, gzDraft, { ...item('GZ_OK', 'OTHER', 'hr', ['x']), ...change });
      expect(field(answer), name).toEqual([`BAD_USER_INPUT:${name}`]);
    }
    expect(field(await publish(hub, GUANGZHOU, gzDraft, '2031-13-01'))).toEqual(['BAD_USER_INPUT:effectiveFrom']);
    expect(field(await publish(hub, GUANGZHOU, gzDraft, dayBefore(today)))).toEqual(['BAD_USER_INPUT:effectiveFrom']);
    const credential = await hub.as(HEALTH).query(REGISTER, {
      input: {
        idempotencyKey: randomUUID(),
        code: 'X_CARD',
        name: 'x',
        kind: 'TOKEN',
        category: 'MEDICAL',
        scenarios: ['x'],
      },
    });
    expect(field(credential)).toEqual(['BAD_USER_INPUT:kind']);
  });

  it('runs each write once per idempotency key', async ({ hub }) => {
    const input = { idempotencyKey: randomUUID(), scope: '440400' };
    const zhuhai: Identity = { client: 'city-440400', purpose: 'HR_SERVICE' };
    const first = (await hub.as(zhuhai).ok(DRAFT, { input })).createCatalogDraft;
    const again = (await hub.as(zhuhai).ok(DRAFT, { input })).createCatalogDraft;
    expect(again.id).toBe(first.id);
    const other = await hub.as(zhuhai).query(DRAFT, { input: { ...input, scope: '440000' } });
    expect(codes(other)).toEqual(['FORBIDDEN']);
    const key = randomUUID();
    const once = { idempotencyKey: key, versionId: first.id, item: item('ZH_B', 'OTHER', 'hr', ['y']) };
    await hub.as(zhuhai).ok(PUT, { input: once });
    const changed = await hub.as(zhuhai).query(PUT, { input: { ...once, item: { ...once.item, name: '别的' } } });
    expect(codes(changed)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
  });

  it('makes one draft of concurrent requests for one, the others refused with a code', async ({ hub }) => {
    const shantou = hub.as({ client: 'city-440500', purpose: 'HR_SERVICE' });
    const answers = await Promise.all(
      [1, 2, 3].map(() => shantou.query(DRAFT, { input: { idempotencyKey: randomUUID(), scope: '440500' } })),
    );
    expect(answers.filter((a) => !a.errors)).toHaveLength(1);
    expect(answers.flatMap((a) => a.errors ?? []).map((e) => `${e.extensions?.code}:${e.extensions?.field}`)).toEqual([
      'BAD_USER_INPUT:scope',
      'BAD_USER_INPUT:scope',
    ]);
    const [row] = await hub.rows<{ n: number }>(
      sql`select count(*)::int as n from catalog.catalog_versions where scope = '440500'`,
    );
    expect(Number(row!.n)).toBe(1);
  });
});

describe('writes in one operation and replays', () => {
  const FOSHAN: Identity = { client: 'city-440600', purpose: 'HR_SERVICE' };
  const fsItem = (code: string) => item(code, 'OTHER', 'culture-tourism', ['醒狮']);
  let foshan: string;

  it('answers each write of an operation with what the writes before it left', async ({ hub }) => {
    foshan = (await draft(hub, FOSHAN, '440600')).id;
    const TWO = `mutation($a: PutCatalogItemInput!, $b: PutCatalogItemInput!) {
      a: putCatalogItem(input: $a) { items { code } } b: putCatalogItem(input: $b) { items { code } } }`;
    const input = (code: string) => ({ idempotencyKey: randomUUID(), versionId: foshan, item: fsItem(code) });
    const answer = await hub.as(FOSHAN).ok(TWO, { a: input('FS_A'), b: input('FS_B') });
    expect(answer.a.items.map((i: any) => i.code)).toEqual(['FS_A']);
    expect(answer.b.items.map((i: any) => i.code)).toEqual(['FS_A', 'FS_B']);
  });

  it('checks the editor on a replay too: another client sending the same key and input is refused', async ({ hub }) => {
    const put = { idempotencyKey: randomUUID(), versionId: foshan, item: fsItem('FS_C') };
    const remove = { idempotencyKey: randomUUID(), versionId: foshan, code: 'FS_C' };
    const publication = { idempotencyKey: randomUUID(), versionId: foshan, effectiveFrom: today };
    for (const [query, input] of [
      [PUT, put],
      [REMOVE, remove],
      [PUBLISH, publication],
    ] as const) {
      expect(codes(await hub.as(FOSHAN).query(query, { input }))).toEqual([]);
      for (const other of [GUANGZHOU, PROVINCE, HEALTH]) {
        const replay = await hub.as(other).query(query, { input });
        expect(replay.errors?.[0]?.extensions, `${other.client} replaying`).toMatchObject({
          code: 'FORBIDDEN',
          field: 'versionId',
        });
        expect(Object.values(replay.data ?? {}).filter(Boolean), `${other.client} replaying`).toEqual([]);
      }
      // The editor's own retry is still the replay it was.
      expect((await hub.as(FOSHAN).query(query, { input })).errors).toBeUndefined();
    }
  });

  it("keeps each department's refused attempt though two send the same idempotency key", async ({ hub }) => {
    const idempotencyKey = randomUUID();
    const attempts = [
      [HEALTH, { code: 'CLINIC_CARD', category: 'MEDICAL', scenarios: ['挂号就诊'] }],
      [
        { client: 'dept-transport', purpose: 'TRANSIT', operator: null, caseRef: null },
        { code: 'BUS_CARD', category: 'TRANSPORT', scenarios: ['乘坐公交地铁'] },
      ],
    ] as const;
    for (const [who, credential] of [...attempts, attempts[0]]) {
      const input = { idempotencyKey, name: '就诊卡', kind: 'CARD', ...credential };
      expect(codes(await hub.as(who).query(REGISTER, { input })), who.client).toEqual(['DUPLICATE_CREDENTIAL']);
    }
    const report = await hub
      .as({ client: 'governance', purpose: 'GOVERNANCE_AUDIT', caseRef: 'GOV-2026-0042' })
      .ok(`{ complianceReport(days: 1) { duplicateCredentialAttempts { department code duplicates attemptedBy } } }`);
    const attempted = report.complianceReport.duplicateCredentialAttempts.filter((a: any) =>
      ['CLINIC_CARD', 'BUS_CARD'].includes(a.code),
    );
    expect(attempted.sort((a: any, b: any) => a.code.localeCompare(b.code))).toEqual([
      { department: 'transport', code: 'BUS_CARD', duplicates: ['TRANSIT_RIDE'], attemptedBy: 'dept-transport' },
      { department: 'health', code: 'CLINIC_CARD', duplicates: ['MEDICAL_SETTLEMENT'], attemptedBy: 'dept-health' },
    ]);
  });
});
