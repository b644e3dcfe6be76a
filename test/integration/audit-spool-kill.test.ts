// No write without its record, even when the gateway is killed (issue 12, review item 2): a gateway process's audit
// INSERT is held by a lock on gateway.audit_records, a registerHolder runs, hr commits it, and the gateway is killed
// (SIGKILL) while the answer waits for its record. The mutation's intent, fsync'd to the spool before hr was called,
// is all that is left; the next gateway replays it as the write's record, outcome UNKNOWN (AUDIT_OUTCOME_UNKNOWN), and
// `npm run audit:verify` passes. On PostgreSQL in both modes (DATABASE_URL's server, else a private cluster): the
// test holds the lock from outside the gateway's process, which an embedded PGlite folder would not allow.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { gatewayCaller, TEST_JWT_SECRET, TEST_SUBGRAPH_SECRET } from '../support/hub.js';
import { idNumber, randomBirth } from '../support/identities.js';
import {
  freePort,
  killAll,
  startPrivatePostgres,
  startProcess,
  startProcessHub,
  type PrivatePostgres,
  type ProcessHub,
} from '../support/processes.js';

const spoolDir = mkdtempSync(path.join(tmpdir(), 'ykt-audit-kill-'));
const SPOOL_ENV = { AUDIT_SPOOL_DIR: spoolDir, AUDIT_SPOOL_REPLAY_MS: '200' };
let own: TestDatabase | undefined;
let cluster: PrivatePostgres | undefined;
let url: string;
let hub: ProcessHub | undefined;
let sql: postgres.Sql;
/** The connection holding the audit table's lock, released whatever became of the test. */
let holding: postgres.ReservedSql | undefined;

beforeAll(async () => {
  if (process.env.DATABASE_URL) {
    own = await createTestDatabase();
    url = (own.config as { url: string }).url;
  } else {
    cluster = await startPrivatePostgres();
    url = cluster.url;
  }
  hub = await startProcessHub({ subgraphs: ['hr'], databaseUrl: url, env: SPOOL_ENV });
  sql = postgres(url, { max: 3, onnotice: () => {} });
}, 120_000);
afterAll(async () => {
  if (holding) {
    await holding`rollback`.catch(() => {});
    holding.release();
  }
  await sql?.end({ timeout: 5 });
  await hub?.close();
  await killAll();
  await own?.drop();
  await cluster?.destroy();
  rmSync(spoolDir, { recursive: true, force: true });
});

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const spoolText = () =>
  readdirSync(spoolDir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => readFileSync(path.join(spoolDir, f), 'utf8'))
    .join('');

const recordsNamed = (name: string) =>
  sql<{ outcome: string; error_codes: string[]; coordinates: string[]; operation_type: string }[]>`
    select outcome, error_codes, coordinates, operation_type from gateway.audit_records where operation_name = ${name}`;

const REGISTER = (name: string) =>
  `mutation ${name}($input: RegisterHolderInput!) { registerHolder(input: $input) { id } }`;
const holderInput = (id: string) => ({
  idempotencyKey: randomUUID(),
  idType: 'RESIDENT_ID',
  idNumber: id,
  name: '陈小明',
  registeredCity: '440100',
});

it(
  'replays the intent of a write whose gateway was killed after hr committed it, as outcome UNKNOWN',
  { timeout: 120_000 },
  async () => {
    const running = hub!;
    const hr = gatewayCaller(running.gatewayUrl, { client: 'dept-hr', purpose: 'HR_SERVICE' });
    // A write and its record as usual: the intent leaves no record of its own.
    await hr.ok(REGISTER('Before'), { input: holderInput(idNumber('440106', randomBirth())) });
    expect(await recordsNamed('Before')).toMatchObject([{ outcome: 'SUCCESS', error_codes: [] }]);

    // Inserts into the audit trail wait for this transaction (SHARE conflicts with INSERT's ROW EXCLUSIVE).
    holding = await sql.reserve();
    await holding`begin`;
    await holding`lock table gateway.audit_records in share mode`;
    const victim = idNumber('440106', randomBirth());
    const answer = hr.post(REGISTER('Killed'), { input: holderInput(victim) }).catch(() => undefined);
    // hr has committed the write; its answer waits for the record (5 s before the store counts as not answering).
    await until(
      async () => (await sql`select 1 from hr.holders where id_number = ${victim}`).length > 0,
      'hr to commit',
      10_000,
    );
    expect(spoolText()).toContain('"operationName":"Killed"');
    running.gateway.signal('SIGKILL');
    await running.gateway.exited;
    await answer;
    await holding`rollback`;
    holding.release();
    holding = undefined;
    expect(await recordsNamed('Killed')).toEqual([]);

    // The next gateway on the same database and spool: once the killed one's chain lock is stale, it replays it.
    const hrUrl = /subgraph hr on (\S+)/.exec(running.subgraphs.get('hr')!.output())?.[1];
    const port = await freePort();
    const { DATABASE_URL: _a, GATEWAY_DATABASE_URL: _b, PGLITE_DATA_DIR: _c, REDIS_URL: _d, ...base } = process.env;
    const env = {
      ...base,
      ...SPOOL_ENV,
      HOST: '127.0.0.1',
      GATEWAY_PORT: String(port),
      GATEWAY_JWT_SECRET: TEST_JWT_SECRET,
      SUBGRAPH_SECRET: TEST_SUBGRAPH_SECRET,
      DATABASE_URL: url,
      ...(hrUrl ? { HR_URL: hrUrl.endsWith('/graphql') ? hrUrl : `${hrUrl.replace(/\/$/, '')}/graphql` } : {}),
    };
    const again = await startProcess(
      'gateway 2',
      process.execPath,
      ['--import', 'tsx', 'hub/start-gateway.ts'],
      env,
      /gateway on /,
    );
    await until(async () => (await recordsNamed('Killed')).length > 0, 'the intent to be replayed');
    expect(await recordsNamed('Killed')).toEqual([
      {
        outcome: 'UNKNOWN',
        error_codes: ['AUDIT_OUTCOME_UNKNOWN'],
        coordinates: ['Mutation.registerHolder'],
        operation_type: 'mutation',
      },
    ]);
    await until(() => spoolText() === '', 'the spool to be emptied');
    await again.stop();

    const verify = spawnSync('npm', ['run', '-s', 'audit:verify'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(verify.stdout).toContain('no records wait in the audit spool');
    expect(verify.status).toBe(0);
  },
);
