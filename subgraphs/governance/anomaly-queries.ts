// The anomaly detectors' SQL (anomalies.ts): the audit trail counted per client and hour, and the records that
// are an anomaly's evidence. Hours are counted since the epoch, as in repository.ts.
import { and, asc, eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from '../../core/database.js';
import { DENIAL, instant, within } from './repository.js';
import { auditRecords as t, type AuditRecordRow } from './tables.js';

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

/** The out-of-region lookups a record counts (hr answered them as unknown), 0 for none. */
const OUT_OF_REGION = sql`coalesce((${t.access}->>'outOfRegion')::int, 0)`;

/** Hours in [fromHour, toHour) in which a client made at least `atLeast` out-of-region lookups. */
export async function regionProbeHours(
  db: Db,
  fromHour: number,
  toHour: number,
  atLeast: number,
): Promise<{ clientId: string; hour: number; probes: number }[]> {
  return db
    .select({
      clientId: t.clientId,
      hour: sql<number>`${HOUR}`.mapWith(Number),
      probes: sql<number>`sum(${OUT_OF_REGION})::int`.mapWith(Number),
    })
    .from(t)
    .where(and(within(new Date(fromHour * HOUR_MS), new Date(toHour * HOUR_MS)), sql`${OUT_OF_REGION} > 0`))
    .groupBy(t.clientId, sql`2`)
    .having(sql`sum(${OUT_OF_REGION}) >= ${atLeast}`)
    .orderBy(sql`2`, t.clientId);
}

/** Records with out-of-region lookups (a probe's evidence). */
export const PROBING_REGIONS = sql`${OUT_OF_REGION} > 0`;

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

/** A text[] as the driver hands it back: an array, or (raw, some drivers) its literal `{a,b}`. */
function textArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  const inner = value.replace(/^\{|\}$/g, '');
  return inner ? inner.split(',').map((v) => v.replace(/^"|"$/g, '')) : [];
}
