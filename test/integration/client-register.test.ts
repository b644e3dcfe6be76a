// The gateway's client register on a real database: the demo participants its migration seeds, the checks that
// keep bad entries out, and a suspension reaching a second gateway instance (Redis pub/sub with REDIS_URL, the
// in-process bus without) within a second.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ClientKind } from '../../store/clients/client.js';
import { openClientChanges, type ClientChanges } from '../../store/clients/changes.js';
import { ClientCommandError, listClients, setClientStatus } from '../../store/clients/commands.js';
import { openClientRegister, type ClientRegister } from '../../gateway/clients/register.js';
import { PURPOSES, type Purpose } from '../../schema/policy/purposes.js';
import { GATEWAY_STORE, migrateGatewayDatabase } from '../../store/migrations.js';
import { clients } from '../../store/tables.js';
import { openSubgraphDatabases } from '../../hub/databases.js';
import { CITIES, CITY_CODES } from '../../subgraphs/kit/cities.js';
import { openDatabase, type Database } from '../../core/database.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const redisUrl = process.env.REDIS_URL || undefined;

let testDatabase: TestDatabase;
let database: Database;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  database = await openDatabase(testDatabase.config);
  await migrateGatewayDatabase(database);
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await database?.close();
  await testDatabase?.drop();
});

/** A gateway instance's view: its own change channel and register over the shared database. */
async function openInstance(): Promise<{ changes: ClientChanges; register: ClientRegister }> {
  const changes = openClientChanges(redisUrl);
  closers.push(() => changes.close());
  const register = await openClientRegister(database.db, changes);
  closers.push(() => register.close());
  return { changes, register };
}

/** Ids no other test run uses: with PostgreSQL and Redis, parallel runs share the change channel. */
const uniqueId = (label: string) => `test-${label}-${randomBytes(4).toString('hex')}`;

const except = (...left: Purpose[]) => PURPOSES.filter((p) => !left.includes(p));

it('holds the province, its 21 cities, the departments and the governance body', async () => {
  const { register } = await openInstance();
  const expected: {
    id: string;
    kind: ClientKind;
    city?: string;
    domain?: string;
    purposes: Purpose[];
    requestsPerMinute: number;
    name?: string;
  }[] = [
    {
      id: 'province',
      kind: 'PROVINCE',
      name: '广东省社会保障卡服务平台',
      purposes: except('GOVERNANCE_AUDIT'),
      requestsPerMinute: 12000,
    },
    ...CITY_CODES.map((code) => ({
      id: `city-${code}`,
      kind: 'CITY' as const,
      city: code,
      name: `${CITIES[code]}市社会保障卡服务平台`,
      purposes: except('GOVERNANCE_AUDIT', 'HOLDER_SELF_SERVICE'),
      requestsPerMinute: 6000,
    })),
    {
      id: 'dept-hr',
      kind: 'DEPARTMENT',
      domain: 'hr',
      purposes: ['SOCIAL_INSURANCE', 'HR_SERVICE', 'BENEFIT_DISBURSEMENT', 'IDENTITY_VERIFICATION'],
      requestsPerMinute: 6000,
    },
    {
      id: 'dept-health',
      kind: 'DEPARTMENT',
      domain: 'health',
      purposes: ['MEDICAL_SERVICE', 'IDENTITY_VERIFICATION'],
      requestsPerMinute: 6000,
    },
    { id: 'dept-transport', kind: 'DEPARTMENT', domain: 'transport', purposes: ['TRANSIT'], requestsPerMinute: 60000 },
    {
      id: 'dept-civil-affairs',
      kind: 'DEPARTMENT',
      domain: 'civil-affairs',
      purposes: ['PREFERENTIAL_TREATMENT', 'BENEFIT_DISBURSEMENT', 'IDENTITY_VERIFICATION'],
      requestsPerMinute: 6000,
    },
    {
      id: 'dept-culture-tourism',
      kind: 'DEPARTMENT',
      domain: 'culture-tourism',
      purposes: ['CULTURE_TOURISM'],
      requestsPerMinute: 6000,
    },
    {
      id: 'dept-public-security',
      kind: 'DEPARTMENT',
      domain: 'public-security',
      purposes: ['IDENTITY_VERIFICATION'],
      requestsPerMinute: 6000,
    },
    { id: 'governance', kind: 'GOVERNANCE', purposes: ['GOVERNANCE_AUDIT'], requestsPerMinute: 6000 },
  ];
  expect(expected).toHaveLength(29);
  for (const e of expected) {
    const client = register.get(e.id);
    expect(client, e.id).toMatchObject({
      kind: e.kind,
      city: e.city ?? null,
      domain: e.domain ?? null,
      status: 'ACTIVE',
      requestsPerMinute: e.requestsPerMinute,
    });
    expect([...client!.purposes].sort(), e.id).toEqual([...e.purposes].sort());
    if (e.name) expect(client!.name).toBe(e.name);
  }
  const demo = (await listClients(database.db)).filter((c) => !c.id.startsWith('test-'));
  expect(demo.map((c) => c.id).sort()).toEqual(expected.map((e) => e.id).sort());
  expect(register.get('nobody')).toBeUndefined();
});

