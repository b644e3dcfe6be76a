// The audit writer: group commit onto one hash chain per gateway instance. Every response waits for its record to
// be committed (gateway/plugins/audit.ts), so records of concurrent requests are written together: the first record
// of a batch waits a few milliseconds for company, records arriving while a batch is being written go in the next
// one, and each batch is ONE multi-row INSERT (a statement is its own transaction). Every waiter of a batch is
// released when it commits, or rejected, all of them, when it fails.
//
// Nothing lost (spool.ts): a write's record (a mutation has run by then) that cannot be committed, its batch failed
// or the store did not answer in time, is spooled to local disk before its waiter is refused, and replayed onto this
// chain at start and every few seconds once the store answers again; a read's is not (its answer leaves without
// data, and the record is still written if its batch commits later).
//
// The chain: a new chain id each time a writer opens (registered in gateway.audit_chains), seq from 1, the first
// prev_hash 64 zeros, hash = sha256(prev_hash + canonical content) (chain.ts). Sequence numbers and hashes are given
// in the order batches are written, one batch at a time, so the chain has no fork. A batch that fails leaves no gap
// either: the next batch starts from the chain's tip as read back from the database (which is also right when a
// failed commit did in fact commit).
//
// A batch goes as one JSON parameter, the records' canonical texts as hashed (chain.ts) with their links, to one
// prepared INSERT … SELECT FROM json_to_recordset: the database stores the very text that was hashed, and no
// statement is built, parsed or planned per batch (drizzle's multi-row VALUES, 23 parameters a record, was
// unprepared, so every batch was described and then executed, two round trips).
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Db } from '../../core/database.js';
import { describeForLog } from '../../core/protocol/errors.js';
import { auditChains } from '../../store/tables.js';
import { chainLink, GENESIS_HASH } from './chain.js';
import type { AuditRecord } from './record.js';
import { AuditSpool, listSpool } from './spool.js';
import { replaySpoolFiles, type IntentState } from './spool-replay.js';
import { prepareInsert, readTip } from './writer-sql.js';
import {
  AuditUnavailableError,
  DEFAULTS,
  MAX_BATCH_SIZE,
  type AuditWriter,
  type AuditWriterOptions,
  type AuditWriterStats,
} from './writer-options.js';

export { AuditUnavailableError, type AuditWriter, type AuditWriterOptions, type AuditWriterStats };

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

interface Waiter {
  record: AuditRecord;
  /** When the record was appended (ms since the epoch). */
  at: number;
  resolve(): void;
  reject(error: Error): void;
  /** A write's record: spooled when it cannot be committed. */
  durable: boolean;
  spooled?: boolean;
  /** Refused for waiting too long (its record may still be committed). */
  expired?: boolean;
}

/** The spooled copy says what the client was told. */
const spooledCopy = (record: AuditRecord): AuditRecord =>
  record.errorCodes.includes('AUDIT_UNAVAILABLE')
    ? record
    : { ...record, errorCodes: [...record.errorCodes, 'AUDIT_UNAVAILABLE'] };

/** Registers a new chain and makes this month's partitions ready; throws if the audit store cannot be reached. */
export async function openAuditWriter(db: Db, options: AuditWriterOptions = {}): Promise<AuditWriter> {
  const settings = {
    maxBatchSize: Math.min(Math.max(1, options.maxBatchSize ?? DEFAULTS.maxBatchSize), MAX_BATCH_SIZE),
    maxDelayMs: Math.max(0, options.maxDelayMs ?? DEFAULTS.maxDelayMs),
    partitionMonths: Math.max(1, options.partitionMonths ?? DEFAULTS.partitionMonths),
    maxWaitMs: Math.max(1, options.maxWaitMs ?? DEFAULTS.maxWaitMs),
    replayIntervalMs: Math.max(10, options.replayIntervalMs ?? DEFAULTS.replayIntervalMs),
  };
  const writer = new GroupCommitWriter(db, randomUUID(), settings);
  await writer.ensurePartitions();
  await db.insert(auditChains).values({
    chainId: writer.chainId,
    startedAt: new Date(),
    instance: options.instance ?? `${hostname()}:${process.pid}`,
  });
  if (options.spoolDir) {
    await writer.openSpool(path.resolve(options.spoolDir));
    // What an earlier run left spooled goes onto the chain now, in the background.
    void writer.replaySpool();
  }
  return writer;
}

