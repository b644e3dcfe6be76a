// What a bench run measures against: a fresh database seeded with a fixed data set (a new PostgreSQL database on
// the server DATABASE_URL names, dropped afterwards; else PGlite folders in a temporary directory), every subgraph,
// and the fronts asked for (the hub's gateway, the same gateway without its audit plugin, a plain @apollo/gateway,
// the SQL floor), each a process of its own on 127.0.0.1. `close()` stops and removes everything it created; so
// does Ctrl-C (run.ts), through `closeAllStacks`.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { signToken } from '../gateway/auth/tokens.js';
import { migrateGatewayDatabase } from '../store/migrations.js';
import { ownsStore, SUBGRAPHS } from '../schema/manifest.js';
import { envPrefix, type DatabaseConfig } from '../core/config.js';
import { openDatabase } from '../core/database.js';
import { CALLER_HEADER, encodeClaims, SIGNATURE_HEADER, signatureFor } from '../core/protocol/gateway-proof.js';
import { gatewayHeaders, READER, READER_CLAIMS, type Identity } from '../test/support/queries.js';
import type { Subject } from './measure.js';
import { runScript, startBenchServer, startScript, stopAll, type Started } from './processes.js';
import { newQrKeyEntry } from '../subgraphs/hr/qr-keys.js';
import { readDataSet, readRideCards, type DataSet, type RideCard } from './scenarios.js';

/** Who the bench's requests come from: the tests' reader (every field, unmasked), as an operator on a case of its own. */
const BENCH_CALLER: Identity & { operator: string; caseRef: string } = {
  ...READER,
  operator: 'bench',
  caseRef: 'BENCH-0001',
};

export type Front = 'hub' | 'unaudited' | 'plain' | 'floor' | 'transport-direct';

export interface StackOptions {
  holders: number;
  /** The PostgreSQL server to create the bench's database on; PGlite when undefined. */
  serverUrl: string | undefined;
  fronts: Front[];
  log: (line: string) => void;
  /** Show the seed's own progress lines (the 1 M-holder seed takes minutes). */
  echoSeed?: boolean;
}

export interface Stack {
  holders: number;
  seedSeconds: number;
  data: DataSet;
  subgraphs: Started[];
  /** The measurable fronts started, by name (transport-direct has no process of its own). */
  subjects: Partial<Record<Front, Subject>>;
  /** Cards with what the hub's plan fetches for each, for transport called directly (empty unless asked for). */
  rideCards: RideCard[];
  /** The QR_SIGNING_KEYS hr runs with, so the bench can sign the codes scenario 7 presents. */
  qrSigningKeys: string;
  close(): Promise<void>;
}

const open = new Set<Stack>();

/** Stops every stack still open (Ctrl-C, or a run that failed half-way). */
export async function closeAllStacks(): Promise<void> {
  await Promise.all([...open].map((s) => s.close()));
  await stopAll();
}

