// Real processes for the fault tests (test/integration/faults/): subgraphs and a gateway each in a process of its
// own, started as `npm run subgraph` and `npm run gateway` start them (node --import tsx hub/…), so a test can kill,
// freeze (SIGSTOP) and restart one; and a private PostgreSQL cluster or Redis server on a free port in a temporary
// folder, so restarting or stopping one disturbs nothing else on the machine. Every process is in its own process
// group and is killed by `killAll` (a test file's afterAll), whatever became of the test.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { envPrefix } from '../../core/config.js';
import { SUBGRAPHS } from '../../schema/manifest.js';
import { createTestDatabase } from './database.js';
import { TEST_JWT_SECRET, TEST_SUBGRAPH_SECRET } from './hub.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const running = new Set<Running>();

export interface Running {
  name: string;
  child: ChildProcess;
  /** Everything it wrote so far (the last 200 kB). */
  output(): string;
  /** Resolves when it has exited. */
  exited: Promise<void>;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts a process in its own group; resolves once its output matches `ready` (rejects if it exits first). */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  timeoutMs = 45_000,
): Promise<Running> {
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (d: Buffer) => {
    output += d;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, s);
    } catch {
      // already gone
    }
  };
  const proc: Running = {
    name,
    child,
    output: () => output,
    exited,
    signal,
    async stop(graceMs = 8_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signal('SIGCONT');
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(proc);
  void exited.then(() => running.delete(proc));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal('SIGKILL');
      reject(new Error(`${name}: not ready within ${timeoutMs / 1000} s:\n${output}`));
    }, timeoutMs);
    const check = () => {
      if (!ready.test(output)) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      resolve(proc);
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${output}`));
    });
  });
}

/** Kills every process these helpers started and that still runs (a test file's afterAll). */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop(2_000)));
}

// ---- a private PostgreSQL ------------------------------------------------------------------------------------------

export interface PrivatePostgres {
  url: string;
  /** Fast shutdown (clients cut, as an operator's restart does); resolves once it is down. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
}

/** PostgreSQL refuses to run as root: as root, run its programs as the `postgres` user. */
function asPostgresUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  const uid = Number(spawnSync('id', ['-u', 'postgres']).stdout.toString().trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres']).stdout.toString().trim());
  return ['setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--init-groups', command, ...args]];
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ykt-pg-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(spawnSync('id', ['-u', 'postgres']).stdout.toString().trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres']).stdout.toString().trim());
    chownSync(dir, uid, gid);
  }
  const [initdb, initArgs] = asPostgresUser('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  const init = spawnSync(initdb, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  let server: Running | undefined;
  const start = async () => {
    const [bin, args] = asPostgresUser('postgres', [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'max_connections=200',
    ]);
    server = await startProcess('postgres', bin, args, process.env, /ready to accept connections/);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      // SIGINT: PostgreSQL's fast shutdown.
      server?.signal('SIGINT');
      await server?.exited;
    },
    start,
    async destroy() {
      await server?.stop(5_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- a private Redis -----------------------------------------------------------------------------------------------

export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP freezes it (connections stay open, nothing answers); SIGCONT thaws it. */
  signal(signal: NodeJS.Signals): void;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let server: Running | undefined;
  const start = async () => {
    server = await startProcess(
      'redis',
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      process.env,
      /Ready to accept connections/,
    );
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => server?.stop(3_000),
    start,
    signal: (signal) => server?.signal(signal),
  };
}

// ---- a hub in processes --------------------------------------------------------------------------------------------

export interface ProcessHubOptions {
  /** The subgraphs to run, each in its own process; the others of the manifest are simply not there. */
  subgraphs: string[];
  /** One PostgreSQL for every process; else DATABASE_URL's server (a database of the test's own), else PGlite. */
  databaseUrl?: string;
  env?: Record<string, string>;
  /** The gateway on an embedded database of its own, apart from the subgraphs' PostgreSQL. */
  gatewayEmbedded?: boolean;
}

export interface ProcessHub {
  gatewayUrl: string;
  subgraphs: Map<string, Running>;
  gateway: Running;
  /** Starts a stopped (killed) subgraph again; embedded, on a fresh folder (a killed PGlite's may not reopen). */
  restartSubgraph(name: string): Promise<Running>;
  /** Every audit record's operation name, outcome and error codes. Embedded, only once `stopGateway` ran. */
  auditRecords(): Promise<{ operationName: string | null; outcome: string; errorCodes: string[] }[]>;
  stopGateway(): Promise<void>;
  /** Runs `npm run audit:verify` on the gateway's database: its exit status and output. */
  verifyAudit(): { status: number | null; output: string };
  close(): Promise<void>;
}

const NODE_TSX = [process.execPath, ['--import', 'tsx']] as const;

export async function startProcessHub(options: ProcessHubOptions): Promise<ProcessHub> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ykt-hub-'));
  const own = !options.databaseUrl && process.env.DATABASE_URL ? await createTestDatabase() : undefined;
  const databaseUrl = options.databaseUrl ?? (own?.config.kind === 'postgres' ? own.config.url : undefined);
  const ports = Object.fromEntries(await Promise.all(SUBGRAPHS.map(async (s) => [s.name, await freePort()] as const)));
  const gatewayPort = await freePort();
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const variable of ['DATABASE_URL', 'REDIS_URL', 'GATEWAY_DATABASE_URL', 'PGLITE_DATA_DIR'])
    delete base[variable];
  const env: NodeJS.ProcessEnv = {
    ...base,
    HOST: '127.0.0.1',
    SUBGRAPH_SECRET: TEST_SUBGRAPH_SECRET,
    GATEWAY_JWT_SECRET: TEST_JWT_SECRET,
    GATEWAY_PORT: String(gatewayPort),
    ...Object.fromEntries(
      SUBGRAPHS.flatMap((s) => [
        [`${envPrefix(s.name)}_URL`, `http://127.0.0.1:${ports[s.name]}/graphql`],
        [`${envPrefix(s.name)}_PORT`, String(ports[s.name])],
      ]),
    ),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...options.env,
  };
  let generation = 0;
  const envOf = (name: string): NodeJS.ProcessEnv =>
    databaseUrl ? env : { ...env, PGLITE_DATA_DIR: path.join(dir, `${name}-${generation}`) };
  const startSubgraph = (name: string) =>
    startProcess(
      `subgraph ${name}`,
      NODE_TSX[0],
      [...NODE_TSX[1], 'hub/start-subgraph.ts', name],
      envOf(name),
      new RegExp(`subgraph ${name} on `),
    );
  const gatewayUrl = options.gatewayEmbedded ? undefined : databaseUrl;
  const gatewayEnv: NodeJS.ProcessEnv = gatewayUrl ? env : { ...env, PGLITE_DATA_DIR: path.join(dir, 'gateway') };
  if (!gatewayUrl) delete gatewayEnv.DATABASE_URL;
  const subgraphs = new Map<string, Running>();
  try {
    // All at once: the gateway serves the committed supergraph and needs no subgraph to start; on one PostgreSQL,
    // the first start migrates a shared schema while the others wait for its lock.
    const [gateway, ...started] = await Promise.all([
      startProcess('gateway', NODE_TSX[0], [...NODE_TSX[1], 'hub/start-gateway.ts'], gatewayEnv, /gateway on /),
      ...options.subgraphs.map(startSubgraph),
    ]);
    options.subgraphs.forEach((name, i) => subgraphs.set(name, started[i]!));
    const closeAll = async () => {
      await Promise.all([gateway, ...subgraphs.values()].map((p) => p.stop()));
      await own?.drop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    };
    return {
      gatewayUrl: `http://127.0.0.1:${gatewayPort}/graphql`,
      subgraphs,
      gateway,
      async restartSubgraph(name) {
        await subgraphs.get(name)?.exited;
        generation++;
        const proc = await startSubgraph(name);
        subgraphs.set(name, proc);
        return proc;
      },
      stopGateway: () => gateway.stop(),
      async auditRecords() {
        const select = `select operation_name as "operationName", outcome, error_codes as "errorCodes"
          from gateway.audit_records order by chain_id, seq`;
        if (gatewayUrl) {
          const sql = postgres(gatewayUrl, { max: 1, onnotice: () => {} });
          try {
            return [...(await sql.unsafe(select))] as never;
          } finally {
            await sql.end();
          }
        }
        const { openDatabase, rowsOf } = await import('../../core/database.js');
        const { sql } = await import('drizzle-orm');
        const database = await openDatabase({ kind: 'pglite', dataDir: path.join(dir, 'gateway') });
        try {
          return await rowsOf(database.db, sql.raw(select));
        } finally {
          await database.close();
        }
      },
      verifyAudit() {
        const run = spawnSync(NODE_TSX[0], [...NODE_TSX[1], 'gateway/audit/verify-cli.ts'], {
          cwd: ROOT,
          env: gatewayEnv,
          encoding: 'utf8',
          timeout: 30_000,
        });
        return { status: run.status, output: `${run.stdout}${run.stderr}` };
      },
      close: closeAll,
    };
  } catch (error) {
    await Promise.all([...subgraphs.values()].map((p) => p.stop(2_000)));
    await own?.drop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
