// Verification of the audit trail: each chain walked in seq order, every hash recomputed from the stored row
// (chain.ts), every link checked against the one before it. The first broken link of each chain is named: its chain,
// its seq and what is wrong. Each run is recorded in gateway.audit_verifications with the last verified position of
// every chain, and the next run checks that position still holds: records cut from a chain's end after one
// verification are found by the next (before any verification they cannot be told from a chain that stopped there).
// The chains walked are those registered in gateway.audit_chains, those found in the records, and those the latest
// verification named: a chain verified once whose rows (and registration) are gone since is "chain missing", one cut
// short "truncated". Records on a chain never registered (a writer registers its chain before its first record) are
// named too. The furthest position ever verified is carried forward in every run's record, so a break stays named
// until it is repaired.
import { and, asc, desc, eq, gt, or } from 'drizzle-orm';
import type { Db } from '../../core/database.js';
import { auditChains, auditRecords, auditVerifications, type AuditRecordRow } from '../../store/tables.js';
import { GENESIS_HASH, linkHash } from './chain.js';

export type BreakKind =
  /** The row's content does not give its hash: the row was changed. */
  | 'hash mismatch'
  /** The row's prev_hash is not the hash of the row before it: a row was replaced, with its hash recomputed. */
  | 'prev hash mismatch'
  /** The seq expected next is absent: a row was removed (or, at the end, rows cut after the last verification). */
  | 'missing seq'
  /** A seq appears twice: the chain forked. */
  | 'duplicate seq'
  /** A chain verified before has no records now: the whole chain was removed. */
  | 'chain missing'
  /** A chain ends before the position verified before: its last records were cut. */
  | 'truncated'
  /** Records on a chain no writer registered in gateway.audit_chains: they were inserted from outside the hub. */
  | 'unregistered chain'
  /** The row at the last verified position no longer has the hash verified then: the chain was rewritten. */
  | 'differs from last verification';

export interface ChainBreak {
  chainId: string;
  seq: number;
  what: BreakKind;
}

export interface ChainStatus {
  chainId: string;
  /** Rows walked, up to the first break. */
  records: number;
  /** The last seq verified (before the first break), 0 for none. */
  lastSeq: number;
  lastHash: string;
  ok: boolean;
  break: ChainBreak | null;
  /**
   * The furthest position verified so far (this run's, or an earlier one this run fell short of): what every later
   * run must find again.
   */
  verified: Position;
}

export interface VerificationReport {
  verifiedAt: Date;
  ok: boolean;
  chains: ChainStatus[];
  /** The first break found, chains taken in the order they started. */
  firstBreak: ChainBreak | null;
}

export interface VerifyOptions {
  /** Store the result in gateway.audit_verifications. Default: true. */
  record?: boolean;
  /** Rows read per query while walking a chain. Default: 1,000. */
  pageSize?: number;
}

export const describeBreak = (b: ChainBreak) => `chain ${b.chainId} seq ${b.seq}: ${b.what}`;

export type Position = { lastSeq: number; lastHash: string };

/** Each chain's last verified position, as the latest verification recorded it. */
async function lastVerifiedPositions(db: Db): Promise<Map<string, Position>> {
  const [last] = await db
    .select({ chains: auditVerifications.chains })
    .from(auditVerifications)
    .orderBy(desc(auditVerifications.id))
    .limit(1);
  const positions = new Map<string, Position>();
  if (!last || !Array.isArray(last.chains)) return positions;
  for (const chain of last.chains as ({
    chainId?: unknown;
    lastSeq?: unknown;
    lastHash?: unknown;
    verifiedSeq?: unknown;
    verifiedHash?: unknown;
  } | null)[]) {
    if (typeof chain?.chainId !== 'string') continue;
    // The position carried forward (verifiedSeq), else (a run recorded before it was kept) the last verified seq.
    const [seq, hash] =
      typeof chain.verifiedSeq === 'number' ? [chain.verifiedSeq, chain.verifiedHash] : [chain.lastSeq, chain.lastHash];
    if (typeof seq === 'number' && typeof hash === 'string' && seq > 0)
      positions.set(chain.chainId, { lastSeq: seq, lastHash: hash });
  }
  return positions;
}

/**
 * Every chain: those registered (in start order), then any found in the records alone, then any the latest
 * verification named that neither holds any more. `registered` says which are in gateway.audit_chains.
 */
