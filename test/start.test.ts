// `npm start` as a newcomer runs it: the hub comes up seeded, answers the README's query, and Ctrl-C leaves
// no process behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';

let child: ChildProcess | undefined;
let dataDir: string | undefined;
let database: TestDatabase | undefined;

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(async () => {
  if (child?.pid && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
  await database?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('serves the seeded hub on npm start and stops every process on Ctrl-C', async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'ykt-start-'));
  database = await createTestDatabase();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GATEWAY_PORT: '0',
    HR_PORT: '0',
    SEED_HOLDERS: '30',
    PGLITE_DATA_DIR: dataDir,
  };
  if (database.config.kind === 'postgres') env.DATABASE_URL = database.config.url;
  // Its own process group, as a terminal gives a foreground job: Ctrl-C signals the whole group.
  child = spawn('npm', ['start'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  const gatewayUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 90 s:\n${output}`)), 90_000);
    child!.stdout!.on('data', (d) => {
      output += d;
      const match = /ykt-hub ready: (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child!.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });

  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ holderByCard(cardNumber: "L00100718") { name cards { cardNumber kind status } } }' }),
  });
  const body = (await res.json()) as any;
  expect(body.data.holderByCard.name).toBe('吴英玲');
  expect(body.data.holderByCard.cards.length).toBeGreaterThan(0);

  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  process.kill(-child.pid!, 'SIGINT');
  await exited;
  // Every process of the group is gone, and nothing listens any more.
  for (let i = 0; i < 50 && groupAlive(child.pid!); i++) await new Promise((r) => setTimeout(r, 100));
  expect(groupAlive(child.pid!)).toBe(false);
  await expect(fetch(gatewayUrl, { method: 'POST' })).rejects.toThrow();
}, 120_000);
