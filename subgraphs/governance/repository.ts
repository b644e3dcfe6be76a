// All of the governance subgraph's SQL: reads of the gateway's audit trail and client register (it writes only
// through the register's own command, store/clients/commands.ts). Times go to SQL as ISO strings cast to
// timestamptz (postgres.js binds no Date in raw SQL); hours are counted since the epoch, `floor(epoch / 3600)`,
// which are Guangdong's hours too (UTC+8 has no half hour).
import { and, asc, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../../core/database.js';
import type { Page } from '../kit/pagination.js';
import {
  auditChains,
  auditRecords as t,
  auditVerifications,
  clients,
  type AuditRecordRow,
  type AuditVerificationRow,
  type ClientRow,
} from './tables.js';

export const instant = (at: Date) => sql`${at.toISOString()}::timestamptz`;
const touches = (holderId: string) => sql`${t.holderIds} @> array[${holderId}::uuid]`;
export const within = (from: Date, to: Date) => and(gte(t.recordedAt, from), lt(t.recordedAt, to));

/**
 * An operation some policy refused something of: a field, the whole operation, or a holder (FORBIDDEN). Refusals
 * for other reasons (a persisted query the gateway has not seen, an invalid document) are ordinary client traffic.
 */
export const DENIAL = sql`(cardinality(${t.deniedCoordinates}) > 0 or 'FORBIDDEN' = any(${t.errorCodes}))`;

// ---- the register ----

export function findClients(db: Db, ids: readonly string[]): Promise<ClientRow[]> {
  return db
    .select()
    .from(clients)
    .where(inArray(clients.id, [...ids]));
}

// ---- the access log ----

export interface RecordFilter {
  holderId: string | null;
  clientId: string | null;
  purpose: string | null;
  coordinate: string | null;
}

/** Up to `page.limit + 1` records, newest first (the extra one tells whether there is a next page). */
export function pageRecords(db: Db, filter: RecordFilter, page: Page): Promise<AuditRecordRow[]> {
  return db
    .select()
    .from(t)
    .where(
      and(
        filter.holderId ? touches(filter.holderId) : undefined,
        filter.clientId ? eq(t.clientId, filter.clientId) : undefined,
        filter.purpose ? eq(t.purpose, filter.purpose) : undefined,
        filter.coordinate
          ? sql`(${t.coordinates} @> array[${filter.coordinate}]::text[] or ${t.deniedCoordinates} @> array[${filter.coordinate}]::text[])`
          : undefined,
        page.from ? gte(t.recordedAt, new Date(page.from)) : undefined,
        page.to ? lt(t.recordedAt, new Date(page.to)) : undefined,
        page.after
          ? sql`(${t.recordedAt}, ${t.requestId}) < (${page.after.at}::timestamptz, ${page.after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(t.recordedAt), desc(t.requestId))
    .limit(page.limit + 1);
}

// ---- one holder ----

export interface HolderAccessGroup {
  clientId: string;
  clientKind: string;
  clientCity: string | null;
  purpose: string;
  count: number;
  firstAt: Date;
  lastAt: Date;
}

/** The records that touched a holder, per client and purpose, the most recent first. */
export function holderAccessGroups(db: Db, holderId: string): Promise<HolderAccessGroup[]> {
  return db
    .select({
      clientId: t.clientId,
      // A client's kind and city do not change between its records; min() picks the one value.
      clientKind: sql<string>`min(${t.clientKind})`,
      clientCity: sql<string | null>`min(${t.clientCity})`,
      purpose: t.purpose,
      count: sql<number>`count(*)::int`.mapWith(Number),
      firstAt: sql<Date>`min(${t.recordedAt})`.mapWith(t.recordedAt),
      lastAt: sql<Date>`max(${t.recordedAt})`.mapWith(t.recordedAt),
    })
    .from(t)
    .where(touches(holderId))
    .groupBy(t.clientId, t.purpose)
    .orderBy(desc(sql`max(${t.recordedAt})`), asc(t.clientId), asc(t.purpose));
}

/** Each distinct coordinate served for the holder, per client and purpose (from each record's `access.holders`). */
export function holderAccessCoordinates(
  db: Db,
  holderId: string,
): Promise<{ client_id: string; purpose: string; coordinate: string }[]> {
  return rowsOf(
    db,
    sql`
    select distinct client_id, purpose, c.coordinate
    from ${t} cross join lateral jsonb_array_elements_text(coalesce(access -> 'holders' -> ${holderId}::text, '[]'::jsonb)) as c(coordinate)
    where holder_ids @> array[${holderId}::uuid]`,
  );
}

export function recentRecordsOf(db: Db, holderId: string, limit: number): Promise<AuditRecordRow[]> {
  return db.select().from(t).where(touches(holderId)).orderBy(desc(t.recordedAt), desc(t.requestId)).limit(limit);
}

// ---- one client ----

export interface ActivityTotals {
  requests: number;
  withDeniedFields: number;
  refusedOperations: number;
  forbiddenErrors: number;
}

export async function activityTotals(db: Db, clientId: string, from: Date, to: Date): Promise<ActivityTotals> {
  const [totals] = await db
    .select({
      requests: sql<number>`count(*)::int`.mapWith(Number),
      withDeniedFields: sql<number>`(count(*) filter (where cardinality(${t.deniedCoordinates}) > 0))::int`.mapWith(
        Number,
      ),
      refusedOperations: sql<number>`(count(*) filter (where ${t.outcome} = 'REFUSED'))::int`.mapWith(Number),
      forbiddenErrors: sql<number>`(count(*) filter (where 'FORBIDDEN' = any(${t.errorCodes})))::int`.mapWith(Number),
    })
    .from(t)
    .where(and(eq(t.clientId, clientId), within(from, to)));
  return totals!;
}

export async function distinctHoldersOf(db: Db, clientId: string, from: Date, to: Date): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(
    db,
    sql`
    select count(distinct h)::int as n from ${t} cross join lateral unnest(holder_ids) as h
    where client_id = ${clientId} and recorded_at >= ${instant(from)} and recorded_at < ${instant(to)}`,
  );
  return Number(row?.n ?? 0);
}

/** Records per purpose or per outcome, most frequent first. */
export function countsBy(
  db: Db,
  by: 'purpose' | 'outcome',
  clientId: string,
  from: Date,
  to: Date,
): Promise<{ value: string; count: number }[]> {
  const column = by === 'purpose' ? t.purpose : t.outcome;
  return db
    .select({ value: column, count: sql<number>`count(*)::int`.mapWith(Number) })
    .from(t)
    .where(and(eq(t.clientId, clientId), within(from, to)))
    .groupBy(column)
    .orderBy(desc(sql`count(*)`), asc(column));
}

export async function deniedCoordinateCounts(
  db: Db,
  clientId: string,
  from: Date,
  to: Date,
): Promise<{ coordinate: string; count: number }[]> {
  const rows = await rowsOf<{ coordinate: string; count: number }>(
    db,
    sql`
    select c as coordinate, count(*)::int as count from ${t} cross join lateral unnest(denied_coordinates) as c
    where client_id = ${clientId} and recorded_at >= ${instant(from)} and recorded_at < ${instant(to)}
    group by c order by count(*) desc, c`,
  );
  return rows.map((r) => ({ coordinate: r.coordinate, count: Number(r.count) }));
}

export function recentDenialsOf(
  db: Db,
  clientId: string,
  from: Date,
  to: Date,
  limit: number,
): Promise<AuditRecordRow[]> {
  return db
    .select()
    .from(t)
    .where(and(eq(t.clientId, clientId), within(from, to), DENIAL))
    .orderBy(desc(t.recordedAt), desc(t.requestId))
    .limit(limit);
}

// ---- the chains ----

export async function latestVerification(db: Db): Promise<AuditVerificationRow | null> {
  const [row] = await db
    .select()
    .from(auditVerifications)
    .orderBy(desc(auditVerifications.verifiedAt), desc(auditVerifications.id))
    .limit(1);
  return row ?? null;
}

export interface ChainHead {
  chainId: string;
  startedAt: Date;
  instance: string;
  /** Null for a chain that has recorded nothing yet. */
  lastSeq: number | null;
  lastAt: Date | null;
}

/** Every chain with its last record, each found through the primary key (chain, seq) rather than by a scan. */
export async function chainHeads(db: Db): Promise<ChainHead[]> {
  // Times as epoch milliseconds: raw rows come back in each driver's own shape for timestamps.
  const rows = await rowsOf<{
    chain_id: string;
    started_at_ms: number;
    instance: string;
    seq: number | string | null;
    recorded_at_ms: number | null;
  }>(
    db,
    sql`
    select c.chain_id, (extract(epoch from c.started_at) * 1000)::float8 as started_at_ms, c.instance, h.seq,
      (extract(epoch from h.recorded_at) * 1000)::float8 as recorded_at_ms
    from ${auditChains} c
    left join lateral (
      select r.seq, r.recorded_at from ${t} r where r.chain_id = c.chain_id order by r.seq desc limit 1
    ) h on true
    order by c.started_at, c.chain_id`,
  );
  return rows.map((r) => ({
    chainId: r.chain_id,
    startedAt: new Date(Number(r.started_at_ms)),
    instance: r.instance,
    lastSeq: r.seq === null ? null : Number(r.seq),
    lastAt: r.recorded_at_ms === null ? null : new Date(Number(r.recorded_at_ms)),
  }));
}
