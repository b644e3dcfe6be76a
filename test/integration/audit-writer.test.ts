// The audit writer when the store hangs rather than fails: a lock held elsewhere (as a migration or a careless
// administrator would hold one) must not hold every answer with it. Only PostgreSQL has a second session to hold
// a lock from; embedded PGlite has one connection.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildAuditRecord } from '../../gateway/audit/record.js';
import { verifyAuditChains } from '../../gateway/audit/verify.js';
import { AuditUnavailableError, openAuditWriter, type AuditWriter } from '../../gateway/audit/writer.js';
import { migrateGatewayDatabase } from '../../store/migrations.js';
import { openDatabase, type Database } from '../../core/database.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const onPostgres = Boolean(process.env.DATABASE_URL);
let store: TestDatabase | undefined;
let database: Database | undefined;
let writer: AuditWriter | undefined;

beforeAll(async () => {
  if (!onPostgres) return;
  store = await createTestDatabase();
  database = await openDatabase(store.config);
  await migrateGatewayDatabase(database);
  writer = await openAuditWriter(database.db, { maxWaitMs: 300 });
});
afterAll(async () => {
  await writer?.close();
  await database?.close();
  await store?.drop();
});

const record = () =>
  buildAuditRecord({
    caller: {
      client: {
        id: 'province',
        kind: 'PROVINCE',
        name: '广东省',
        city: null,
        domain: null,
        purposes: ['HOLDER_SELF_SERVICE'],
        status: 'ACTIVE',
        requestsPerMinute: 60,
      },
      purpose: 'HOLDER_SELF_SERVICE',
      operator: 'clerk-0001',
      caseRef: null,
      place: null,
      requestId: randomUUID(),
    },
    startedAt: Date.now() - 5,
    executed: true,
    operationType: 'query',
    operationName: 'Locked',
    documentHash: 'b'.repeat(64),
    variables: {},
    errors: undefined,
    hasData: true,
    access: { holders: new Map([[randomUUID(), new Set(['Holder.name'])]]), unlinked: new Set() },
    denied: [],
  });

it.runIf(onPostgres)(
  'refuses a waiting response after maxWaitMs while the store is locked, and writes the record once it is free',
  async () => {
    const locker = postgres((store!.config as { url: string }).url, { max: 1, onnotice: () => {} });
    try {
      const reserved = await locker.reserve();
      await reserved`begin`;
      await reserved`lock table gateway.audit_records in access exclusive mode`;
      const started = Date.now();
      const appended = writer!.append(record());
      await expect(appended).rejects.toBeInstanceOf(AuditUnavailableError);
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(300);
      expect(waited).toBeLessThan(2_000);
      await reserved`commit`;
      reserved.release();
      // The record is written once the lock goes, on a chain that still verifies.
      await writer!.append(record());
      expect(writer!.stats.records).toBe(2);
      expect(await verifyAuditChains(database!.db, { record: false })).toMatchObject({ ok: true });
    } finally {
      await locker.end();
    }
  },
);
