// All of the governance subgraph's SQL: reads of the gateway's audit trail and client register (it writes only
// through the register's own command, store/clients/commands.ts). Times go to SQL as ISO strings cast to
// timestamptz (postgres.js binds no Date in raw SQL); hours are counted since the epoch, `floor(epoch / 3600)`,
// which are Guangdong's hours too (UTC+8 has no half hour).
import { and, asc, desc, eq, getTableColumns, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
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

const instant = (at: Date) => sql`${at.toISOString()}::timestamptz`;
const touches = (holderId: string) => sql`${t.holderIds} @> array[${holderId}::uuid]`;
const within = (from: Date, to: Date) => and(gte(t.recordedAt, from), lt(t.recordedAt, to));

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

// ---- anomalies: per client and hour ----

/** Hours since the epoch, counted in SQL. */
const HOUR = sql.raw('floor(extract(epoch from recorded_at) / 3600)::int');
const HOUR_MS = 3_600_000;
/** The baseline's span, in hours: the 7 days before the hour judged. */
export const BASELINE_HOURS = 7 * 24;

export interface HourlyHolders {
  clientId: string;
  hour: number;
  holders: number;
  /** Median distinct holders over the client's active hours in the 7 days before; null without any. */
  baseline: number | null;
}

/** Hours in [fromHour, toHour) in which a client touched more than `floor` distinct holders, with its baseline. */
export async function holderSurgeCandidates(
  db: Db,
  fromHour: number,
  toHour: number,
  floor: number,
): Promise<HourlyHolders[]> {
  const rows = await rowsOf<{ client_id: string; hour: number; holders: number; baseline: number | null }>(
    db,
    sql`
    with hourly as (
      select client_id, ${HOUR} as hour, count(distinct h)::int as holders
      from ${t} cross join lateral unnest(holder_ids) as h
      where recorded_at >= ${instant(new Date((fromHour - BASELINE_HOURS) * HOUR_MS))} and recorded_at < ${instant(new Date(toHour * HOUR_MS))}
      group by 1, 2
    )
    select c.client_id, c.hour, c.holders,
      (select percentile_cont(0.5) within group (order by b.holders) from hourly b
        where b.client_id = c.client_id and b.hour >= c.hour - ${BASELINE_HOURS} and b.hour < c.hour)::float8 as baseline
    from hourly c
    where c.hour >= ${fromHour} and c.hour < ${toHour} and c.holders > ${floor}
    order by c.hour, c.client_id`,
  );
  return rows.map((r) => ({
    clientId: r.client_id,
    hour: Number(r.hour),
    holders: Number(r.holders),
    baseline: r.baseline === null ? null : Number(r.baseline),
  }));
}

/** Hours in [fromHour, toHour) with at least `atLeast` denials by one client. */
export async function denialHours(
  db: Db,
  fromHour: number,
  toHour: number,
  atLeast: number,
): Promise<{ clientId: string; hour: number; denials: number }[]> {
  const rows = await db
    .select({
      clientId: t.clientId,
      hour: sql<number>`${HOUR}`.mapWith(Number),
      denials: sql<number>`count(*)::int`.mapWith(Number),
    })
    .from(t)
    .where(and(within(new Date(fromHour * HOUR_MS), new Date(toHour * HOUR_MS)), DENIAL))
    .groupBy(t.clientId, sql`2`)
    .having(sql`count(*) >= ${atLeast}`)
    .orderBy(sql`2`, t.clientId);
  return rows;
}

/** For each city platform and hour in [fromHour, toHour) touching at least `atLeast` distinct holders: those holders. */
export async function cityPlatformHolders(
  db: Db,
  fromHour: number,
  toHour: number,
  atLeast: number,
): Promise<{ clientId: string; city: string; hour: number; holderIds: string[] }[]> {
  const rows = await rowsOf<{ client_id: string; city: string; hour: number; holder_ids: string[] | string }>(
    db,
    sql`
    select client_id, min(client_city) as city, ${HOUR} as hour, array_agg(distinct h)::text[] as holder_ids
    from ${t} cross join lateral unnest(holder_ids) as h
    where client_kind = 'CITY' and client_city is not null
      and recorded_at >= ${instant(new Date(fromHour * HOUR_MS))} and recorded_at < ${instant(new Date(toHour * HOUR_MS))}
    group by client_id, 3
    having count(distinct h) >= ${atLeast}
    order by 3, client_id`,
  );
  return rows.map((r) => ({
    clientId: r.client_id,
    city: r.city,
    hour: Number(r.hour),
    holderIds: textArray(r.holder_ids),
  }));
}

export interface HourlyRequests {
  clientId: string;
  hour: number;
  requests: number;
  /** Hours the client was active in over the 7 days before. */
  activeHours: number;
  /** Of those, the ones at the same hour of the day. */
  sameHourOfDay: number;
}

/** Hours in [fromHour, toHour) with at least `atLeast` requests by one client, with its pattern of the week before. */
export async function requestHours(
  db: Db,
  fromHour: number,
  toHour: number,
  atLeast: number,
): Promise<HourlyRequests[]> {
  const rows = await rowsOf<{
    client_id: string;
    hour: number;
    requests: number;
    active_hours: number;
    same_hour_of_day: number;
  }>(
    db,
    sql`
    with hourly as (
      select client_id, ${HOUR} as hour, count(*)::int as requests
      from ${t}
      where recorded_at >= ${instant(new Date((fromHour - BASELINE_HOURS) * HOUR_MS))} and recorded_at < ${instant(new Date(toHour * HOUR_MS))}
      group by 1, 2
    )
    select c.client_id, c.hour, c.requests,
      (select count(*)::int from hourly b where b.client_id = c.client_id and b.hour >= c.hour - ${BASELINE_HOURS} and b.hour < c.hour) as active_hours,
      (select count(*)::int from hourly b where b.client_id = c.client_id and b.hour >= c.hour - ${BASELINE_HOURS} and b.hour < c.hour
        and (c.hour - b.hour) % 24 = 0) as same_hour_of_day
    from hourly c
    where c.hour >= ${fromHour} and c.hour < ${toHour} and c.requests >= ${atLeast}
    order by c.hour, c.client_id`,
  );
  return rows.map((r) => ({
    clientId: r.client_id,
    hour: Number(r.hour),
    requests: Number(r.requests),
    activeHours: Number(r.active_hours),
    sameHourOfDay: Number(r.same_hour_of_day),
  }));
}

/** A client's records in one hour matching `where`, the earliest first: up to `limit`, and how many in all. */
export async function evidenceOf(
  db: Db,
  clientId: string,
  hour: number,
  where: SQL | undefined,
  limit: number,
): Promise<{ records: AuditRecordRow[]; total: number }> {
  const rows = await db
    .select({ ...getTableColumns(t), total: sql<number>`(count(*) over ())::int`.mapWith(Number) })
    .from(t)
    .where(and(eq(t.clientId, clientId), within(new Date(hour * HOUR_MS), new Date((hour + 1) * HOUR_MS)), where))
    .orderBy(asc(t.recordedAt), asc(t.requestId))
    .limit(limit);
  return { records: rows.map(({ total: _total, ...record }) => record), total: rows[0]?.total ?? 0 };
}

/** Records with holders (for a surge's evidence). */
export const TOUCHING_HOLDERS = sql`cardinality(${t.holderIds}) > 0`;

/** Records touching any of these holders. */
export const touchingAny = (holderIds: readonly string[]) =>
  sql`${t.holderIds} && array[${sql.join(
    holderIds.map((id) => sql`${id}::uuid`),
    sql`, `,
  )}]`;

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

/** A text[] as the driver hands it back: an array, or (raw, some drivers) its literal `{a,b}`. */
function textArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  const inner = value.replace(/^\{|\}$/g, '');
  return inner ? inner.split(',').map((v) => v.replace(/^"|"$/g, '')) : [];
}
