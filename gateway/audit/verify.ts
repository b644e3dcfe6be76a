// Verification of the audit trail: each chain walked in seq order, every hash recomputed from the stored row
// (chain.ts), every link checked against the one before it. The first broken link of each chain is named: its chain,
// its seq and what is wrong. Each run is recorded in gateway.audit_verifications with the last verified position of
// every chain, and the next run checks that position still holds: records cut from a chain's end after one
// verification are found by the next (before any verification they cannot be told from a chain that stopped there).
import { and, asc, desc, eq, gt, or } from 'drizzle-orm';
import type { Db } from '../../subgraphs/shared/database.js';
import { auditChains, auditRecords, auditVerifications, type AuditRecordRow } from '../tables.js';
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

type Position = { lastSeq: number; lastHash: string };

/** Each chain's last verified position, as the latest verification recorded it. */
async function lastVerifiedPositions(db: Db): Promise<Map<string, Position>> {
  const [last] = await db.select({ chains: auditVerifications.chains }).from(auditVerifications).orderBy(desc(auditVerifications.id)).limit(1);
  const positions = new Map<string, Position>();
  if (!last || !Array.isArray(last.chains)) return positions;
  for (const chain of last.chains as Partial<ChainStatus>[]) {
    // A chain broken then is reported again by the walk; its position before the break still counts.
    if (typeof chain.chainId === 'string' && typeof chain.lastSeq === 'number' && typeof chain.lastHash === 'string' && chain.lastSeq > 0) {
      positions.set(chain.chainId, { lastSeq: chain.lastSeq, lastHash: chain.lastHash });
    }
  }
  return positions;
}

/** Every chain: those registered (in start order), then any found in the records alone. */
async function chainIds(db: Db): Promise<string[]> {
  const registered = await db.select({ chainId: auditChains.chainId }).from(auditChains).orderBy(asc(auditChains.startedAt), asc(auditChains.chainId));
  const found = await db.selectDistinct({ chainId: auditRecords.chainId }).from(auditRecords).orderBy(asc(auditRecords.chainId));
  const ids = registered.map((r) => r.chainId);
  const known = new Set(ids);
  for (const { chainId } of found) if (!known.has(chainId)) ids.push(chainId);
  return ids;
}

async function walkChain(db: Db, chainId: string, verified: Position | undefined, pageSize: number): Promise<ChainStatus> {
  const status: ChainStatus = { chainId, records: 0, lastSeq: 0, lastHash: GENESIS_HASH, ok: true, break: null };
  const broken = (seq: number, what: BreakKind) => {
    status.ok = false;
    status.break = { chainId, seq, what };
    return status;
  };
  // Pages in key order (seq, then recorded_at), so a second row with a seq already walked (a fork) is read too.
  let after: { seq: number; recordedAt: Date } | null = null;
  for (;;) {
    const rows: AuditRecordRow[] = await db
      .select()
      .from(auditRecords)
      .where(and(
        eq(auditRecords.chainId, chainId),
        after ? or(gt(auditRecords.seq, after.seq), and(eq(auditRecords.seq, after.seq), gt(auditRecords.recordedAt, after.recordedAt))) : undefined,
      ))
      .orderBy(asc(auditRecords.seq), asc(auditRecords.recordedAt))
      .limit(pageSize);
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq === status.lastSeq) return broken(seq, 'duplicate seq');
      if (seq !== status.lastSeq + 1) return broken(status.lastSeq + 1, 'missing seq');
      if (row.prevHash !== status.lastHash) return broken(seq, 'prev hash mismatch');
      if (linkHash(row.prevHash, { ...row, seq }) !== row.hash) return broken(seq, 'hash mismatch');
      if (verified && seq === verified.lastSeq && row.hash !== verified.lastHash) return broken(seq, 'differs from last verification');
      status.records++;
      status.lastSeq = seq;
      status.lastHash = row.hash;
      after = { seq, recordedAt: row.recordedAt };
    }
    if (rows.length < pageSize) break;
  }
  if (verified && status.lastSeq < verified.lastSeq) return broken(status.lastSeq + 1, 'missing seq');
  return status;
}

/** Walks every chain; records the result unless told not to. */
export async function verifyAuditChains(db: Db, options: VerifyOptions = {}): Promise<VerificationReport> {
  const pageSize = Math.max(1, options.pageSize ?? 1_000);
  const verifiedAt = new Date();
  const positions = await lastVerifiedPositions(db);
  const chains: ChainStatus[] = [];
  for (const chainId of await chainIds(db)) chains.push(await walkChain(db, chainId, positions.get(chainId), pageSize));
  const firstBreak = chains.find((c) => c.break)?.break ?? null;
  const report: VerificationReport = { verifiedAt, ok: firstBreak === null, chains, firstBreak };
  if (options.record ?? true) {
    await db.insert(auditVerifications).values({
      verifiedAt,
      chains: chains.map(({ chainId, records, lastSeq, lastHash, ok }) => ({ chainId, records, lastSeq, lastHash, ok })),
      ok: report.ok,
      firstBreak: firstBreak && describeBreak(firstBreak),
    });
  }
  return report;
}
