// The audit writer: group commit onto one hash chain per gateway instance. Every response waits for its record to
// be committed (gateway/plugins/audit.ts), so records of concurrent requests are written together: the first record
// of a batch waits a few milliseconds for company, records arriving while a batch is being written go in the next
// one, and each batch is ONE multi-row INSERT (a statement is its own transaction). Every waiter of a batch is
// released when it commits, or rejected, all of them, when it fails.
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
import { desc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Db } from '../../core/database.js';
import { describeForLog } from '../../core/protocol/errors.js';
import { auditChains, auditRecords } from '../../store/tables.js';
import { chainLink, GENESIS_HASH } from './chain.js';
import type { AuditRecord } from './record.js';

export interface AuditWriterOptions {
  /** The most records one INSERT carries (at most 2,000); a batch this full is written at once. Default: 500. */
  maxBatchSize?: number;
  /**
   * How long (ms) the first record of an idle writer waits for others before its batch is written. Under load the
   * time a batch takes to commit sets the window instead. Default: 2.
   */
  maxDelayMs?: number;
  /** Names the writing process in gateway.audit_chains, for operators. Default: `<hostname>:<pid>`. */
  instance?: string;
  /**
   * Monthly partitions of gateway.audit_records made ready ahead, from the current month: at open and once a day
   * after. A record finding no partition lands in the DEFAULT one, never fails. Default: 3.
   */
  partitionMonths?: number;
  /**
   * How long (ms) a response waits for its record before it is told AUDIT_UNAVAILABLE: a store that hangs (a lock,
   * a lost connection) must not hold every answer with it. The record is still written when the store comes back.
   * Default: 5000.
   */
  maxWaitMs?: number;
}

export interface AuditWriterStats {
  /** Records committed. */
  records: number;
  /** INSERT statements that committed (one per batch). */
  batches: number;
  /** Batches whose INSERT failed (their records were refused to their waiters). */
  failedBatches: number;
}

export interface AuditWriter {
  /** This writer's chain in gateway.audit_records. */
  readonly chainId: string;
  /** Resolves once the record is committed; rejects with AuditUnavailableError when it cannot be. */
  append(record: AuditRecord): Promise<void>;
  readonly stats: Readonly<AuditWriterStats>;
  /** Writes what is queued, then refuses further records. */
  close(): Promise<void>;
}

/** The audit store could not take a record: the response that waits for it must not carry holder data. */
export class AuditUnavailableError extends Error {
  override name = 'AuditUnavailableError';
}

const DEFAULTS = { maxBatchSize: 500, maxDelayMs: 2, partitionMonths: 3, maxWaitMs: 5_000 };
/**
 * A batch is one parameter, and PostgreSQL takes a value of at most 1 GB: records' variables are bounded (64 KiB,
 * record.ts) but their access lists are not, so batches are kept well short of it.
 */
const MAX_BATCH_SIZE = 2_000;
const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

interface Waiter {
  record: AuditRecord;
  /** When the record was appended (ms since the epoch). */
  at: number;
  resolve(): void;
  reject(error: Error): void;
}

/** Registers a new chain and makes this month's partitions ready; throws if the audit store cannot be reached. */
export async function openAuditWriter(db: Db, options: AuditWriterOptions = {}): Promise<AuditWriter> {
  const settings = {
    maxBatchSize: Math.min(Math.max(1, options.maxBatchSize ?? DEFAULTS.maxBatchSize), MAX_BATCH_SIZE),
    maxDelayMs: Math.max(0, options.maxDelayMs ?? DEFAULTS.maxDelayMs),
    partitionMonths: Math.max(1, options.partitionMonths ?? DEFAULTS.partitionMonths),
    maxWaitMs: Math.max(1, options.maxWaitMs ?? DEFAULTS.maxWaitMs),
  };
  const writer = new GroupCommitWriter(db, randomUUID(), settings);
  await writer.ensurePartitions();
  await db.insert(auditChains).values({
    chainId: writer.chainId,
    startedAt: new Date(),
    instance: options.instance ?? `${hostname()}:${process.pid}`,
  });
  return writer;
}

