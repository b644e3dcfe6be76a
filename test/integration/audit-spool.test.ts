// Nothing lost (issue 12 §5, §6): with the audit table made unwritable (a trigger raising on INSERT, on the test's
// own database), reads leave with AUDIT_UNAVAILABLE and no data; a hr write is committed and answered
// AUDIT_UNAVAILABLE, its record spooled to disk; once the table takes rows again the spool is replayed onto the chain,
// and every write has its record. `npm run audit:verify`, run as a real process on the same database, says 4 while a
// record waits in the spool (a gateway stopped during the outage) and 0 once the next gateway start replayed it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, rowsOf, type Db } from '../../core/database.js';
import { verifyAuditChains } from '../../gateway/audit/verify.js';
import { startHub, type RunningHub } from '../../hub/hub.js';
import { SUBGRAPHS } from '../../schema/manifest.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { cardStep, holderWithActiveCard, registerBank } from '../support/hr.js';
import {
  gatewayCaller,
  TEST_JWT_SECRET,
  TEST_SUBGRAPH_SECRET,
  TEST_TOKENS,
  type Caller,
  type TestHub,
} from '../support/hub.js';

const spoolDir = mkdtempSync(path.join(tmpdir(), 'ykt-audit-spool-'));
// Read by the gateway when the hub starts (gateway/config.ts readAuditSettings): this file's own spool, replayed
// every 200 ms while records wait.
process.env.AUDIT_SPOOL_DIR = spoolDir;
process.env.AUDIT_SPOOL_REPLAY_MS = '200';

let store: TestDatabase;
let hub: RunningHub | undefined;

/** Every subgraph and the gateway over the file's own database: on disk when embedded, so the CLI can open it. */
async function start(): Promise<RunningHub & Caller> {
  hub = await startHub(
    {
      host: '127.0.0.1',
      gatewayPort: 0,
      subgraphs: SUBGRAPHS.map((s) => ({ name: s.name, port: 0, database: store.config })),
      redisUrl: process.env.REDIS_URL || undefined,
      seedHolders: 0,
      maxDepth: 12,
      tokens: TEST_TOKENS,
      subgraphSecret: TEST_SUBGRAPH_SECRET,
      database: store.config,
    },
    { env: { ...process.env, GATEWAY_JWT_SECRET: TEST_JWT_SECRET, SUBGRAPH_SECRET: TEST_SUBGRAPH_SECRET } },
  );
  return { ...hub, ...gatewayCaller(hub.gatewayUrl) };
}

async function stop() {
  await hub?.close();
  hub = undefined;
}

const db = (running: RunningHub): Db => running.gateway.database.db;

// A statement trigger on the partitioned parent: every INSERT into the audit trail fails, on PGlite and PostgreSQL.
const UNWRITABLE = [
  sql`create or replace function gateway.test_refuse_audit_insert() returns trigger language plpgsql as $$
      begin raise exception 'audit table unwritable (test)'; end $$`,
  sql`create trigger test_unwritable before insert on gateway.audit_records
      for each statement execute function gateway.test_refuse_audit_insert()`,
];
const WRITABLE = sql`drop trigger test_unwritable on gateway.audit_records`;

async function onDatabase(work: (database: Db) => Promise<void>) {
  const database = await openDatabase(store.config);
  try {
    await work(database.db);
  } finally {
    await database.close();
  }
}

/** `npm run audit:verify` as a real process against this file's database and spool. */
function verifyCli() {
  const { DATABASE_URL: _a, GATEWAY_DATABASE_URL: _b, PGLITE_DATA_DIR: _c, ...env } = process.env;
  const where =
    store.config.kind === 'postgres'
      ? { GATEWAY_DATABASE_URL: store.config.url }
      : { PGLITE_DATA_DIR: store.config.dataDir! };
  return spawnSync('npm', ['run', '-s', 'audit:verify'], {
    env: { ...env, ...where, AUDIT_SPOOL_DIR: spoolDir },
    encoding: 'utf8',
  });
}

const spoolFiles = () => readdirSync(spoolDir).filter((f) => f.endsWith('.jsonl'));

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const mutationRecords = (running: RunningHub) =>
  rowsOf<{ coordinates: string[]; error_codes: string[]; outcome: string; holder_ids: string[] }>(
    db(running),
    sql`select coordinates, error_codes, outcome, holder_ids from gateway.audit_records
        where operation_type = 'mutation' order by recorded_at`,
  );

