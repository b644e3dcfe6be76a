// `npm start` as a newcomer runs it: the hub comes up seeded, answers the README's query, and Ctrl-C leaves
// no process behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const children: ChildProcess[] = [];
const dataDirs: string[] = [];
let database: TestDatabase | undefined;

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
  await database?.drop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** The environment a newcomer has: the test file's database (embedded in a temporary folder), free ports. */
function cliEnv(): NodeJS.ProcessEnv {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ykt-cli-'));
  dataDirs.push(dataDir);
  const env: NodeJS.ProcessEnv = { ...process.env, GATEWAY_PORT: '0', HR_PORT: '0', SEED_HOLDERS: '30', PGLITE_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  if (database!.config.kind === 'postgres') env.DATABASE_URL = database!.config.url;
  return env;
}

/** Runs an npm script in its own process group, as a terminal runs a foreground job; resolves on `pattern`. */
function npmRun(args: string[], env: NodeJS.ProcessEnv, pattern: RegExp) {
  const child = spawn('npm', args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
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
    child.once('exit', (code) => reject(new Error(`npm ${args.join(' ')} exited with ${code}:\n${output}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, matched, exited, output: () => output };
}

/** Ctrl-C: SIGINT to the whole group; then every process of it must be gone. */
async function interrupt(child: ChildProcess, exited: Promise<number | null>) {
  process.kill(-child.pid!, 'SIGINT');
  await exited;
  for (let i = 0; i < 50 && groupAlive(child.pid!); i++) await new Promise((r) => setTimeout(r, 100));
  expect(groupAlive(child.pid!)).toBe(false);
}

it('serves the seeded hub on npm start and stops every process on Ctrl-C', async () => {
  const run = npmRun(['start'], cliEnv(), /ykt-hub ready: (\S+)/);
  const gatewayUrl = (await run.matched)[1]!;

  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ holderByCard(cardNumber: "L00100718") { name cards { cardNumber kind status } } }' }),
  });
  const body = (await res.json()) as any;
  expect(body.data.holderByCard.name).toBe('吴英玲');
  expect(body.data.holderByCard.cards.length).toBeGreaterThan(0);

  await interrupt(run.child, run.exited);
  await expect(fetch(gatewayUrl, { method: 'POST' })).rejects.toThrow();
}, 120_000);

it('runs one subgraph alone with npm run subgraph -- hr, as a department would', async () => {
  const env = cliEnv();
  const seeded = npmRun(['run', 'seed', '--', '--holders', '25'], env, /hr: 25 \/ 25 holders|already present/);
  await seeded.matched;
  expect(await seeded.exited).toBe(0);

  const run = npmRun(['run', 'subgraph', '--', 'hr'], env, /subgraph hr on (\S+) \((\w+)\)/);
  const [, url, driver] = await run.matched;
  expect(driver).toBe(database!.config.kind);
  const res = await fetch(url!, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ card(cardNumber: "L00100718") { status holder { name } } }' }),
  });
  expect(((await res.json()) as any).data.card).toEqual({ status: 'ACTIVE', holder: { name: '吴英玲' } });
  await interrupt(run.child, run.exited);
}, 120_000);

it('names the variable when configuration is wrong', async () => {
  const run = npmRun(['start'], { ...cliEnv(), DATABASE_URL: 'mysql://nowhere' }, /$^/);
  run.matched.catch(() => {});
  expect(await run.exited).toBe(1);
  expect(run.output()).toContain('Configuration error in DATABASE_URL: expected a postgres: or postgresql: URL');
}, 60_000);
