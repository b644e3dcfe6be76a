// `npm start` as a newcomer runs it: the hub comes up seeded, answers the README's query, and Ctrl-C leaves
// no process behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SUBGRAPHS } from '../../schema/manifest.js';
import { envPrefix } from '../../core/config.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { READER, startTestHub, TEST_JWT_SECRET, TEST_SUBGRAPH_SECRET, type TestHub } from '../support/hub.js';
import { callSubgraph } from '../support/subgraph.js';

const children: ChildProcess[] = [];
const dataDirs: string[] = [];
let database: TestDatabase | undefined;
/** Databases of tests that need an empty one, dropped with the file's. */
const ownDatabases: TestDatabase[] = [];

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const child of children) if (child.pid && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
  for (const db of [database, ...ownDatabases]) await db?.drop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** The environment a newcomer has: the test file's database (embedded in a temporary folder), free ports. */
function cliEnv(db: TestDatabase = database!): NodeJS.ProcessEnv {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ykt-cli-'));
  dataDirs.push(dataDir);
  // Every port free-picked: a hub already running here (or another CI job) must not collide with this one.
  const ports = Object.fromEntries(SUBGRAPHS.map((s) => [`${envPrefix(s.name)}_PORT`, '0']));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GATEWAY_PORT: '0',
    ...ports,
    SEED_HOLDERS: '30',
    PGLITE_DATA_DIR: dataDir,
    GATEWAY_JWT_SECRET: TEST_JWT_SECRET,
    SUBGRAPH_SECRET: TEST_SUBGRAPH_SECRET,
  };
  delete env.DATABASE_URL;
  // vitest sets NODE_ENV=test, under which Apollo leaves signals alone; a newcomer's shell has no NODE_ENV.
  delete env.NODE_ENV;
  if (db.config.kind === 'postgres') env.DATABASE_URL = db.config.url;
  return env;
}

const scripts = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;

/**
 * Runs an npm script's own command (`node --import tsx gateway/start-hub.ts` for `npm start`), `args` after it,
 * in its own process group, as a terminal runs a foreground job; resolves on `pattern`. Not through npm itself:
 * on Ctrl-C, npm's exit status is that of its `sh -c` wrapper, which re-raises SIGINT on itself however cleanly
 * the hub stopped, so only the command's own status tells a clean stop (0) from a cut-short one.
 */