async function chainIds(db: Db, positions: Map<string, Position>): Promise<{ ids: string[]; registered: Set<string> }> {
  // Records first: a writer registers its chain before writing to it, so a chain found here, even one started
  // meanwhile, is registered by the time the registrations are read.
  const found = await db
    .selectDistinct({ chainId: auditRecords.chainId })
    .from(auditRecords)
    .orderBy(asc(auditRecords.chainId));
  const rows = await db
    .select({ chainId: auditChains.chainId })
    .from(auditChains)
    .orderBy(asc(auditChains.startedAt), asc(auditChains.chainId));
  const ids = rows.map((r) => r.chainId);
  const registered = new Set(ids);
  const known = new Set(ids);
  for (const chainId of [...found.map((f) => f.chainId), ...positions.keys()]) {
    if (known.has(chainId)) continue;
    known.add(chainId);
    ids.push(chainId);
  }
  return { ids, registered };
}

async function walkChain(
  db: Db,
  chainId: string,
  registered: boolean,
  verified: Position | undefined,
  pageSize: number,
): Promise<ChainStatus> {
  const status: ChainStatus = {
    chainId,
    records: 0,
    lastSeq: 0,
    lastHash: GENESIS_HASH,
    ok: true,
    break: null,
    verified: verified ?? { lastSeq: 0, lastHash: GENESIS_HASH },
  };
  const broken = (seq: number, what: BreakKind) => {
    status.ok = false;
    status.break = { chainId, seq, what };
    return status;
  };
  if (!registered) {
    const [first] = await db
      .select({ seq: auditRecords.seq })
      .from(auditRecords)
      .where(eq(auditRecords.chainId, chainId))
      .orderBy(asc(auditRecords.seq))
      .limit(1);
    // Neither records nor a registration: a chain verified before, wholly removed since.
    if (!first) return broken(1, 'chain missing');
    return broken(Number(first.seq), 'unregistered chain');
  }
  // Pages in key order (seq, then recorded_at), so a second row with a seq already walked (a fork) is read too.
  let after: { seq: number; recordedAt: Date } | null = null;
  for (;;) {
    const rows: AuditRecordRow[] = await db
      .select()
      .from(auditRecords)
      .where(
        and(
          eq(auditRecords.chainId, chainId),
          after
            ? or(
                gt(auditRecords.seq, after.seq),
                and(eq(auditRecords.seq, after.seq), gt(auditRecords.recordedAt, after.recordedAt)),
              )
            : undefined,
        ),
      )
      .orderBy(asc(auditRecords.seq), asc(auditRecords.recordedAt))
      .limit(pageSize);
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq === status.lastSeq) return broken(seq, 'duplicate seq');
      if (seq !== status.lastSeq + 1) return broken(status.lastSeq + 1, 'missing seq');
      if (row.prevHash !== status.lastHash) return broken(seq, 'prev hash mismatch');
      if (linkHash(row.prevHash, { ...row, seq }) !== row.hash) return broken(seq, 'hash mismatch');
      if (verified && seq === verified.lastSeq && row.hash !== verified.lastHash)
        return broken(seq, 'differs from last verification');
      status.records++;
      status.lastSeq = seq;
      status.lastHash = row.hash;
      if (seq > status.verified.lastSeq) status.verified = { lastSeq: seq, lastHash: row.hash };
      after = { seq, recordedAt: row.recordedAt };
    }
    if (rows.length < pageSize) break;
  }
  if (verified && status.lastSeq < verified.lastSeq)
    return broken(status.lastSeq + 1, status.lastSeq === 0 ? 'chain missing' : 'truncated');
  return status;
}

/** Walks every chain; records the result unless told not to. */
export async function verifyAuditChains(db: Db, options: VerifyOptions = {}): Promise<VerificationReport> {
  const pageSize = Math.max(1, options.pageSize ?? 1_000);
  const verifiedAt = new Date();
  const positions = await lastVerifiedPositions(db);
  const chains: ChainStatus[] = [];
  const { ids, registered } = await chainIds(db, positions);
  for (const chainId of ids)
    chains.push(await walkChain(db, chainId, registered.has(chainId), positions.get(chainId), pageSize));
  const firstBreak = chains.find((c) => c.break)?.break ?? null;
  const report: VerificationReport = { verifiedAt, ok: firstBreak === null, chains, firstBreak };
  if (options.record ?? true) {
    await db.insert(auditVerifications).values({
      verifiedAt,
      // verifiedSeq/verifiedHash: the furthest position ever verified, which the next run must find again.
      chains: chains.map(({ chainId, records, lastSeq, lastHash, ok, verified }) => ({
        chainId,
        records,
        lastSeq,
        lastHash,
        ok,
        verifiedSeq: verified.lastSeq,
        verifiedHash: verified.lastHash,
      })),
      ok: report.ok,
      firstBreak: firstBreak && describeBreak(firstBreak),
    });
  }
  return report;
}
