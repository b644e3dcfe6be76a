// The embedded data folder serves one process at a time (issue 12 §7): while `npm start` holds it, a second start,
// `npm run audit:verify`, `client`, `seed` and `migrate` are refused at once naming the holder, the hub keeps
// serving and its folder opens after it stops; a dead process's lock is taken over; a damaged folder says how to
// recover. Real processes, embedded whatever DATABASE_URL the suite runs with.
import { existsSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR, readDatabaseConfig } from '../../core/config.js';
import { readGatewayConfig } from '../../gateway/config.js';
import { readHubConfig } from '../../hub/config.js';
import { GATEWAY_STORE } from '../../store/migrations.js';
import { cleanUp, interrupt, newcomerEnv, runScript, runToEnd } from './newcomer-processes.js';

afterAll(cleanUp);

const REFUSAL =
  /The embedded database \S+ is in use by process (\d+) \(node --import tsx hub\/start-hub\.ts, since [^)]+\)/;

it('refuses every second process on a folder a running hub holds, before touching it', async () => {
  const env = newcomerEnv();
  const hub = runScript('start', [], env);
  const gatewayUrl = (await hub.waitFor(/ykt-hub ready: (\S+)/))[1]!;
  const files = readdirSync(env.PGLITE_DATA_DIR!).sort();

  for (const [script, args] of [
    ['start', []],
    ['gateway', []],
    ['audit:verify', []],
    ['client', ['list']],
    ['seed', []],
    ['migrate', []],
  ] as const) {
    const started = Date.now();
    const { code, output } = await runToEnd(script, [...args], env);
    expect(code, `${script}: ${output}`).not.toBe(0);
    const match = REFUSAL.exec(output);
    expect(match, `${script}: ${output}`).not.toBeNull();
    expect(Number(match![1])).toBe(hub.child.pid);
    expect(output).toContain('Stop that process first, or set DATABASE_URL');
    // One line, no stack, nothing migrated or seeded first.
    expect(output).not.toMatch(/\n\s+at |migrated|holders in/);
    expect(Date.now() - started).toBeLessThan(15_000);
  }
  expect(readdirSync(env.PGLITE_DATA_DIR!).sort()).toEqual(files);

  // The first hub still serves.
  expect((await fetch(new URL('/ready', gatewayUrl))).status).toBe(200);
  expect(await interrupt(hub)).toBe(0);

  // Stopped, its folder opens: the audit trail verifies, the lock and its owner file are gone.
  expect(existsSync(`${env.PGLITE_DATA_DIR}.lock`)).toBe(false);
  expect(existsSync(`${env.PGLITE_DATA_DIR}.lock.owner`)).toBe(false);
  const verify = await runToEnd('audit:verify', [], env);
  expect(verify.output).toMatch(/all \d+ chain\(s\) verify/);
  expect(verify.code).toBe(0);
}, 120_000);