function runScript(script: string, args: string[], env: NodeJS.ProcessEnv, pattern: RegExp) {
  const [bin, ...scriptArgs] = scripts[script]!.split(' ');
  const command =
    bin === 'node' ? process.execPath : fileURLToPath(new URL(`../node_modules/.bin/${bin}`, import.meta.url));
  const child = spawn(command, [...scriptArgs, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  const matched = new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within 90 s:\n${output}`)), 90_000);
    child.stdout!.on('data', (d) => {
      output += d;
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`npm run ${[script, ...args].join(' ')} exited with ${code}:\n${output}`)),
    );
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, matched, exited, output: () => output };
}

/** Ctrl-C: SIGINT to the whole group; it must stop cleanly (exit code 0) and every process of it be gone. */
async function interrupt(child: ChildProcess, exited: Promise<number | null>) {
  process.kill(-child.pid!, 'SIGINT');
  expect(await exited).toBe(0);
  for (let i = 0; i < 50 && groupAlive(child.pid!); i++) await new Promise((r) => setTimeout(r, 100));
  expect(groupAlive(child.pid!)).toBe(false);
}

it('serves the seeded hub on npm start and stops every process on Ctrl-C', async () => {
  const env = cliEnv();
  const run = runScript('start', [], env, /ykt-hub ready: (\S+)/);
  const gatewayUrl = (await run.matched)[1]!;

  // As the README shows: a token from npm run token, a purpose, an operator.
  const tokenRun = runScript('token', ['province'], env, /^(\S+\.\S+\.\S+)\n/);
  const token = (await tokenRun.matched)[1]!;
  expect(await tokenRun.exited).toBe(0);
  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-purpose': 'HOLDER_SELF_SERVICE',
      'x-operator': 'holder-app',
    },
    body: JSON.stringify({
      query: '{ holderByCard(cardNumber: "L00100718") { name cards { cardNumber kind status } } }',
    }),
  });
  const body = (await res.json()) as any;
  expect(body.data.holderByCard.name).toBe('吴英玲');
  expect(body.data.holderByCard.cards.length).toBeGreaterThan(0);

  await interrupt(run.child, run.exited);
  await expect(fetch(gatewayUrl, { method: 'POST' })).rejects.toThrow();
}, 120_000);

it('stops cleanly on Ctrl-C during start-up, and starts again on the same data', async () => {
  // An empty database (on PostgreSQL the file's own has been seeded by the test before).
  const empty = await createTestDatabase();
  ownDatabases.push(empty);
  // Enough holders that seeding outlasts the signal's way here even on a loaded machine (1,000 did not).
  const env = { ...cliEnv(empty), SEED_HOLDERS: '5000' };
  // The first progress line of seeding: the hub is still starting, its database open.
  const run = runScript('start', [], env, /hr: \d+ \/ 5000 holders/);
  await run.matched;
  await interrupt(run.child, run.exited);
  // The signal came while seeding: start-up stopped there, and closed the database it had opened.
  expect(run.output()).toContain('SIGINT: shutting down');
  expect(run.output()).not.toContain('gateway on');

  const again = runScript('start', [], env, /ykt-hub ready: (\S+)/);
  const gatewayUrl = (await again.matched)[1]!;
  const ready = await fetch(new URL('/ready', gatewayUrl));
  expect(ready.status).toBe(200);
  await interrupt(again.child, again.exited);
}, 180_000);

it('runs one subgraph alone with npm run subgraph -- hr, as a department would', async () => {
  const env = cliEnv();
  const seeded = runScript('seed', ['--holders', '25'], env, /hr: 25 \/ 25 holders|already present/);
  await seeded.matched;
  expect(await seeded.exited).toBe(0);

  const run = runScript('subgraph', ['hr'], env, /subgraph hr on (\S+) \((\w+)\)/);
  const [, url, driver] = await run.matched;
  expect(driver).toBe(database!.config.kind);
  const query = { query: '{ card(cardNumber: "L00100718") { status holder { name } } }' };
  expect((await callSubgraph(url!, query)).body.data.card).toEqual({ status: 'ACTIVE', holder: { name: '吴英玲' } });
  // Unsigned, as anyone reaching the port would call it: refused.
  const direct = await fetch(url!, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(query),
  });
  expect(direct.status).toBe(401);
  await interrupt(run.child, run.exited);
}, 120_000);

it('runs governance alone with npm run subgraph -- governance, on the gateway’s database and migrations', async () => {
  const env = cliEnv();
  const run = runScript('subgraph', ['governance'], env, /subgraph governance on (\S+) \((\w+)\)/);
  const [, url, driver] = await run.matched;
  expect(driver).toBe(database!.config.kind);
  // The register and the audit tables are there (the gateway's migrations), whether or not a gateway ever ran.
  const answer = await callSubgraph(url!, {
    query:
      '{ clientActivity(clientId: "province", from: "2020-01-01", to: "2020-02-01") { client { name } requests } auditChainStatus { chains { chainId } } }',
  });
  expect(answer.body.errors).toBeUndefined();
  expect(answer.body.data.clientActivity).toEqual({ client: { name: '广东省社会保障卡服务平台' }, requests: 0 });
  await interrupt(run.child, run.exited);
}, 120_000);

it('runs the gateway alone with npm run gateway, in front of subgraphs running elsewhere', async () => {
  const subgraphs = await startTestHub();
  try {
    const urls = Object.fromEntries(subgraphs.subgraphs.map((s) => [`${envPrefix(s.name)}_URL`, s.url]));
    const run = runScript('gateway', [], { ...cliEnv(), ...urls }, /gateway on (\S+)/);
    const gatewayUrl = (await run.matched)[1]!;
    expect(gatewayUrl).not.toBe(subgraphs.gatewayUrl);
    const { body } = await subgraphs.as(READER, gatewayUrl).post('{ card(cardNumber: "Z00000000") { status } }');
    // Answered by the hr subgraph the variables point at: its own refusal, through this gateway.
    expect((body as any).errors[0].extensions).toEqual({ code: 'CARD_NOT_FOUND', serviceName: 'hr' });
    expect((await fetch(new URL('/ready', gatewayUrl))).status).toBe(200);
    await interrupt(run.child, run.exited);
  } finally {
    await subgraphs.close();
  }
}, 120_000);

it('leaves signals to the command-line entries: a hub installs no SIGINT or SIGTERM handler of its own', async () => {
  // Apollo stops a server on a signal by itself and re-sends it, unless NODE_ENV=test (as vitest sets) or told
  // not to; the re-sent signal would read as a second Ctrl-C to serveUntilSignal and exit 1 mid-shutdown.
  const nodeEnv = process.env.NODE_ENV;
  delete process.env.NODE_ENV;
  const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
  let hub: TestHub | undefined;
  try {
    hub = await startTestHub();
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
  } finally {
    process.env.NODE_ENV = nodeEnv;
    await hub?.close();
  }
});

it('names the variable when configuration is wrong', async () => {
  const run = runScript('start', [], { ...cliEnv(), DATABASE_URL: 'mysql://nowhere' }, /$^/);
  run.matched.catch(() => {});
  expect(await run.exited).toBe(1);
  expect(run.output()).toContain('Configuration error in DATABASE_URL: expected a postgres: or postgresql: URL');
}, 60_000);
