// `npm run violations:export -- --out <file.ndjson> --cursor <cursor-file>`: appends the public credit feed's records
// written since the last run (subgraphs/hr/violations.ts, `creditFeed`: what credit platforms publish, a person's ID
// number masked, no phone) to the NDJSON file, one record a line, and saves the position reached in the cursor file.
// The feed's positions follow commit order, so a run never skips a record a later commit could slip in before. The
// cursor is saved after the lines are flushed; should a run die between the two, the next one starts after the last
// line the file holds, so nothing is repeated either; a line torn by a crash mid-write is cut off first (it was not
// counted as exported, so it is written again whole). One run at a time per output file (`<file>.lock`): two runs
// reading the same cursor would both append. Opens hr's database (HR_DATABASE_URL, else DATABASE_URL, else
// the embedded PGlite in PGLITE_DATA_DIR: stop the hub first, a PGlite folder serves one process at a time).
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { parseArgs } from 'node:util';
import lockfile from 'proper-lockfile';
import { readDatabaseConfig } from '../core/config.js';
import { openDatabase } from '../core/database.js';
import { runMain, UsageError } from '../core/process.js';
import { creditFeed, exportLine, MAX_FEED_PAGE, readFeedCursor } from '../subgraphs/hr/violations.js';
import { migrateStoreOf } from './databases.js';

const USAGE = 'usage: npm run violations:export -- --out <file.ndjson> --cursor <cursor-file>';

/** A line is one record (a few hundred bytes): the last whole one lies within this much of the end. */
const TAIL_BYTES = 64 * 1024;

/**
 * The position of the file's last whole line, 0 for none: where a run that died before saving its cursor got to.
 * A torn last line (no newline: the run died mid-write) is cut off first. Only the tail is read: the file grows
 * with every run.
 */
function lastExported(fd: number): number {
  const size = fstatSync(fd).size;
  const start = Math.max(0, size - TAIL_BYTES);
  const tail = Buffer.alloc(size - start);
  readSync(fd, tail, 0, tail.length, start);
  // Bytes, not text: the tail may begin inside a character.
  const end = tail.lastIndexOf(0x0a);
  if (end + 1 < tail.length) ftruncateSync(fd, start + end + 1);
  if (end < 0) return 0;
  const last = tail.subarray((end > 0 ? tail.lastIndexOf(0x0a, end - 1) : -1) + 1, end).toString('utf8');
  if (!last) return 0;
  const position = Number((JSON.parse(last) as { position?: string }).position);
  return Number.isSafeInteger(position) ? position : 0;
}

/** Writes all of `text`: a write may take fewer bytes than asked (a full disk fails it instead). */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
}

function saveCursor(file: string, position: number): void {
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, `${position}\n`);
  renameSync(temporary, file);
}

runMain(async () => {
  const { values, positionals } = parseArgs({
    options: { out: { type: 'string' }, cursor: { type: 'string' } },
    allowPositionals: true,
  });
  if (!values.out || !values.cursor || positionals.length > 0) throw new UsageError(USAGE);
  const fd = openSync(values.out, 'a+');
  let release: (() => Promise<void>) | undefined;
  let exported = 0;
  let after = 0;
  try {
    release = await lockfile.lock(values.out, { realpath: false, stale: 60_000 }).catch((error: unknown) => {
      if ((error as { code?: string }).code === 'ELOCKED')
        throw new UsageError(`${values.out} is being exported to by another run (${values.out}.lock); wait for it`);
      throw error;
    });
    const saved = existsSync(values.cursor) ? readFileSync(values.cursor, 'utf8').trim() : '';
    after = Math.max(readFeedCursor(saved), lastExported(fd));
    const database = await openDatabase(readDatabaseConfig('hr'));
    try {
      await migrateStoreOf('hr', database);
      for (;;) {
        const records = await creditFeed(database.db, after, MAX_FEED_PAGE);
        if (records.length === 0) break;
        writeAll(fd, records.map((r) => `${exportLine(r)}\n`).join(''));
        fsyncSync(fd);
        after = Number(records.at(-1)!.position);
        saveCursor(values.cursor, after);
        exported += records.length;
      }
      saveCursor(values.cursor, after);
    } finally {
      await database.close();
    }
  } finally {
    await release?.();
    closeSync(fd);
  }
  console.log(`exported ${exported} violation record(s) to ${values.out}; cursor ${after} saved in ${values.cursor}`);
});
