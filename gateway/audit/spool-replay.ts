// What the writer asks the database while replaying the spool (spool.ts, writer.ts): which spooled records are on
// the chain already (a batch that failed may in fact have committed; a replay cut short by a crash committed some),
// and whether a stopped gateway's chain belongs to this database at all (one spool folder may serve gateways of
// several databases, tests' included).
import { and, eq, gte, inArray, lte } from 'drizzle-orm';
import type { Db } from '../../core/database.js';
import { auditChains, auditRecords } from '../../store/tables.js';
import path from 'node:path';
import type { AuditRecord } from './record.js';
import { readSpoolFile, type AuditSpool } from './spool.js';

const LOOKUP_CHUNK = 500;
const DAY_MS = 24 * 60 * 60 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The records neither stored yet (by request id, within the records' time span: the table is partitioned by time)
 * nor in `seen` (records already taken in this replay); adds those it returns to `seen`. `laterMs` widens the span
 * after the records: an intent's outcome record, if stored, was made after it.
 */
export async function notYetStored(
  db: Db,
  records: readonly AuditRecord[],
  seen: Set<string>,
  laterMs = 0,
): Promise<AuditRecord[]> {
  const fresh: AuditRecord[] = [];
  for (const record of records) {
    if (seen.has(record.requestId)) continue;
    seen.add(record.requestId);
    fresh.push(record);
  }
  const stored = new Set<string>();
  for (let i = 0; i < fresh.length; i += LOOKUP_CHUNK) {
    const chunk = fresh.slice(i, i + LOOKUP_CHUNK);
    const times = chunk.map((r) => r.recordedAt.getTime());
    const rows = await db
      .select({ requestId: auditRecords.requestId })
      .from(auditRecords)
      .where(
        and(
          inArray(
            auditRecords.requestId,
            chunk.map((r) => r.requestId),
          ),
          gte(auditRecords.recordedAt, new Date(Math.min(...times))),
          lte(auditRecords.recordedAt, new Date(Math.max(...times) + laterMs)),
        ),
      );
    for (const row of rows) stored.add(row.requestId);
  }
  return fresh.filter((r) => !stored.has(r.requestId));
}

/** Whether a chain was registered in this database (by a gateway writing to it). */
export async function chainRegistered(db: Db, chainId: string): Promise<boolean> {
  if (!UUID.test(chainId)) return false;
  const rows = await db
    .select({ chainId: auditChains.chainId })
    .from(auditChains)
    .where(eq(auditChains.chainId, chainId))
    .limit(1);
  return rows.length > 0;
}

/** What this writer knows of its own intents: a mutation still running, one whose outcome is stored or spooled. */
export type IntentState = 'running' | 'settled' | 'abandoned' | undefined;

/**
 * Replays every spool file `spool` may take (its own chain's sealed segments, those of stopped gateways on this
 * database), in order, through `commit` (onto the writer's chain); each file is removed once its records are stored
 * (set aside as `.damaged` when a line of it was torn). A mutation's intent is dropped when its outcome record is in
 * the files or stored, else replayed as a record whose outcome is UNKNOWN; a file of this chain with an intent whose
 * mutation still runs (`intents`) waits, with the chain's later files, for the next pass.
 * `foreign` remembers chains found not to be this database's. Returns the records replayed.
 */
export async function replaySpoolFiles(
  db: Db,
  spool: AuditSpool,
  foreign: Set<string>,
  commit: (records: AuditRecord[]) => Promise<void>,
  intents: { state(requestId: string): IntentState; forget(requestId: string): void } = {
    state: () => undefined,
    forget: () => {},
  },
): Promise<number> {
  const claim = await spool.claim(async (chainId) => {
    if (foreign.has(chainId)) return false;
    const ours = await chainRegistered(db, chainId);
    if (!ours) foreign.add(chainId);
    return ours;
  });
  let replayed = 0;
  try {
    const seen = new Set<string>();
    const read = claim.files.map((file) => ({ file, ...readSpoolFile(file.path) }));
    const outcomes = new Set(read.flatMap((f) => f.records.map((r) => r.requestId)));
    let waiting = false;
    for (const { file, records, intents: started, torn } of read) {
      const own = file.chainId === spool.chainId;
      if (own && (waiting || started.some((r) => intents.state(r.requestId) === 'running'))) {
        waiting = true;
        continue;
      }
      const name = path.basename(file.path);
      const open = started.filter(
        (r) => !outcomes.has(r.requestId) && !(own && intents.state(r.requestId) === 'settled'),
      );
      const fresh = [...(await notYetStored(db, records, seen)), ...(await notYetStored(db, open, seen, DAY_MS))];
      await commit(fresh);
      replayed += fresh.length;
      if (torn > 0) {
        const aside = await spool.setAside(file);
        console.error(`audit spool: ${torn} line(s) of ${name} cut short; the file is kept as ${path.basename(aside)}`);
      } else await spool.remove(file);
      if (own) for (const r of started) intents.forget(r.requestId);
      if (fresh.length > 0 || records.length > 0)
        console.error(
          `audit spool: ${name} replayed (${fresh.length} record(s) onto chain ${spool.chainId}, ${records.length + open.length - fresh.length} stored already)`,
        );
    }
  } finally {
    await claim.release();
  }
  return replayed;
}