beforeAll(async () => {
  store = await createTestDatabase({ separate: true });
});
afterAll(async () => {
  await stop();
  await store?.drop();
  rmSync(spoolDir, { recursive: true, force: true });
});

it(
  'spools a committed write while the audit table is unwritable, replays it, and audit:verify accounts for it',
  {
    timeout: 120_000,
  },
  async () => {
    const running = await start();
    const asHub = running as unknown as TestHub;
    await registerBank(asHub, 'ICBC');
    const { holder, cardNumber } = await holderWithActiveCard(asHub);
    const writesBefore = (await mutationRecords(running)).length;
    expect(writesBefore).toBe(4); // registerBank, registerHolder, applyForCard, issueCard

    for (const statement of UNWRITABLE) await db(running).execute(statement);
    // A read leaves with no data.
    const read = await running.post(`{ holderByCard(cardNumber: "${cardNumber}") { name idNumber } }`);
    expect(read.status).toBe(503);
    expect(read.body).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'AUDIT_UNAVAILABLE' } }] });
    // A write is committed by hr, answered AUDIT_UNAVAILABLE, and its record is on disk.
    const write = await cardStep(asHub, 'reportCardLoss', cardNumber, { kind: 'TEMPORARY' });
    expect(write.errors?.map((e) => e.extensions?.code)).toEqual(['AUDIT_UNAVAILABLE']);
    expect(write.data ?? null).toBeNull();
    expect(running.gateway.audit.stats.spooled).toBe(1);
    // Its intent (written before hr was called) and its outcome record, in one segment or two.
    const files = spoolFiles();
    expect(files.length).toBeGreaterThan(0);
    const spooled = files.map((f) => readFileSync(path.join(spoolDir, f), 'utf8')).join('');
    expect(spooled).toContain('Mutation.reportCardLoss');
    expect(spooled).not.toContain(cardNumber); // the card number is kept as its hash
    const [card] = await rowsOf<{ status: string }>(
      running.databases[0]!.database.db,
      sql`select status from hr.cards where card_number = ${cardNumber}`,
    );
    expect(card!.status).not.toBe('ACTIVE');

    // The table takes rows again: the spool is replayed onto the chain, and every write has its record.
    await db(running).execute(WRITABLE);
    await until(() => spoolFiles().length === 0, 'the spool to be replayed');
    const writes = await mutationRecords(running);
    expect(writes).toHaveLength(writesBefore + 1);
    expect(writes.at(-1)).toMatchObject({
      coordinates: expect.arrayContaining(['Mutation.reportCardLoss']),
      outcome: 'SUCCESS',
      error_codes: ['AUDIT_UNAVAILABLE'],
      holder_ids: [holder.id],
    });
    expect(running.gateway.audit.stats.replayed).toBe(1);
    expect(await verifyAuditChains(db(running), { record: false })).toMatchObject({ ok: true, firstBreak: null });

    // Another outage, and the gateway stops before the store is back: the record waits in the spool.
    for (const statement of UNWRITABLE) await db(running).execute(statement);
    const cancelled = await cardStep(asHub, 'cancelCardLossReport', cardNumber);
    expect(cancelled.errors?.map((e) => e.extensions?.code)).toEqual(['AUDIT_UNAVAILABLE']);
    await stop();
    await onDatabase(async (database) => void (await database.execute(WRITABLE)));
    const pending = verifyCli();
    expect(pending.stdout).toMatch(/SPOOLED chain [0-9a-f-]{36} {2}1 record\(s\) in 1 file\(s\)/);
    expect(pending.status).toBe(4);

    // The next gateway replays it at start, onto its own chain; then every chain verifies and nothing waits.
    const again = await start();
    await until(() => spoolFiles().length === 0, 'the spool to be replayed at start');
    expect(await mutationRecords(again)).toHaveLength(writesBefore + 2);
    await stop();
    const sound = verifyCli();
    expect(sound.stdout).toContain('no records wait in the audit spool');
    expect(sound.stderr).toBe('');
    expect(sound.status).toBe(0);
  },
);
