// The audit spool: where a write's record goes when the audit store will not take it, so that no committed write is
// left without its record. A mutation has run by the time its record is written (the department committed it); when
// the record's batch fails, or the store does not answer in time, the record is appended to a local file and fsync'd
// before the client is told AUDIT_UNAVAILABLE, and the writer replays it onto its chain once the store answers again
// (writer.ts: at start, then every few seconds). Reads are not spooled: their answer leaves without data.
//
// One folder (AUDIT_SPOOL_DIR, `.data/audit-spool`) may serve several gateways on one machine: each spools into files
// of its own chain, `<chainId>.<segment>.jsonl` (one record per line), and holds a lock on its chain
// (proper-lockfile, `<chainId>.lock`) while it runs. A file whose chain's lock nobody holds is left by a process that
// stopped: any gateway on the same database (the chain is registered there) takes the lock and replays it.
// Replay seals the current segment first (later records go to the next one), so nothing appended meanwhile is
// removed unreplayed; a record is replayed once by request id, whatever a crash between commit and removal left.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import type { AuditRecord } from './record.js';

const FILE = /^([0-9a-f-]{36})\.(\d{6,})\.jsonl$/;
/** A lock not refreshed for this long belongs to a process that stopped. */
const STALE_MS = 10_000;

export interface SpoolFile {
  path: string;
  chainId: string;
  segment: number;
}

/** Every spool file of the folder, by chain then segment (the order they were written in). */
export function listSpool(dir: string): SpoolFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: SpoolFile[] = [];
  for (const name of names) {
    const match = FILE.exec(name);
    if (match) files.push({ path: path.join(dir, name), chainId: match[1]!, segment: Number(match[2]) });
  }
  return files.sort((a, b) => a.chainId.localeCompare(b.chainId) || a.segment - b.segment);
}

/** A spool line that is a mutation's intent (written before it runs), not an outcome record. */
const INTENT = '$intent';

/**
 * A file's outcome records and mutations' intents, in order; a line cut short (a crash while it was written, an
 * append that failed part-way) is skipped and counted.
 */
export function readSpoolFile(file: string): { records: AuditRecord[]; intents: AuditRecord[]; torn: number } {
  const records: AuditRecord[] = [];
  const intents: AuditRecord[] = [];
  let torn = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      const { [INTENT]: intent, ...parsed } = JSON.parse(line) as AuditRecord & { recordedAt: string; $intent?: true };
      (intent ? intents : records).push({ ...parsed, recordedAt: new Date(parsed.recordedAt) });
    } catch {
      torn++;
    }
  }
  return { records, intents, torn };
}

/**
 * What the folder holds, per chain: what `npm run audit:verify` reports as not yet on the chain. An intent counts
 * unless its outcome record is spooled too (it may also be stored: a gateway's replay drops it then).
 */
export function spoolContents(dir: string): { chainId: string; files: number; records: number }[] {
  const byChain = new Map<
    string,
    { chainId: string; files: number; records: number; intents: Set<string>; outcomes: Set<string> }
  >();
  for (const file of listSpool(dir)) {
    const entry = byChain.get(file.chainId) ?? {
      chainId: file.chainId,
      files: 0,
      records: 0,
      intents: new Set<string>(),
      outcomes: new Set<string>(),
    };
    entry.files++;
    const { records, intents } = readSpoolFile(file.path);
    entry.records += records.length;
    for (const r of records) entry.outcomes.add(r.requestId);
    for (const r of intents) entry.intents.add(r.requestId);
    byChain.set(file.chainId, entry);
  }
  return [...byChain.values()].map(({ chainId, files, records, intents, outcomes }) => ({
    chainId,
    files,
    records: records + [...intents].filter((id) => !outcomes.has(id)).length,
  }));
}

