// The spool when the store hangs rather than fails (a lock held elsewhere): a write's record waiting too long is
// spooled before its response is refused, and replayed exactly once, by request id, whether its batch commits after
// all (the record in flight) or never ran (the record still queued, taken off the queue once spooled). Only
// PostgreSQL has a second session to hold a lock from; the refused-insert case runs on both (audit-spool.test.ts).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, rowsOf, type Database } from '../../core/database.js';
import { buildAuditRecord } from '../../gateway/audit/record.js';
import { verifyAuditChains } from '../../gateway/audit/verify.js';
import { AuditUnavailableError, openAuditWriter, type AuditWriter } from '../../gateway/audit/writer.js';
import { migrateGatewayDatabase } from '../../store/migrations.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const onPostgres = Boolean(process.env.DATABASE_URL);
const spoolDir = mkdtempSync(path.join(tmpdir(), 'ykt-writer-spool-'));
let store: TestDatabase | undefined;
let database: Database | undefined;
let writer: AuditWriter | undefined;

beforeAll(async () => {
  if (!onPostgres) return;
  store = await createTestDatabase();
  database = await openDatabase(store.config);
  await migrateGatewayDatabase(database);
  writer = await openAuditWriter(database.db, { maxWaitMs: 300, spoolDir, replayIntervalMs: 100 });
});
afterAll(async () => {
  await writer?.close();
  await database?.close();
  await store?.drop();
  rmSync(spoolDir, { recursive: true, force: true });
});

const write = () =>
  buildAuditRecord({
    caller: {
      client: {
        id: 'dept-hr',
        kind: 'DEPARTMENT',
        name: '人社',
        city: null,
        domain: 'hr',
        purposes: ['HR_SERVICE'],
        status: 'ACTIVE',
        requestsPerMinute: 60,
      },
      purpose: 'HR_SERVICE',
      operator: 'clerk-0001',
      caseRef: null,
      place: null,
      requestId: randomUUID(),
    },
    startedAt: Date.now() - 5,
    executed: true,
    operationType: 'mutation',
    operationName: 'Locked',
    documentHash: 'c'.repeat(64),
    variables: {},
    errors: undefined,
    hasData: true,
    access: { holders: new Map([[randomUUID(), ['Mutation.reportCardLoss']]]), unlinked: new Set() },
    denied: [],
  });

const spoolFiles = () => readdirSync(spoolDir).filter((f) => f.endsWith('.jsonl'));

it.runIf(onPostgres)('spools writes that wait too long and stores each exactly once when the lock goes', async () => {
  const locker = postgres((store!.config as { url: string }).url, { max: 1, onnotice: () => {} });
  const [inFlight, queued] = [write(), write()];
  try {
    const reserved = await locker.reserve();
    await reserved`begin`;
    await reserved`lock table gateway.audit_records in access exclusive mode`;
    const first = writer!.append(inFlight).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const second = writer!.append(queued).catch((e: unknown) => e);
    for (const refused of await Promise.all([first, second])) {
      expect(refused).toBeInstanceOf(AuditUnavailableError);
      expect((refused as AuditUnavailableError).spooled).toBe(true);
    }
    expect(writer!.stats.spooled).toBe(2);
    expect(spoolFiles().length).toBeGreaterThan(0);
    await reserved`commit`;
    reserved.release();
  } finally {
    await locker.end();
  }
  const deadline = Date.now() + 10_000;
  while (spoolFiles().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(spoolFiles()).toEqual([]);
  const rows = await rowsOf<{ request_id: string; n: number }>(
    database!.db,
    sql`select request_id, count(*)::int as n from gateway.audit_records group by request_id order by request_id`,
  );
  expect(rows).toEqual([inFlight.requestId, queued.requestId].sort().map((request_id) => ({ request_id, n: 1 })));
  // The one in flight committed with its batch; the queued one came from the spool.
  expect(writer!.stats.replayed).toBe(1);
  expect(await verifyAuditChains(database!.db, { record: false })).toMatchObject({ ok: true });
});