/**
 * `insert into gateway.audit_records (…) select … from json_to_recordset($1::json) as r(…)`, every column read from
 * the row's member of the same name as the record's property (tables.ts), so the statement follows the table.
 */
function prepareInsert(db: Db) {
  const columns = Object.entries(getTableColumns(auditRecords));
  const selected = sql.join(
    columns.map(([key]) => sql`r.${sql.identifier(key)}`),
    sql`, `,
  );
  const shape = sql.join(
    columns.map(([key, column]) => sql`${sql.identifier(key)} ${sql.raw(column.getSQLType())}`),
    sql`, `,
  );
  return db
    .insert(auditRecords)
    .select(sql`select ${selected} from json_to_recordset(${sql.placeholder('rows')}::json) as r(${shape})`)
    .prepare('gateway_audit_records_insert');
}

class GroupCommitWriter implements AuditWriter {
  readonly stats: AuditWriterStats = { records: 0, batches: 0, failedBatches: 0 };
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

  constructor(
    private readonly db: Db,
    readonly chainId: string,
    private readonly settings: { maxBatchSize: number; maxDelayMs: number; partitionMonths: number; maxWaitMs: number },
  ) {
    this.insert = prepareInsert(db);
  }

  append(record: AuditRecord): Promise<void> {
    if (this.closed) return Promise.reject(new AuditUnavailableError('the audit writer is closed'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, at: Date.now(), resolve, reject });
      this.watchWaits();
      // While a batch is being written, the queue waits for it; the write loop takes it next.
      if (this.writing) return;
      if (this.queue.length >= this.settings.maxBatchSize) this.startWriting();
      else this.timer ??= setTimeout(() => this.startWriting(), this.settings.maxDelayMs);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.startWriting();
    while (this.writing) await this.writing;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
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
        const timedOut = new AuditUnavailableError('the audit store did not answer in time');
        for (const waiter of waiting) if (waiter.at < late) waiter.reject(timedOut);
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
    if (this.writing || this.queue.length === 0) return;
    this.writing = this.writeQueued().finally(() => {
      this.writing = undefined;
      // A record appended between the loop's last look at the queue and now saw a write under way and scheduled
      // nothing: it would wait for the next request (or for ever, on a quiet gateway).
      if (this.queue.length > 0) this.startWriting();
    });
  }

  private async writeQueued(): Promise<void> {
    while (this.queue.length > 0) await this.writeBatch(this.queue.splice(0, this.settings.maxBatchSize));
  }

  private async writeBatch(batch: Waiter[]): Promise<void> {
    this.inFlight = batch;
    try {
      if (this.tipUnknown) {
        this.tip = await this.readTip();
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
      for (let i = 0; i < batch.length; i++) {
        const prevHash = hash;
        const link = chainLink(prevHash, { ...batch[i]!.record, chainId: this.chainId, seq: ++seq });
        hash = link.hash;
        // The canonical content is a JSON object of the hashed columns; the row adds its two links.
        rows += `${i === 0 ? '' : ','}${link.content.slice(0, -1)},"prevHash":"${prevHash}","hash":"${hash}"}`;
      }
      await this.insert.execute({ rows: `${rows}]` });
      this.tip = { seq, hash };
      this.stats.records += batch.length;
      this.stats.batches++;
    } catch (error) {
      this.tipUnknown = true;
      this.stats.failedBatches++;
      // Never the error's message as it stands: drizzle's carries the parameters, masked variables or not.
      console.error(`audit: ${batch.length} record(s) could not be stored:`, describeForLog(error));
      const refusal = new AuditUnavailableError('the audit record could not be stored', { cause: error });
      for (const waiter of batch) waiter.reject(refusal);
      return;
    } finally {
      this.inFlight = [];
    }
    for (const waiter of batch) waiter.resolve();
  }

  /** The chain's last committed link, as the database has it. */
  private async readTip(): Promise<{ seq: number; hash: string }> {
    const [last] = await this.db
      .select({ seq: auditRecords.seq, hash: auditRecords.hash })
      .from(auditRecords)
      .where(eq(auditRecords.chainId, this.chainId))
      .orderBy(desc(auditRecords.seq))
      .limit(1);
    return last ? { seq: Number(last.seq), hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
  }
}