const syncDir = (dir: string) => {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

const lockOptions = (dir: string, chainId: string) => ({
  realpath: false,
  lockfilePath: path.join(dir, `${chainId}.lock`),
  stale: STALE_MS,
  onCompromised: (error: Error) => console.error(`audit spool: lock on chain ${chainId} lost:`, error.message),
});

export interface SpoolClaim {
  /** Files to replay, in order: this chain's sealed segments, then those of stopped gateways' chains. */
  files: SpoolFile[];
  /** Gives back the other chains' locks. */
  release(): Promise<void>;
}

export class AuditSpool {
  private segment = 1;
  private pending: Promise<void> = Promise.resolve();
  private currentWritten = false;

  private constructor(
    readonly dir: string,
    readonly chainId: string,
    private readonly unlock: () => Promise<void>,
  ) {}

  /** Makes the folder (owner only) and takes this chain's lock. */
  static async open(dir: string, chainId: string): Promise<AuditSpool> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const unlock = await lockfile.lock(path.join(dir, chainId), lockOptions(dir, chainId));
    return new AuditSpool(dir, chainId, unlock);
  }

  private fileOf(segment: number): string {
    return path.join(this.dir, `${this.chainId}.${String(segment).padStart(6, '0')}.jsonl`);
  }

  /** Appends the records and fsyncs them (the folder too, for a new file); resolves once they are on disk. */
  append(records: readonly AuditRecord[], intent = false): Promise<void> {
    const lines = records.map((r) => `${JSON.stringify(intent ? { ...r, [INTENT]: true } : r)}\n`).join('');
    const written = this.pending.then(async () => {
      const file = this.fileOf(this.segment);
      const created = !this.currentWritten;
      const handle = await open(file, 'a', 0o600);
      const { size } = await handle.stat();
      try {
        await handle.writeFile(lines, 'utf8');
        await handle.sync();
      } catch (error) {
        // A line written part-way (ENOSPC, EIO) is cut off again, so the next append does not glue onto it.
        await handle.truncate(size).catch(() => {});
        throw error;
      } finally {
        await handle.close();
      }
      if (created) syncDir(this.dir);
      this.currentWritten = true;
    });
    // The next append waits for this one, failed or not.
    this.pending = written.catch(() => {});
    return written;
  }

  /**
   * Seals this chain's current segment (appends after go to the next one) and takes the lock of every other chain
   * whose files no running gateway holds and that `ours` says belongs to this database.
   */
  async claim(ours: (chainId: string) => Promise<boolean>): Promise<SpoolClaim> {
    await this.pending;
    if (this.currentWritten) {
      this.segment++;
      this.currentWritten = false;
    }
    const current = this.fileOf(this.segment);
    const files: SpoolFile[] = [];
    const others: SpoolFile[] = [];
    for (const file of listSpool(this.dir)) {
      if (file.chainId === this.chainId) {
        if (file.path !== current) files.push(file);
      } else others.push(file);
    }
    const releases: (() => Promise<void>)[] = [];
    for (const chainId of new Set(others.map((f) => f.chainId))) {
      if (!(await ours(chainId))) continue;
      try {
        releases.push(await lockfile.lock(path.join(this.dir, chainId), lockOptions(this.dir, chainId)));
      } catch {
        continue; // held by a running gateway: it replays its own
      }
      files.push(...others.filter((f) => f.chainId === chainId));
    }
    return { files, release: async () => void (await Promise.all(releases.map((r) => r().catch(() => {})))) };
  }

  /** Removes a replayed file, durably. */
  async remove(file: SpoolFile): Promise<void> {
    await unlink(file.path);
    syncDir(this.dir);
  }

  /** Sets a replayed file with torn lines aside as `<name>.damaged`, for an operator to read, instead of removing it. */
  async setAside(file: SpoolFile): Promise<string> {
    const aside = `${file.path}.damaged`;
    await rename(file.path, aside);
    syncDir(this.dir);
    return aside;
  }

  /** Whether this chain has records on disk (sealed or not). */
  hasOwnFiles(): boolean {
    return this.currentWritten || listSpool(this.dir).some((f) => f.chainId === this.chainId);
  }

  /** Gives back this chain's lock: its files, if any are left, are then any gateway's to replay. */
  async close(): Promise<void> {
    await this.pending;
    await this.unlock().catch(() => {});
  }
}