class GroupCommitWriter implements AuditWriter {
  readonly stats: AuditWriterStats = { records: 0, batches: 0, failedBatches: 0, spooled: 0, replayed: 0 };
  private queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  /** The batch being written. */
  private inFlight: Waiter[] = [];
  /** Runs while records wait, refusing those that waited longer than maxWaitMs. */
  private sweeper: NodeJS.Timeout | undefined;
  /** The last committed link. */
  private tip = { seq: 0, hash: GENESIS_HASH };
  /** After a failed batch the tip is read back before the next one. */
  private tipUnknown = false;
  private closed = false;
  private nextPartitionCheck = 0;
  private readonly insert: ReturnType<typeof prepareInsert>;
  private spool: AuditSpool | undefined;
  private replayTimer: NodeJS.Timeout | undefined;
  private replayRequested = false;
  private replayWaiters: (() => void)[] = [];
  private replayFailing = false;
  /** This chain's spooled intents, by request id, until their file is replayed (spool-replay.ts). */
  private readonly intents = new Map<string, IntentState>();
  /** Chains of spool files found not to be this database's: not asked about again. */
  private readonly foreignChains = new Set<string>();

  constructor(
    private readonly db: Db,
    readonly chainId: string,
    private readonly settings: {
      maxBatchSize: number;
      maxDelayMs: number;
      partitionMonths: number;
      maxWaitMs: number;
      replayIntervalMs: number;
    },
  ) {
    this.insert = prepareInsert(db);
  }

  async openSpool(dir: string): Promise<void> {
    this.spool = await AuditSpool.open(dir, this.chainId);
    this.replayTimer = setInterval(() => {
      if (listSpool(dir).some((f) => !this.foreignChains.has(f.chainId))) void this.replaySpool();
    }, this.settings.replayIntervalMs);
    this.replayTimer.unref();
  }

  replaySpool(): Promise<void> {
    if (!this.spool || this.closed) return Promise.resolve();
    this.replayRequested = true;
    const done = new Promise<void>((resolve) => this.replayWaiters.push(resolve));
    this.startWriting();
    return done;
  }

  async intend(intent: AuditRecord): Promise<void> {
    if (!this.spool || this.closed) return;
    this.intents.set(intent.requestId, 'running');
    try {
      await this.spool.append([intent], true);
    } catch (error) {
      this.intents.delete(intent.requestId);
      console.error("audit: a mutation's intent could not be spooled:", describeForLog(error));
      throw new AuditUnavailableError('the audit spool could not take the intent', { cause: error });
    }
  }

  append(record: AuditRecord): Promise<void> {
    const done = this.appendRecord(record);
    if (this.intents.get(record.requestId) === 'running') {
      // Stored, or spooled: the outcome supersedes the intent. Neither: the intent is replayed as UNKNOWN.
      done.then(
        () => this.intents.set(record.requestId, 'settled'),
        (error: unknown) =>
          this.intents.set(
            record.requestId,
            error instanceof AuditUnavailableError && error.spooled ? 'settled' : 'abandoned',
          ),
      );
    }
    return done;
  }

