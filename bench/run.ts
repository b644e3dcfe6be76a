// `npm run bench [-- --quick] [--holders N] [--seconds S] [--connections C]`: issue 6's benchmark. Seeds a fixed
// data set into a fresh database (a new PostgreSQL database on the server DATABASE_URL names, dropped afterwards;
// else PGlite in a temporary folder), starts every subgraph, the hub's gateway and a plain @apollo/gateway as
// processes of their own on 127.0.0.1, warms each target up, then measures each scenario on each target and
// prints one table (and bench/results/<timestamp>.json). Ctrl-C stops everything and removes what it created.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { signToken } from '../gateway/auth/tokens.js';
import { migrateGatewayDatabase } from '../gateway/store.js';
import { ownsStore, SUBGRAPHS } from '../subgraphs/index.js';
import { envPrefix, type DatabaseConfig } from '../subgraphs/shared/config.js';
import { openDatabase } from '../subgraphs/shared/database.js';
import { runLoad, stopOnSignal } from './load.js';
import { cpuMs, peakRssMiB } from './proc.js';
import { killAllNow, runScript, startBenchServer, startScript, stopAll, type Started } from './processes.js';
import { judgeTargets, machine, printRun, saveRun, type Row, type Run } from './report.js';
import { CALLER_HEADER, encodeClaims, SIGNATURE_HEADER, signatureFor } from '../subgraphs/shared/gateway-proof.js';
import { readDataSet, readRideCards, SCENARIOS, transportDirectScenario, type DataSet, type RideCard, type Scenario } from './scenarios.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    holders: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string' },
  },
});
const quick = args.quick!;
const HOLDERS = Number(args.holders ?? (quick ? 2000 : 10_000));
const MEASURE_SECONDS = Number(args.seconds ?? (quick ? 5 : 20));
const WARMUP_SECONDS = quick ? 2 : 5;
const CONNECTIONS = Number(args.connections ?? 10);
/** Issue 6's p99 target compares scenario 1 through the hub and transport called directly at this many connections. */
const P99_CONNECTIONS = 20;

const JWT_SECRET = randomBytes(24).toString('hex');
const SUBGRAPH_SECRET = randomBytes(24).toString('hex');
const TOKENS = { keys: { kind: 'secret' as const, secret: JWT_SECRET, variable: 'GATEWAY_JWT_SECRET' }, audience: 'ykt-hub' };
const BENCH_CLIENT = 'province';
const PURPOSE = 'HOLDER_SELF_SERVICE';

const root = mkdtempSync(path.join(tmpdir(), 'ykt-bench-'));
const serverUrl = process.env.DATABASE_URL || undefined;
const databaseName = `ykt_bench_${randomBytes(5).toString('hex')}`;
let databaseCreated = false;

// ---- clean-up, whatever happens -------------------------------------------------------------------------------
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  return (cleaning ??= (async () => {
    for (const instance of stopOnSignal) instance.stop();
    await stopAll();
    if (serverUrl && databaseCreated) {
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${databaseName}" with (force)`).catch((e: unknown) => console.error('bench: drop database failed', e));
      await admin.end();
    }
    rmSync(root, { recursive: true, force: true });
  })());
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.log(`\n${signal}: stopping the bench`);
    cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  killAllNow();
  rmSync(root, { recursive: true, force: true });
});

const log = (line: string) => console.log(`bench: ${line}`);

