// A department may run its subgraph on its own database (`<DOMAIN>_DATABASE_URL`): here hr on one database and
// every other department on another. Each database holds only its own schemas; federation joins the data.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../../hub/hub.js';
import { readHubConfig } from '../../hub/config.js';
import { SUBGRAPHS } from '../../schema/manifest.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { gatewayCaller, TEST_SUBGRAPH_SECRET, TEST_TOKENS } from '../support/hub.js';
import { rowsOf } from '../support/sql.js';

let hub: RunningHub;
const databases: TestDatabase[] = [];

/** A request through this hub's gateway from the operation's natural caller, which must answer without errors. */
async function gql(query: string, variables: Record<string, unknown> = {}) {
  const body = await gatewayCaller(hub.gatewayUrl).query(query, variables);
  expect(body.errors).toBeUndefined();
  return body.data;
}

beforeAll(async () => {
  const [hrDatabase, othersDatabase] = [
    await createTestDatabase({ separate: true }),
    await createTestDatabase({ separate: true }),
  ];
  databases.push(hrDatabase!, othersDatabase!);
  hub = await startHub({
    host: '127.0.0.1',
    gatewayPort: 0,
    redisUrl: undefined,
    seedHolders: 0,
    maxDepth: 12,
    tokens: TEST_TOKENS,
    subgraphSecret: TEST_SUBGRAPH_SECRET,
    database: othersDatabase!.config,
    subgraphs: SUBGRAPHS.map((s) => ({
      name: s.name,
      port: 0,
      database: s.name === 'hr' ? hrDatabase!.config : othersDatabase!.config,
    })),
  });
});
afterAll(async () => {
  await hub?.close();
  for (const d of databases) await d.drop();
});

it('reads HR_DATABASE_URL for hr alone, DATABASE_URL for the rest', () => {
  const config = readHubConfig({ DATABASE_URL: 'postgres://h/all', HR_DATABASE_URL: 'postgres://h/hr' });
  expect(config.subgraphs.find((s) => s.name === 'hr')!.database).toEqual({
    kind: 'postgres',
    url: 'postgres://h/hr',
    source: 'HR_DATABASE_URL',
  });
  expect(config.subgraphs.find((s) => s.name === 'transport')!.database).toEqual({
    kind: 'postgres',
    url: 'postgres://h/all',
    source: 'DATABASE_URL',
  });
  // Governance owns no tables: it reads the gateway's, wherever GATEWAY_DATABASE_URL puts them.
  const apart = readHubConfig({
    DATABASE_URL: 'postgres://h/all',
    GATEWAY_DATABASE_URL: 'postgres://h/gw',
    GOVERNANCE_DATABASE_URL: 'postgres://h/none',
  });
  expect(apart.subgraphs.find((s) => s.name === 'governance')!.database).toEqual({
    kind: 'postgres',
    url: 'postgres://h/gw',
    source: 'GATEWAY_DATABASE_URL',
  });
  expect(apart.subgraphs.find((s) => s.name === 'governance')!.database).toEqual(apart.database);
});

it("keeps each department's schema in its own database, and joins them through federation", async () => {
  expect(hub.databases.map((d) => d.subgraphs.sort())).toEqual([
    ['hr'],
    ['catalog', 'civil-affairs', 'culture-tourism', 'gateway', 'governance', 'health', 'public-security', 'transport'],
  ]);
  const schemasOf = async (i: number) =>
    (
      await rowsOf<{ schema_name: string }>(
        hub.databases[i]!.database.db,
        sql`select schema_name from information_schema.schemata where schema_name in ('hr', 'health', 'transport', 'civil_affairs', 'culture_tourism', 'public_security', 'catalog') order by 1`,
      )
    ).map((r) => r.schema_name);
  expect(await schemasOf(0)).toEqual(['hr']);
  expect(await schemasOf(1)).toEqual([
    'catalog',
    'civil_affairs',
    'culture_tourism',
    'health',
    'public_security',
    'transport',
  ]);

  await gql(
    `mutation { registerBank(input: { idempotencyKey: "bank-icbc-0001", code: "ICBC", name: "中国工商银行" }) { code } }`,
  );
  const holder = (
    await gql(
      `mutation { registerHolder(input: { idempotencyKey: "holder-wangfang-0001", idType: RESIDENT_ID, idNumber: "11010519491231002X", name: "王芳", registeredCity: "440100" }) { idNumber } }`,
    )
  ).registerHolder;
  const served = { channel: 'COUNTER', city: '440100' };
  const card = (
    await gql(`mutation($input: ApplyForCardInput!) { applyForCard(input: $input) { cardNumber } }`, {
      input: {
        idempotencyKey: randomUUID(),
        idNumber: holder.idNumber,
        servedAt: served,
        bankCode: 'ICBC',
        accountNumber: '6217000012345678901',
      },
    })
  ).applyForCard.cardNumber;
  await gql(`mutation($input: CardStepInput!) { issueCard(input: $input) { status } }`, {
    input: { idempotencyKey: randomUUID(), cardNumber: card, servedAt: served },
  });
  await gql(`mutation($input: LoadTransitFunctionInput!) { loadTransitFunction(input: $input) { loaded } }`, {
    input: { idempotencyKey: randomUUID(), cardNumber: card, city: '440100', operator: '羊城通' },
  });
  const data = await gql(
    `query($n: String!) { holderByCard(cardNumber: $n) { name transitFunctions { operator } } rideAuthorization(cardNumber: $n, city: "440300", mode: BUS) { allowed } }`,
    { n: card },
  );
  expect(data).toEqual({
    holderByCard: { name: '王芳', transitFunctions: [{ operator: '羊城通' }] },
    rideAuthorization: { allowed: true },
  });
});
