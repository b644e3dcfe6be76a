// `npm run violations:export -- --out <file.ndjson> --cursor <cursor-file>`: appends the public credit feed's records
// written since the last run (subgraphs/hr/violations.ts, `creditFeed`: what credit platforms publish, a person's ID
// number masked, no phone) to the NDJSON file, one record a line, and saves the position reached in the cursor file.
// The feed's positions follow commit order, so a run never skips a record a later commit could slip in before. The
// cursor is saved after the lines are flushed; should a run die between the two, the next one starts after the last
// line the file holds, so nothing is repeated either. Opens hr's database (HR_DATABASE_URL, else DATABASE_URL, else
// the embedded PGlite in PGLITE_DATA_DIR: stop the hub first, a PGlite folder serves one process at a time).
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { parseArgs } from 'node:util';
import { readDatabaseConfig } from '../core/config.js';
import { openDatabase } from '../core/database.js';
import { runMain, UsageError } from '../core/process.js';
import { creditFeed, exportLine, MAX_FEED_PAGE, readFeedCursor } from '../subgraphs/hr/violations.js';
import { migrateStoreOf } from './databases.js';

const USAGE = 'usage: npm run violations:export -- --out <file.ndjson> --cursor <cursor-file>';

/** The position of the file's last whole line, 0 for none: where a run that died before saving its cursor got to. */
function lastExported(out: string): number {
  if (!existsSync(out)) return 0;
  const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  const last = lines.at(-1);
  if (!last) return 0;
  const position = Number((JSON.parse(last) as { position?: string }).position);
  return Number.isSafeInteger(position) ? position : 0;
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
  const saved = existsSync(values.cursor) ? readFileSync(values.cursor, 'utf8').trim() : '';
  let after = Math.max(readFeedCursor(saved), lastExported(values.out));
  const database = await openDatabase(readDatabaseConfig('hr'));
  let exported = 0;
  try {
    await migrateStoreOf('hr', database);
    const fd = openSync(values.out, 'a');
    try {
      for (;;) {
        const records = await creditFeed(database.db, after, MAX_FEED_PAGE);
        if (records.length === 0) break;
        writeSync(fd, records.map((r) => `${exportLine(r)}\n`).join(''));
        fsyncSync(fd);
        after = Number(records.at(-1)!.position);
        saveCursor(values.cursor, after);
        exported += records.length;
      }
    } finally {
      closeSync(fd);
    }
    saveCursor(values.cursor, after);
  } finally {
    await database.close();
  }
  console.log(`exported ${exported} violation record(s) to ${values.out}; cursor ${after} saved in ${values.cursor}`);
});