/** The environment every child starts from: nothing of the caller's databases, Redis or secrets. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', SUBGRAPH_SECRET, GATEWAY_JWT_SECRET: JWT_SECRET };
  for (const key of Object.keys(env)) if (key.endsWith('DATABASE_URL') || key === 'REDIS_URL' || key.startsWith('GATEWAY_JWKS') || key === 'PGLITE_DATA_DIR') delete env[key];
  delete env.NODE_ENV;
  return env;
}

async function main() {
  const startedAt = new Date().toISOString();
  const benchDatabaseUrl = serverUrl ? Object.assign(new URL(serverUrl), { pathname: `/${databaseName}` }).toString() : undefined;
  /** Where a store's data is: the fresh PostgreSQL database, or its own PGlite folder. */
  const databaseEnv = (store: string): NodeJS.ProcessEnv => (benchDatabaseUrl ? { DATABASE_URL: benchDatabaseUrl } : { PGLITE_DATA_DIR: path.join(root, store) });

  // ---- database and seed -----------------------------------------------------------------------------------------
  if (serverUrl) {
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create database "${databaseName}"`);
      databaseCreated = true;
    } finally {
      await admin.end();
    }
    log(`database ${databaseName} created`);
  }
  let t = Date.now();
  await runScript('seed', 'seed', ['--holders', String(HOLDERS)], { ...baseEnv(), ...databaseEnv('seed') });
  log(`seeded ${HOLDERS} holders in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const configOf = (store: string): DatabaseConfig => (benchDatabaseUrl ? { kind: 'postgres', url: benchDatabaseUrl, source: 'DATABASE_URL' } : { kind: 'pglite', dataDir: path.join(root, store) });
  const seeded = await openDatabase(configOf('seed'));
  let rideCards: RideCard[] = [];
  const data: DataSet = await readDataSet(seeded.db)
    .then(async (d) => {
      rideCards = await readRideCards(seeded.db);
      return d;
    })
    .finally(() => seeded.close());
  log(`${data.idNumbers.length} holders, ${data.cardNumbers.length} cards to draw from`);
  // Embedded, a PGlite folder serves one process: each department's subgraph gets a copy of the seeded folder.
  if (!benchDatabaseUrl) for (const s of SUBGRAPHS) if (ownsStore(s.name)) cpSync(path.join(root, 'seed'), path.join(root, s.name), { recursive: true });

  // The gateway's register, migrated before the gateway starts, with the bench's client allowed a rate no run reaches.
  const gatewayDb = await openDatabase(configOf('gateway'));
  try {
    await migrateGatewayDatabase(gatewayDb);
    await gatewayDb.db.execute(sql`update gateway.clients set requests_per_minute = 100000000 where id = ${BENCH_CLIENT}`);
  } finally {
    await gatewayDb.close();
  }

  // ---- processes -------------------------------------------------------------------------------------------------
  t = Date.now();
  const urls: Record<string, string> = {};
  const subgraphs: Started[] = [];
  // Registry order, hr first: later subgraphs find earlier ones at their real URLs (health asks hr about cards).
  const start = (s: (typeof SUBGRAPHS)[number]) =>
    startScript(s.name, 'subgraph', [s.name], { ...baseEnv(), ...urls, ...databaseEnv(s.name), [`${envPrefix(s.name)}_PORT`]: '0' }, /subgraph \S+ on (\S+)/, {
      preload: ['./bench/sql-counter.ts'],
    });
  const [hr, ...rest] = SUBGRAPHS;
  const first = await start(hr!);
  subgraphs.push(first);
  urls[`${envPrefix(hr!.name)}_URL`] = first.url;
  for (const s of await Promise.all(rest.map(start))) {
    subgraphs.push(s);
    urls[`${envPrefix(s.name)}_URL`] = s.url;
  }
  log(`${subgraphs.length} subgraphs up in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const [hub, plain] = await Promise.all([
    startScript('gateway', 'gateway', [], { ...baseEnv(), ...urls, ...databaseEnv('gateway'), GATEWAY_PORT: '0' }, /gateway on (\S+)/),
    startBenchServer('plain gateway', 'bench/plain-gateway.ts', { ...baseEnv(), ...urls, PLAIN_GATEWAY_PORT: '0' }, /plain gateway on (\S+)/),
  ]);
  log(`hub gateway ${hub.url}, plain gateway ${plain.url}`);
  // Scenario 5, the SQL floor: PostgreSQL only (a PGlite folder serves one process, and the subgraphs hold theirs).
  let floor: Started | undefined;
  if (benchDatabaseUrl) {
    const started = await startBenchServer('sql floor', 'bench/sql-floor.ts', { ...baseEnv(), DATABASE_URL: benchDatabaseUrl, SQL_FLOOR_PORT: '0' }, /sql floor on (\S+)/);
    floor = {
      ...started,
      sqlCount: async () => {
        const res = await fetch(new URL('stats', started.url)).catch(() => undefined);
        return res?.ok ? ((await res.json()) as { sql: number }).sql : undefined;
      },
    };
    log(`sql floor ${floor.url}`);
  }

  const token = await signToken(JWT_SECRET, BENCH_CLIENT, TOKENS, 3 * 3600);
  const hubHeaders = { authorization: `Bearer ${token}`, 'x-purpose': PURPOSE, 'x-operator': 'bench', 'x-case-ref': 'BENCH-0001' };
  /**
   * What a measured row drives: `front` is the process whose CPU and RSS fill the gateway columns (none when a
   * subgraph is called directly), `behind` the processes summed in the subgraph columns, `sqlFrom` those whose SQL
   * statements are counted, `sign` per-request headers (a subgraph call's signature).
   */
  interface Subject {
    name: string;
    url: string;
    headers: Record<string, string>;
    front?: Started;
    behind: Started[];
    sqlFrom: Started[];
    sign?: (body: string) => Record<string, string>;
  }
  const gatewaySubject = (name: string, server: Started, headers: Record<string, string>): Subject => ({ name, url: server.url, headers, front: server, behind: subgraphs, sqlFrom: subgraphs });
  const targets: Subject[] = [gatewaySubject('hub', hub, hubHeaders), gatewaySubject('plain', plain, {})];

  // ---- one request each first: a scenario that fails outright is reported, not measured --------------------------
  for (const scenario of SCENARIOS) {
    for (const target of targets) {
      const res = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...target.headers },
        body: JSON.stringify({ query: scenario.query, variables: scenario.variables(data) }),
      });
      const body = await res.text();
      if (!res.ok || body.includes('"errors":')) log(`warning: scenario ${scenario.id} on ${target.name} answered HTTP ${res.status}: ${body.slice(0, 400)}`);
    }
  }
  const probe = async (scenario: Scenario, subject: Subject) => {
    const body = JSON.stringify({ query: scenario.query, variables: scenario.variables(data) });
    const res = await fetch(subject.url, { method: 'POST', headers: { 'content-type': 'application/json', ...subject.headers, ...subject.sign?.(body) }, body });
    const text = await res.text();
    if (!res.ok || text.includes('"errors":') || /:null\}*$/.test(text)) log(`warning: scenario ${scenario.id} on ${subject.name} answered HTTP ${res.status}: ${text.slice(0, 400)}`);
  };

  // Transport called directly, signed as the hub signs its subgraph calls: a fixed caller (the bench's client, with
  // the purpose its hub requests declare) and a fresh HMAC signature over each request's own body.
  const transport = subgraphs.find((s) => s.name === 'transport')!;
  const transportTarget = new URL(transport.url);
  const directCaller = encodeClaims({
    requestId: 'bench-transport-direct', client: BENCH_CLIENT, kind: 'PROVINCE', city: null, domain: null,
    purpose: PURPOSE, operator: 'bench', caseRef: 'BENCH-0001',
  });
  const transportDirect: Subject = {
    name: 'transport-direct',
    url: transport.url,
    headers: { [CALLER_HEADER]: directCaller },
    behind: [transport],
    sqlFrom: [transport],
    sign: (body) => ({
      [SIGNATURE_HEADER]: signatureFor(SUBGRAPH_SECRET, { method: 'POST', target: transportTarget.pathname + transportTarget.search, caller: directCaller, body }),
    }),
  };
  const direct = transportDirectScenario(rideCards);
  await probe(direct, transportDirect);
  const floorSubject: Subject | undefined = floor && { name: 'floor', url: floor.url, headers: {}, front: floor, behind: [], sqlFrom: [floor] };
  const floorScenario: Scenario = { ...SCENARIOS[1]!, id: '5', title: "scenario 2's data, one SQL query over node:http (floor)" };
  if (floorSubject) await probe(floorScenario, floorSubject);

  // ---- measure ---------------------------------------------------------------------------------------------------
  const sqlTotal = async (from: Started[]) => {
    const counts = await Promise.all(from.map((s) => s.sqlCount()));
    return counts.some((c) => c === undefined) ? undefined : counts.reduce((a, b) => a! + b!, 0)!;
  };
  const rows: Row[] = [];
  const measure = async (scenario: Scenario, target: Subject, connections: number) => {
    const load = { url: target.url, headers: target.headers, scenario, data, connections, ...(target.sign ? { sign: target.sign } : {}) };
    await runLoad({ ...load, seconds: WARMUP_SECONDS });
    const front = target.front;
    const gwBefore = front ? cpuMs(front.pid) : NaN;
    const sgBefore = target.behind.map((s) => cpuMs(s.pid));
    const sqlBefore = await sqlTotal(target.sqlFrom);
    const result = await runLoad({ ...load, seconds: MEASURE_SECONDS });
    const gwAfter = front ? cpuMs(front.pid) : NaN;
    const sgAfter = target.behind.map((s) => cpuMs(s.pid));
    const sqlAfter = await sqlTotal(target.sqlFrom);
    const n = Math.max(result.responses, 1);
    const byName = Object.fromEntries(target.behind.map((s, i) => [s.name, (sgAfter[i]! - sgBefore[i]!) / n]));
    const row: Row = {
      scenario: scenario.id,
      title: scenario.title,
      target: target.name,
      connections,
      seconds: MEASURE_SECONDS,
      responses: result.responses,
      requestsPerSecond: result.requestsPerSecond,
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      gatewayCpuMsPerRequest: (gwAfter - gwBefore) / n,
      subgraphCpuMsPerRequest: target.behind.length ? Object.values(byName).reduce((a, b) => a + b, 0) : null,
      subgraphCpuMsPerRequestByName: byName,
      gatewayPeakRssMiB: front ? peakRssMiB(front.pid) : NaN,
      subgraphPeakRssMiB: target.behind.length ? target.behind.reduce((sum, s) => sum + peakRssMiB(s.pid), 0) : null,
      errors: result.errors,
      ...(result.firstError ? { firstError: result.firstError } : {}),
      sqlPerRequest: sqlBefore === undefined || sqlAfter === undefined ? null : (sqlAfter - sqlBefore) / n,
    };
    rows.push(row);
    log(`scenario ${scenario.id} ${target.name} (${connections} conn): ${row.requestsPerSecond.toFixed(0)} req/s, p99 ${row.p99Ms.toFixed(1)} ms, front ${Number.isFinite(row.gatewayCpuMsPerRequest) ? row.gatewayCpuMsPerRequest.toFixed(2) : '-'} ms CPU/req, ${row.errors} errors`);
  };
  for (const scenario of SCENARIOS) for (const target of targets) await measure(scenario, target, CONNECTIONS);
  if (floorSubject) await measure(floorScenario, floorSubject, CONNECTIONS);
  // The p99 target: scenario 1 through the hub and transport called directly, both at 20 connections.
  if (CONNECTIONS !== P99_CONNECTIONS) await measure(SCENARIOS[0]!, targets[0]!, P99_CONNECTIONS);
  await measure(direct, transportDirect, P99_CONNECTIONS);

  const notMeasured = [
    ...(floorSubject ? [] : ['scenario 5 (SQL floor): not measured (needs DATABASE_URL)']),
    'scenario 6 (audit on vs off for scenario 2): not measured (the gateway has no audit-off switch yet)',
    'gateway SQL (audit writes, register): not counted; SQL/req is the subgraphs\' statements',
  ];
  const run: Run = {
    startedAt,
    mode: quick ? 'quick' : 'full',
    database: serverUrl ? 'postgres' : 'pglite',
    holders: HOLDERS,
    machine: machine(),
    rows,
    targets: judgeTargets(rows),
    notMeasured,
  };
  printRun(run);
  log(`results in ${saveRun(run)}`);
}

const began = Date.now();
main()
  .then(async () => {
    await cleanup();
    log(`done in ${((Date.now() - began) / 1000).toFixed(0)} s`);
    process.exit(0);
  })
  .catch(async (error: unknown) => {
    console.error(error);
    await cleanup();
    process.exit(1);
  });
