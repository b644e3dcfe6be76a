// The public credit feed's order on PostgreSQL, where writers run in parallel: a write in flight holds the feed's
// lock until it commits, so none commits out of order; and `npm run violations:export` run as a real process, each
// run appending what is new, none twice, none skipped. Both skip on embedded PGlite: it has one connection (its
// transactions run one at a time), and the CLI cannot open the test hub's in-memory database from another process.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { describe, expect } from 'vitest';
import { hubTest } from '../support/fixtures.js';
import { registerHolder } from '../support/hr.js';
import { CREDIT_CODE, input, readFeed, RECORD } from '../support/violations.js';

const it = hubTest();
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const postgresOnly = it.skipIf(!process.env.DATABASE_URL);

describe('the public credit feed', () => {
  // A writer in flight holds the feed's lock until it commits: the next writer waits for it (PostgreSQL; embedded
  // PGlite has one connection, so its transactions run one at a time anyway).
  postgresOnly('queues a write behind one in flight, so none commits out of order', async ({ hub }) => {
    const config = hub.testDatabase.config;
    if (config.kind !== 'postgres') throw new Error('PostgreSQL only');
    const holder = await registerHolder(hub);
    const { after } = await readFeed(hub, null, 500);
    const client = postgres(config.url, { max: 1, onnotice: () => {} });
    let release = () => {};
    try {
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const lockTaken = new Promise<void>((resolve) => (locked = resolve));
      const inFlight = client.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtext('ykt-hub:hr.violations-feed'))`;
        locked();
        await held;
      });
      await lockTaken;
      let done = false;
      const write = hub.ok(RECORD, { input: input({ holder: { id: holder.id } }) }).finally(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(done).toBe(false);
      expect((await readFeed(hub, after)).items).toEqual([]);
      release();
      await inFlight;
      const { recordViolation } = await write;
      expect((await readFeed(hub, after)).items.map((i) => i.violationId)).toEqual([recordViolation.id]);
    } finally {
      release();
      await client.end();
    }
  });
});

describe('npm run violations:export', () => {
  postgresOnly('appends each run’s new records, none twice, none skipped', async ({ hub }) => {
    const config = hub.testDatabase.config;
    if (config.kind !== 'postgres') throw new Error('PostgreSQL only');
    const dir = mkdtempSync(path.join(tmpdir(), 'ykt-violations-'));
    const out = path.join(dir, 'feed.ndjson');
    const cursor = path.join(dir, 'cursor');
    const run = () =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'hub/violations-export.ts', '--out', out, '--cursor', cursor],
        { cwd: ROOT, env: { ...process.env, HR_DATABASE_URL: config.url } },
      );
    try {
      const holder = await registerHolder(hub);
      await hub.ok(RECORD, { input: input({ holder: { id: holder.id } }) });
      await hub.ok(RECORD, {
        input: input({ organisation: { name: '广州市导出测试有限公司', creditCode: CREDIT_CODE } }),
      });
      const written = (await readFeed(hub, null, 500)).items.length;
      expect((await run()).stdout).toMatch(new RegExp(`exported ${written} violation record`));
      const firstRun = readFileSync(out, 'utf8').split('\n').filter(Boolean).length;
      const added = await Promise.all(
        [0, 1, 2].map(() => hub.ok(RECORD, { input: input({ holder: { id: holder.id } }) })),
      );
      const { stdout } = await run();
      expect(stdout).toMatch(/exported 3 violation record/);
      expect((await run()).stdout).toMatch(/exported 0 violation record/);
      const lines = readFileSync(out, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      expect(lines.length).toBe(firstRun + 3);
      const { items } = await readFeed(hub, null, 500);
      expect(lines.map((l) => l.position)).toEqual(items.map((i) => i.position));
      expect(
        lines
          .slice(-3)
          .map((l) => l.violationId)
          .sort(),
      ).toEqual(added.map((a) => a.recordViolation.id).sort());
      expect(readFileSync(cursor, 'utf8').trim()).toBe(items.at(-1).position);
      expect(lines[firstRun - 2]).toMatchObject({
        subjectKind: 'PERSON',
        maskedIdNumber: `${holder.idNumber.slice(0, 6)}********${holder.idNumber.slice(-4)}`,
      });
      expect(lines[firstRun - 1]).toMatchObject({
        subjectKind: 'ORGANISATION',
        creditCode: CREDIT_CODE,
        maskedIdNumber: null,
      });
      const text = JSON.stringify(lines);
      expect(text).not.toContain(holder.idNumber);
      expect(text).not.toContain('13800138000');
      expect(text).not.toContain('holderId');

      // A run that died mid-write left a torn line and no cursor: the next cuts it off and writes the record whole.
      const whole = readFileSync(out, 'utf8');
      const lastLine = whole.trimEnd().split('\n').at(-1)!;
      writeFileSync(out, whole.slice(0, whole.length - lastLine.length - 1) + lastLine.slice(0, 40));
      writeFileSync(cursor, `${lines.at(-2).position}\n`);
      expect((await run()).stdout).toMatch(/exported 1 violation record/);
      const after = readFileSync(out, 'utf8').split('\n').filter(Boolean);
      expect(after.map((l) => JSON.parse(l).position)).toEqual(items.map((i) => i.position));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