/** The environment every child starts from: nothing of the caller's databases, Redis or secrets. */
function baseEnv(secrets: { jwt: string; subgraph: string; qr: string }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    SUBGRAPH_SECRET: secrets.subgraph,
    GATEWAY_JWT_SECRET: secrets.jwt,
    QR_SIGNING_KEYS: secrets.qr,
    APOLLO_TELEMETRY_DISABLED: '1',
  };
  for (const key of Object.keys(env))
    if (
      key.endsWith('DATABASE_URL') ||
      key === 'REDIS_URL' ||
      key.startsWith('GATEWAY_JWKS') ||
      key === 'PGLITE_DATA_DIR'
    )
      delete env[key];
  delete env.NODE_ENV;
  return env;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { serverUrl, log } = options;
  const secrets = {
    jwt: randomBytes(24).toString('hex'),
    subgraph: randomBytes(24).toString('hex'),
    qr: newQrKeyEntry('bench').signing,
  };
  const root = mkdtempSync(path.join(tmpdir(), 'ykt-bench-'));
  const databaseName = `ykt_bench_${randomBytes(5).toString('hex')}`;
  let databaseCreated = false;
  const benchDatabaseUrl = serverUrl
    ? Object.assign(new URL(serverUrl), { pathname: `/${databaseName}` }).toString()
    : undefined;
  const started: Started[] = [];

  let closing: Promise<void> | undefined;
  const stack: Stack = {
    holders: options.holders,
    seedSeconds: NaN,
    data: { idNumbers: [], cardNumbers: [], activeCards: [] },
    qrSigningKeys: secrets.qr,
    subgraphs: [],
    subjects: {},
    rideCards: [],
    close: () =>
      (closing ??= (async () => {
        await stopAll(started);
        if (serverUrl && databaseCreated) {
          const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
          await admin
            .unsafe(`drop database if exists "${databaseName}" with (force)`)
            .catch((e: unknown) => console.error('bench: drop database failed', e));
          await admin.end();
        }
        rmSync(root, { recursive: true, force: true });
        open.delete(stack);
      })()),
  };
  open.add(stack);

  try {
    /** Where a store's data is: the fresh PostgreSQL database, or its own PGlite folder. */
    const databaseEnv = (store: string): NodeJS.ProcessEnv =>
      benchDatabaseUrl ? { DATABASE_URL: benchDatabaseUrl } : { PGLITE_DATA_DIR: path.join(root, store) };
    const configOf = (store: string): DatabaseConfig =>
      benchDatabaseUrl
        ? { kind: 'postgres', url: benchDatabaseUrl, source: 'DATABASE_URL' }
        : { kind: 'pglite', dataDir: path.join(root, store) };
    const env = baseEnv(secrets);

    // ---- database and seed ---------------------------------------------------------------------------------------
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
    await runScript(
      'seed',
      'seed',
      ['--holders', String(options.holders)],
      { ...env, ...databaseEnv('seed') },
      { timeoutMs: 30 * 60_000, echo: options.echoSeed ?? false },
    );
    stack.seedSeconds = (Date.now() - t) / 1000;
    log(`seeded ${options.holders} holders in ${stack.seedSeconds.toFixed(1)} s`);

    const seeded = await openDatabase(configOf('seed'));
    try {
      stack.data = await readDataSet(seeded.db);
      if (options.fronts.includes('transport-direct')) stack.rideCards = await readRideCards(seeded.db);
    } finally {
      await seeded.close();
    }
    log(`${stack.data.idNumbers.length} holders, ${stack.data.cardNumbers.length} cards to draw from`);
    // Embedded, a PGlite folder serves one process: each department's subgraph gets a copy of the seeded folder.
    if (!benchDatabaseUrl)
      for (const s of SUBGRAPHS)
        if (ownsStore(s.name)) cpSync(path.join(root, 'seed'), path.join(root, s.name), { recursive: true });

    // The gateway's register, migrated before the gateways start, with the bench's client allowed a rate no run reaches.
    const gatewayDb = await openDatabase(configOf('gateway'));
    try {
      await migrateGatewayDatabase(gatewayDb);
      await gatewayDb.db.execute(
        sql`update gateway.clients set requests_per_minute = 100000000 where id = ${BENCH_CALLER.client}`,
      );
    } finally {
      await gatewayDb.close();
    }
    if (!benchDatabaseUrl && options.fronts.includes('unaudited'))
      cpSync(path.join(root, 'gateway'), path.join(root, 'gateway-unaudited'), { recursive: true });

    // ---- processes -----------------------------------------------------------------------------------------------
    t = Date.now();
    const urls: Record<string, string> = {};
    const track = (s: Started) => (started.push(s), s);
    // Registry order, hr first: later subgraphs find earlier ones at their real URLs (health asks hr about cards).
    const start = (s: (typeof SUBGRAPHS)[number]) =>
      startScript(
        s.name,
        'subgraph',
        [s.name],
        { ...env, ...urls, ...databaseEnv(s.name), [`${envPrefix(s.name)}_PORT`]: '0' },
        /subgraph \S+ on (\S+)/,
        {
          preload: ['./bench/sql-counter.ts'],
        },
      ).then(track);
    const [hr, ...rest] = SUBGRAPHS;
    const first = await start(hr!);
    stack.subgraphs.push(first);
    urls[`${envPrefix(hr!.name)}_URL`] = first.url;
    for (const s of await Promise.all(rest.map(start))) {
      stack.subgraphs.push(s);
      urls[`${envPrefix(s.name)}_URL`] = s.url;
    }
    log(`${stack.subgraphs.length} subgraphs up in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    const token = await signToken(
      secrets.jwt,
      BENCH_CALLER.client,
      { keys: { kind: 'secret', secret: secrets.jwt, variable: 'GATEWAY_JWT_SECRET' }, audience: 'ykt-hub' },
      6 * 3600,
    );
    const hubHeaders = gatewayHeaders(token, BENCH_CALLER);
    const behindGateway = (name: Front, server: Started, headers: Record<string, string>): Subject => ({
      name,
      url: server.url,
      headers,
      front: server,
      behind: stack.subgraphs,
      sqlFrom: stack.subgraphs,
    });
    const fronts = options.fronts;
    await Promise.all([
      fronts.includes('hub') &&
        startScript(
          'gateway',
          'gateway',
          [],
          { ...env, ...urls, ...databaseEnv('gateway'), GATEWAY_PORT: '0' },
          /gateway on (\S+)/,
        )
          .then(track)
          .then((s) => (stack.subjects.hub = behindGateway('hub', s, hubHeaders))),
      fronts.includes('unaudited') &&
        startBenchServer(
          'unaudited gateway',
          'bench/unaudited-gateway.ts',
          { ...env, ...urls, ...databaseEnv('gateway-unaudited'), GATEWAY_PORT: '0' },
          /unaudited gateway on (\S+)/,
        )
          .then(track)
          .then((s) => (stack.subjects.unaudited = behindGateway('unaudited', s, hubHeaders))),
      fronts.includes('plain') &&
        startBenchServer(
          'plain gateway',
          'bench/plain-gateway.ts',
          { ...env, ...urls, PLAIN_GATEWAY_PORT: '0' },
          /plain gateway on (\S+)/,
        )
          .then(track)
          .then((s) => (stack.subjects.plain = behindGateway('plain', s, {}))),
      // Scenario 5, the SQL floor: PostgreSQL only (a PGlite folder serves one process, and the subgraphs hold theirs).
      fronts.includes('floor') &&
        benchDatabaseUrl &&
        startBenchServer(
          'sql floor',
          'bench/sql-floor.ts',
          { ...env, DATABASE_URL: benchDatabaseUrl, SQL_FLOOR_PORT: '0' },
          /sql floor on (\S+)/,
        )
          .then(track)
          .then((s) => {
            const floor: Started = {
              ...s,
              sqlCount: async () => {
                const res = await fetch(new URL('stats', s.url)).catch(() => undefined);
                return res?.ok ? ((await res.json()) as { sql: number }).sql : undefined;
              },
            };
            stack.subjects.floor = {
              name: 'floor',
              url: s.url,
              headers: {},
              front: floor,
              behind: [],
              sqlFrom: [floor],
            };
          }),
    ]);
    log(
      `fronts: ${Object.values(stack.subjects)
        .map((s) => `${s.name} ${s.url}`)
        .join(', ')}`,
    );

    // Transport called directly, signed as the hub signs its subgraph calls: a fixed caller (the bench's client, with
    // the purpose its hub requests declare) and a fresh HMAC signature over each request's own body.
    if (fronts.includes('transport-direct')) {
      const transport = stack.subgraphs.find((s) => s.name === 'transport')!;
      const target = new URL(transport.url);
      const caller = encodeClaims({
        requestId: 'bench-transport-direct',
        ...READER_CLAIMS,
        operator: BENCH_CALLER.operator,
        caseRef: BENCH_CALLER.caseRef,
      });
      stack.subjects['transport-direct'] = {
        name: 'transport-direct',
        url: transport.url,
        headers: { [CALLER_HEADER]: caller },
        behind: [transport],
        sqlFrom: [transport],
        sign: (body) => ({
          [SIGNATURE_HEADER]: signatureFor(secrets.subgraph, {
            method: 'POST',
            target: target.pathname + target.search,
            caller,
            body,
          }),
        }),
      };
    }
    return stack;
  } catch (error) {
    await stack.close();
    throw error;
  }
}
