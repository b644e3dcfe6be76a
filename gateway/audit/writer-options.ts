// The audit writer's settings, its account and its interface (writer.ts).
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
  /** Where write records the store refuses are spooled (spool.ts); unset, they are lost (tests of the writer alone). */
  spoolDir?: string;
  /** How often (ms) spooled records are replayed while any wait. Default: 5000. */
  replayIntervalMs?: number;
}

export interface AuditWriterStats {
  /** Records committed. */
  records: number;
  /** INSERT statements that committed (one per batch). */
  batches: number;
  /** Batches whose INSERT failed (their records were refused to their waiters). */
  failedBatches: number;
  /** Write records spooled to disk. */
  spooled: number;
  /** Spooled records replayed onto the chain (not counting those found stored already). */
  replayed: number;
}

export interface AuditWriter {
  /** This writer's chain in gateway.audit_records. */
  readonly chainId: string;
  /** Resolves once the record is committed; rejects with AuditUnavailableError when it cannot be. */
  append(record: AuditRecord): Promise<void>;
  /**
   * A mutation's intent, before it runs: appended to the spool and fsync'd (nothing without a spool). Its outcome
   * record, given to `append`, supersedes it; should the gateway stop first, the intent is replayed as a record whose
   * outcome is UNKNOWN. Rejects with AuditUnavailableError when it cannot be written: the mutation must not run.
   */
  intend(intent: AuditRecord): Promise<void>;
  readonly stats: Readonly<AuditWriterStats>;
  /** Replays spooled records now (after what is queued); resolves when done, failed or not. */
  replaySpool(): Promise<void>;
  /** Writes what is queued, then refuses further records. */
  close(): Promise<void>;
}

/** The audit store could not take a record: the response that waits for it must not carry holder data. */
export class AuditUnavailableError extends Error {
  override name = 'AuditUnavailableError';
  constructor(
    message: string,
    options?: ErrorOptions,
    /** The record is on local disk and will be replayed onto the chain. */
    readonly spooled = false,
  ) {
    super(message, options);
  }
}

export const DEFAULTS = {
  maxBatchSize: 500,
  maxDelayMs: 2,
  partitionMonths: 3,
  maxWaitMs: 5_000,
  replayIntervalMs: 5_000,
};
/**
 * A batch is one parameter, and PostgreSQL takes a value of at most 1 GB: records' variables are bounded (64 KiB,
 * record.ts) but their access lists are not, so batches are kept well short of it.
 */
export const MAX_BATCH_SIZE = 2_000;