it('hands out frozen entries: one request cannot change what the next one sees', async () => {
  const { register } = await openInstance();
  const province = register.get('province')!;
  expect(Object.isFrozen(province) && Object.isFrozen(province.purposes)).toBe(true);
});

/** The constraint a refused insert names (drizzle wraps the driver's error). */
async function refusal(values: Record<string, unknown>): Promise<string> {
  const row = {
    id: uniqueId('bad'),
    kind: 'PROVINCE',
    name: 'Test',
    purposes: ['TRANSIT'],
    requestsPerMinute: 10,
    ...values,
  };
  try {
    await database.db.insert(clients).values(row as typeof clients.$inferInsert);
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause;
    return cause?.message ?? String(error);
  }
  throw new Error(`insert of ${JSON.stringify(values)} was accepted`);
}

it.each([
  [{ kind: 'CITY' }, 'clients_city_iff_city_platform'],
  [{ kind: 'PROVINCE', city: '440100' }, 'clients_city_iff_city_platform'],
  [{ kind: 'CITY', city: '4401' }, 'clients_city_format'],
  [{ kind: 'DEPARTMENT' }, 'clients_domain_iff_department'],
  [{ purposes: ['TRANSIT', 'MARKETING'] }, 'clients_purposes_known'],
  [{ purposes: [] }, 'clients_purposes_known'],
  [{ kind: 'MINISTRY' }, 'clients_kind_known'],
  [{ id: 'Bad_Id' }, 'clients_id_format'],
  [{ requestsPerMinute: 0 }, 'clients_rate_positive'],
  [{ status: 'SUSPENDED' }, 'clients_suspension_reason'],
  [{ status: 'BANNED', statusReason: 'x' }, 'clients_status_known'],
])('refuses %j (%s)', async (values, constraint) => {
  expect(await refusal(values)).toContain(constraint);
});

it('accepts a well-formed city platform', async () => {
  const id = uniqueId('city');
  await database.db
    .insert(clients)
    .values({ id, kind: 'CITY', city: '440300', name: 'Test city', purposes: ['TRANSIT'], requestsPerMinute: 5 });
  expect((await listClients(database.db)).find((c) => c.id === id)).toMatchObject({
    kind: 'CITY',
    city: '440300',
    status: 'ACTIVE',
  });
});

it('shows a suspension on a second instance within a second, and the re-admission too', async () => {
  const id = uniqueId('suspend');
  await database.db
    .insert(clients)
    .values({ id, kind: 'PROVINCE', name: 'Test platform', purposes: ['TRANSIT'], requestsPerMinute: 10 });
  const first = await openInstance();
  const second = await openInstance();
  expect(second.register.get(id)?.status).toBe('ACTIVE');

  const suspended = await setClientStatus(database.db, first.changes, id, 'SUSPENDED', 'test: ticket 4711');
  expect(suspended).toMatchObject({ id, status: 'SUSPENDED', statusReason: 'test: ticket 4711' });
  await expect.poll(() => second.register.get(id)?.status, { timeout: 1_000, interval: 10 }).toBe('SUSPENDED');
  await expect.poll(() => first.register.get(id)?.status, { timeout: 1_000, interval: 10 }).toBe('SUSPENDED');

  const activated = await setClientStatus(database.db, first.changes, id, 'ACTIVE', null);
  expect(activated).toMatchObject({ status: 'ACTIVE', statusReason: null });
  expect(activated.statusChangedAt.getTime()).toBeGreaterThanOrEqual(suspended.statusChangedAt.getTime());
  await expect.poll(() => second.register.get(id)?.status, { timeout: 1_000, interval: 10 }).toBe('ACTIVE');
});

it('refuses an unknown client and a suspension without a reason, with messages an operator can read', async () => {
  const { changes } = await openInstance();
  await expect(setClientStatus(database.db, changes, uniqueId('missing'), 'SUSPENDED', 'test')).rejects.toThrow(
    ClientCommandError,
  );
  await expect(setClientStatus(database.db, changes, uniqueId('missing'), 'SUSPENDED', 'test')).rejects.toThrow(
    /No client "test-missing-[0-9a-f]+" in the register/,
  );
  await expect(setClientStatus(database.db, changes, 'province', 'SUSPENDED', '  ')).rejects.toThrow(/needs a reason/);
  expect((await listClients(database.db)).find((c) => c.id === 'province')?.status).toBe('ACTIVE');
});

it('is migrated by openSubgraphDatabases when given a gateway entry, as npm run migrate and the hub do', async () => {
  const other = await createTestDatabase();
  const databases = await openSubgraphDatabases([{ name: GATEWAY_STORE, database: other.config }]);
  try {
    await databases.migrate();
    expect(await listClients(databases.of(GATEWAY_STORE).db)).toHaveLength(29);
  } finally {
    await databases.close();
    await other.drop();
  }
});