it('never takes over a live owner: a stalled hub keeps its folder, a compromised lock is taken again', async () => {
  // A short staleness, so a stall past it takes seconds here (60 s by default).
  const env: NodeJS.ProcessEnv = { ...newcomerEnv(), PGLITE_LOCK_STALE_MS: '3000' };
  const lock = `${env.PGLITE_DATA_DIR}.lock`;
  const ownerFile = `${env.PGLITE_DATA_DIR}.lock.owner`;
  const hub = runScript('start', [], env);
  const gatewayUrl = (await hub.waitFor(/ykt-hub ready: (\S+)/))[1]!;
  const pid = hub.child.pid!;
  const ownerPid = () => (JSON.parse(readFileSync(ownerFile, 'utf8')) as { pid: number }).pid;
  const age = () => Date.now() - statSync(lock).mtimeMs;

  // Stalled past the threshold (SIGSTOP, as a long synchronous stretch or a sleeping laptop): its lock looks stale,
  // yet the owner is alive, so a second process is still refused.
  process.kill(-pid, 'SIGSTOP');
  try {
    await new Promise((r) => setTimeout(r, 3500));
    expect(age()).toBeGreaterThan(3000);
    const second = await runToEnd('audit:verify', [], env);
    expect(second.code, second.output).not.toBe(0);
    expect(Number(REFUSAL.exec(second.output)?.[1])).toBe(pid);
  } finally {
    process.kill(-pid, 'SIGCONT');
  }
  await expect.poll(age, { timeout: 5000 }).toBeLessThan(3000);
  expect(ownerPid()).toBe(pid);
  expect((await fetch(new URL('/ready', gatewayUrl))).status).toBe(200);

  // Its lock directory changed under it (what a takeover looks like to proper-lockfile): compromised, and taken
  // again at once instead of left unrefreshed for the next process to take.
  const past = new Date(Date.now() - 120_000);
  utimesSync(lock, past, past);
  await hub.waitFor(/data folder lock on \S+: .*; taken again/, 10_000);
  const retaken = statSync(lock).mtimeMs;
  await expect.poll(() => statSync(lock).mtimeMs, { timeout: 5000 }).toBeGreaterThan(retaken);
  expect(ownerPid()).toBe(pid);
  const third = await runToEnd('client', ['list'], env);
  expect(Number(REFUSAL.exec(third.output)?.[1]), third.output).toBe(pid);
  expect((await fetch(new URL('/ready', gatewayUrl))).status).toBe(200);

  // Another live process named as the owner: the folder is no longer the hub's alone, so it stops, in one line.
  const other = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    const owner = { pid: other.pid, host: hostname(), command: 'sleep 60', since: new Date().toISOString() };
    writeFileSync(ownerFile, JSON.stringify(owner));
    utimesSync(lock, past, past);
    expect(await hub.exited).toBe(1);
    expect(hub.output()).toContain(
      `lost its lock to process ${other.pid} (sleep 60, since ${owner.since}): stopping at once, since two processes on one PGlite folder corrupt it`,
    );
    expect(hub.output()).not.toMatch(/\n\s+at /);
  } finally {
    other.kill('SIGKILL');
  }
}, 120_000);

it('takes over the lock of a process that died holding it', async () => {
  const env = newcomerEnv();
  const seed = runScript('seed', ['--holders', '5000'], env);
  // Killed mid-seed: no clean-up ran, the lock and its owner file stay behind.
  await seed.waitFor(/hr: \d+ \/ 5000 holders|holders in/);
  process.kill(-seed.child.pid!, 'SIGKILL');
  await seed.exited;
  expect(existsSync(`${env.PGLITE_DATA_DIR}.lock.owner`)).toBe(true);

  const started = Date.now();
  const verify = await runToEnd('audit:verify', [], env);
  expect(verify.output).toMatch(/all \d+ chain\(s\) verify/);
  expect(verify.code).toBe(0);
  // At once, not after the lock's 60 s staleness.
  expect(Date.now() - started).toBeLessThan(20_000);
}, 120_000);

it('says how to recover a folder that does not open', async () => {
  const env = newcomerEnv();
  const migrated = await runToEnd('migrate', [], env);
  expect(migrated.code, migrated.output).toBe(0);
  // What an unclean stop beside a second process left in the issue: no valid checkpoint record.
  const wal = path.join(env.PGLITE_DATA_DIR!, 'pg_wal');
  for (const file of readdirSync(wal)) if (/^[0-9A-F]{24}$/.test(file)) rmSync(path.join(wal, file));

  for (const script of ['start', 'audit:verify']) {
    const { code, output } = await runToEnd(script, [], env);
    expect(code, output).not.toBe(0);
    expect(output).toContain(
      `The embedded database in ${env.PGLITE_DATA_DIR} does not open (PGlite: RuntimeError: Aborted()`,
    );
    expect(output).toContain(
      `Move it aside (mv ${env.PGLITE_DATA_DIR} ${env.PGLITE_DATA_DIR}.damaged) and run npm run seed`,
    );
    expect(output).not.toMatch(/\n\s+at /);
  }
  // And the lock is not left behind by the failed open.
  expect(existsSync(`${env.PGLITE_DATA_DIR}.lock`)).toBe(false);
}, 90_000);

it('has one default folder: npm start, npm run gateway, client and audit:verify open the same one', () => {
  const folder = { kind: 'pglite', dataDir: path.resolve(DEFAULT_DATA_DIR) };
  // What the hub, the standalone gateway and the two commands (readDatabaseConfig(GATEWAY_STORE)) read.
  expect(readHubConfig({}).database).toEqual(folder);
  expect(readGatewayConfig({}).database).toEqual(folder);
  expect(readDatabaseConfig(GATEWAY_STORE, {})).toEqual(folder);
});