  private appendRecord(record: AuditRecord): Promise<void> {
    const durable = record.operationType === 'mutation';
    if (this.closed) {
      return new Promise<void>((resolve, reject) => {
        // A write finishing during shutdown: its record is spooled for the next start.
        void this.refuse([{ record, at: Date.now(), resolve, reject, durable }], 'the audit writer is closed');
      });
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, at: Date.now(), resolve, reject, durable });
      this.watchWaits();
      // While a batch is being written, the queue waits for it; the write loop takes it next.
      if (this.writing) return;
      if (this.queue.length >= this.settings.maxBatchSize) this.startWriting();
      else this.timer ??= setTimeout(() => this.startWriting(), this.settings.maxDelayMs);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.replayTimer);
    this.startWriting();
    while (this.writing) await this.writing;
    // Intents whose outcomes are stored are cleared now, so a clean stop leaves only what waits.
    if (this.spool?.hasOwnFiles()) await this.replay().catch(() => {});
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    // Records left spooled are any gateway's to replay once this chain's lock is given back.
    await this.spool?.close();
  }

  /**
   * Refuses waiters: writes' records are spooled first (once), so each waiter learns whether its record is safe.
   * Never rejects itself.
   */
  private async refuse(waiters: Waiter[], message: string, cause?: unknown): Promise<void> {
    const toSpool = waiters.filter((w) => w.durable && !w.spooled);
    if (this.spool && toSpool.length > 0) {
      try {
        await this.spool.append(toSpool.map((w) => spooledCopy(w.record)));
        for (const waiter of toSpool) waiter.spooled = true;
        this.stats.spooled += toSpool.length;
        console.error(
          `audit: ${toSpool.length} write record(s) spooled to ${this.spool.dir}, replayed when the store answers`,
        );
      } catch (error) {
        console.error(`audit: ${toSpool.length} write record(s) could not be spooled either:`, describeForLog(error));
      }
    }
    for (const waiter of waiters)
      waiter.reject(new AuditUnavailableError(message, cause === undefined ? undefined : { cause }, !!waiter.spooled));
  }

  /** One timer for all waiting records (not one per record): it stops when none wait. */
  private watchWaits(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(
      () => {
        const late = Date.now() - this.settings.maxWaitMs;
        const waiting = [...this.inFlight, ...this.queue];
        if (waiting.length === 0) {
          clearInterval(this.sweeper);
          this.sweeper = undefined;
          return;
        }
        // Rejecting twice, or resolving after, does nothing: the response has already left without data.
        const expired = waiting.filter((w) => w.at < late && !w.expired);
        if (expired.length === 0) return;
        for (const waiter of expired) waiter.expired = true;
        void this.refuse(expired, 'the audit store did not answer in time').then(() => {
          // A spooled write's record leaves the queue: the spool is its one way onto the chain. One already in a
          // batch may still commit; the replay finds it stored.
          if (expired.some((w) => w.spooled)) this.queue = this.queue.filter((w) => !w.spooled);
        });
      },
      Math.max(10, Math.floor(this.settings.maxWaitMs / 4)),
    );
    this.sweeper.unref();
  }

  /** `select gateway.ensure_audit_partitions(...)`: this month's partition and the next ones, as UTC months. */
  async ensurePartitions(): Promise<void> {
    await this.db.execute(
      sql`select gateway.ensure_audit_partitions((now() at time zone 'UTC')::date, ${this.settings.partitionMonths}::integer)`,
    );
    this.nextPartitionCheck = Date.now() + DAY_MS;
  }

  private startWriting(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing || (this.queue.length === 0 && !this.replayRequested)) return;
    this.writing = this.writeQueued().finally(() => {
      this.writing = undefined;
      // A record appended between the loop's last look at the queue and now saw a write under way and scheduled
      // nothing: it would wait for the next request (or for ever, on a quiet gateway).
      if (this.queue.length > 0) this.startWriting();
    });
  }

  private async writeQueued(): Promise<void> {
    while (this.queue.length > 0 || this.replayRequested) {
      if (!this.replayRequested) {
        await this.writeBatch(this.queue.splice(0, this.settings.maxBatchSize));
        continue;
      }
      this.replayRequested = false;
      const waiters = this.replayWaiters.splice(0);
      try {
        await this.replay();
        if (this.replayFailing) console.error('audit spool: replay works again');
        this.replayFailing = false;
      } catch (error) {
        this.tipUnknown = true;
        // Once per outage, not every few seconds.
        if (!this.replayFailing)
          console.error('audit spool: replay failed; retried every few seconds:', describeForLog(error));
        this.replayFailing = true;
      } finally {
        for (const done of waiters) done();
      }
    }
  }

  /** Every spool file this writer may replay, in order, onto this chain; each removed once its records are stored. */
  private async replay(): Promise<void> {
    if (!this.spool) return;
    this.stats.replayed += await replaySpoolFiles(
      this.db,
      this.spool,
      this.foreignChains,
      async (records) => {
        for (let i = 0; i < records.length; i += this.settings.maxBatchSize)
          await this.commit(records.slice(i, i + this.settings.maxBatchSize));
      },
      { state: (id) => this.intents.get(id), forget: (id) => this.intents.delete(id) },
    );
  }

  private async writeBatch(batch: Waiter[]): Promise<void> {
    this.inFlight = batch;
    try {
      await this.commit(batch.map((w) => w.record));
    } catch (error) {
      this.stats.failedBatches++;
      // Never the error's message as it stands: drizzle's carries the parameters, masked variables or not.
      console.error(`audit: ${batch.length} record(s) could not be stored:`, describeForLog(error));
      await this.refuse(batch, 'the audit record could not be stored', error);
      return;
    } finally {
      this.inFlight = [];
    }
    for (const waiter of batch) waiter.resolve();
  }

  /** Links the records onto the chain's tip and inserts them in one statement; throws (tip unknown) if it fails. */
  private async commit(records: readonly AuditRecord[]): Promise<void> {
    try {
      if (this.tipUnknown) {
        this.tip = await readTip(this.db, this.chainId);
        this.tipUnknown = false;
      }
      if (Date.now() >= this.nextPartitionCheck) {
        // Not fatal: the DEFAULT partition takes what no monthly one does.
        await this.ensurePartitions().catch((error: unknown) => {
          this.nextPartitionCheck = Date.now() + HOUR_MS;
          console.error('audit: could not make partitions ready:', describeForLog(error));
        });
      }
      let { seq, hash } = this.tip;
      let rows = '[';
      for (let i = 0; i < records.length; i++) {
        const prevHash = hash;
        const link = chainLink(prevHash, { ...records[i]!, chainId: this.chainId, seq: ++seq });
        hash = link.hash;
        // The canonical content is a JSON object of the hashed columns; the row adds its two links.
        rows += `${i === 0 ? '' : ','}${link.content.slice(0, -1)},"prevHash":"${prevHash}","hash":"${hash}"}`;
      }
      await this.insert.execute({ rows: `${rows}]` });
      this.tip = { seq, hash };
      this.stats.records += records.length;
      this.stats.batches++;
    } catch (error) {
      this.tipUnknown = true;
      throw error;
    }
  }
}
