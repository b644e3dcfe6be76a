// Patterns in the audit trail worth a data-governance officer's look, hour by hour, each judged against the
// client's own recent behaviour where it has any. A rule fires on an hour; the records behind it come with it.
// The thresholds are deliberately plain numbers: an anomaly is a prompt to look, not a verdict, and an officer
// must be able to say why one fired.
import type { Db } from '../../core/database.js';
import type { HrClient } from '../kit/hr-client.js';
import * as queries from './anomaly-queries.js';
import * as repo from './repository.js';
import type { AuditRecordRow } from './tables.js';

/**
 * HOLDER_SURGE fires when a client touches more than SURGE_FACTOR × its baseline distinct holders in an hour.
 * Five times: a busy day at a counter or a campaign (a benefit payment run) doubles or triples a client's hourly
 * reach; five times its usual is a bulk read. The baseline is the median over the hours it was active in the
 * previous 7 days (a week covers the weekday pattern; idle hours are left out, or a client working 8 hours a day
 * would have a median of zero).
 */
export const SURGE_FACTOR = 5;
/**
 * ... and more than SURGE_FLOOR distinct holders: a client whose median is 2 holders an hour serving 11 is not a
 * bulk read. 50 is more than a counter clerk serves in an hour. A client with no baseline (new, or idle for a
 * week) is judged against the floor alone.
 */
export const SURGE_FLOOR = 50;
/**
 * REPEATED_DENIALS fires at this many denied operations (a field refused by policy, an operation refused whole, a
 * FORBIDDEN error) by one client within an hour. An integration asking for what its purpose does not allow is
 * fixed after the first refusal; ten in an hour is either probing the policy or a misconfigured client hammering
 * it, and both need someone to call the client.
 */
export const DENIAL_THRESHOLD = 10;
/**
 * OUT_OF_CITY_READS fires when a city platform touches at least this many distinct holders registered in other
 * cities within an hour... Serving a visitor from another city through the card they present is normal (Art 4),
 * a few an hour at any counter; twenty is a list being worked through.
 */
export const OUT_OF_CITY_FLOOR = 20;
/**
 * ... and they are at least this share of the holders it touched that hour: a big city's platform serves many
 * visitors among very many residents; one reading mostly other cities' holders is not serving its own.
 */
export const OUT_OF_CITY_SHARE = 0.5;
/**
 * REGION_PROBING fires when a city platform looks up by ID number at least this many holders registered in other
 * cities within an hour. hr answers those as it answers a number nobody holds (no registration oracle), and counts
 * them in the access report. A counter clerk trying a visitor's ID number before asking for the card does it a few
 * times an hour; twenty is someone testing numbers against other cities' registers.
 */
export const REGION_PROBE_FLOOR = 20;
/**
 * OFF_HOURS_ACCESS fires when a client makes at least this many requests in an hour of the day (Guangdong time) at
 * which it had no activity at all over the previous 7 days. A single stray request (a retry, a clock at the
 * hour's edge) is not worth an alert; five is someone working.
 */
export const OFF_HOURS_FLOOR = 5;
/**
 * ... provided the client was active in at least this many hours of those 7 days: only then does it have usual
 * hours to be outside of (three working days of 8 hours). A new client has none, and a 24-hour one (turnstiles)
 * never fires.
 */
export const OFF_HOURS_MIN_ACTIVE_HOURS = 24;
/** Evidence records returned with each anomaly (the count says how many there are in all). */
export const EVIDENCE_LIMIT = 20;
/** The longest window one call examines. */
export const MAX_WINDOW_DAYS = 31;

export type AnomalyKind =
  'HOLDER_SURGE' | 'REPEATED_DENIALS' | 'OUT_OF_CITY_READS' | 'REGION_PROBING' | 'OFF_HOURS_ACCESS';

export interface Anomaly {
  kind: AnomalyKind;
  clientId: string;
  /** The hour, counted since the epoch. */
  hour: number;
  measure: number;
  threshold: number;
  baseline: number | null;
  description: string;
  evidenceCount: number;
  evidence: AuditRecordRow[];
}

const HOUR_MS = 3_600_000;
const KIND_ORDER: AnomalyKind[] = [
  'HOLDER_SURGE',
  'REPEATED_DENIALS',
  'OUT_OF_CITY_READS',
  'REGION_PROBING',
  'OFF_HOURS_ACCESS',
];

/** Guangdong's hour of the day (UTC+8) of an hour since the epoch. */
const hourOfDay = (hour: number) => (hour + 8) % 24;
const round = (n: number) => Math.round(n * 100) / 100;

interface Finding extends Omit<Anomaly, 'evidence' | 'evidenceCount'> {
  evidenceWhere: Parameters<typeof queries.evidenceOf>[3];
}

/** Every rule over the hours that [from, to) touches. */
export async function findAnomalies(db: Db, hr: HrClient, from: Date, to: Date): Promise<Anomaly[]> {
  const fromHour = Math.floor(from.getTime() / HOUR_MS);
  const toHour = Math.ceil(to.getTime() / HOUR_MS);
  const findings: Finding[] = [];

  for (const c of await queries.holderSurgeCandidates(db, fromHour, toHour, SURGE_FLOOR)) {
    const threshold = Math.max(SURGE_FLOOR, SURGE_FACTOR * (c.baseline ?? 0));
    if (c.holders <= threshold) continue;
    findings.push({
      kind: 'HOLDER_SURGE',
      clientId: c.clientId,
      hour: c.hour,
      measure: c.holders,
      threshold,
      baseline: c.baseline,
      description:
        c.baseline === null
          ? `${c.holders} distinct holders in the hour, with no activity in the 7 days before to compare with (floor ${SURGE_FLOOR})`
          : `${c.holders} distinct holders in the hour, over ${SURGE_FACTOR}× the median of ${round(c.baseline)} an active hour in the 7 days before (floor ${SURGE_FLOOR})`,
      evidenceWhere: queries.TOUCHING_HOLDERS,
    });
  }

  for (const d of await queries.denialHours(db, fromHour, toHour, DENIAL_THRESHOLD)) {
    findings.push({
      kind: 'REPEATED_DENIALS',
      clientId: d.clientId,
      hour: d.hour,
      measure: d.denials,
      threshold: DENIAL_THRESHOLD,
      baseline: null,
      description: `${d.denials} operations refused a field, refused whole or answered FORBIDDEN in the hour (threshold ${DENIAL_THRESHOLD})`,
      evidenceWhere: repo.DENIAL,
    });
  }

  // The audit record knows the city platform's city, not the holders': hr does, asked once for every holder of
  // every hour under judgement. (Where a holder is registered now, which is where they were registered when read
  // but for the rare move between cities.)
  const cityHours = await queries.cityPlatformHolders(db, fromHour, toHour, OUT_OF_CITY_FLOOR);
  const cities =
    cityHours.length > 0 ? await hr.registeredCities(cityHours.flatMap((c) => c.holderIds)) : new Map<string, string>();
  for (const c of cityHours) {
    const known = c.holderIds.filter((id) => cities.has(id));
    const elsewhere = known.filter((id) => cities.get(id) !== c.city);
    if (elsewhere.length < OUT_OF_CITY_FLOOR || elsewhere.length < OUT_OF_CITY_SHARE * known.length) continue;
    findings.push({
      kind: 'OUT_OF_CITY_READS',
      clientId: c.clientId,
      hour: c.hour,
      measure: elsewhere.length,
      threshold: OUT_OF_CITY_FLOOR,
      baseline: null,
      description:
        `${elsewhere.length} of the ${known.length} holders city platform ${c.city} touched in the hour are registered in other cities ` +
        `(threshold ${OUT_OF_CITY_FLOOR}, and at least ${OUT_OF_CITY_SHARE * 100}% of them)`,
      evidenceWhere: queries.touchingAny(elsewhere),
    });
  }

  for (const p of await queries.regionProbeHours(db, fromHour, toHour, REGION_PROBE_FLOOR)) {
    findings.push({
      kind: 'REGION_PROBING',
      clientId: p.clientId,
      hour: p.hour,
      measure: p.probes,
      threshold: REGION_PROBE_FLOOR,
      baseline: null,
      description: `${p.probes} lookups by ID number of holders registered outside the client's city in the hour, answered as not found (threshold ${REGION_PROBE_FLOOR})`,
      evidenceWhere: queries.PROBING_REGIONS,
    });
  }

  for (const r of await queries.requestHours(db, fromHour, toHour, OFF_HOURS_FLOOR)) {
    if (r.activeHours < OFF_HOURS_MIN_ACTIVE_HOURS || r.sameHourOfDay > 0) continue;
    const at = String(hourOfDay(r.hour)).padStart(2, '0');
    findings.push({
      kind: 'OFF_HOURS_ACCESS',
      clientId: r.clientId,
      hour: r.hour,
      measure: r.requests,
      threshold: OFF_HOURS_FLOOR,
      baseline: r.activeHours,
      description:
        `${r.requests} requests at ${at}:00–${at}:59 Guangdong time, an hour of the day at which the client had no activity in the ` +
        `7 days before (${r.activeHours} active hours then; threshold ${OFF_HOURS_FLOOR} requests)`,
      evidenceWhere: undefined,
    });
  }

  findings.sort(
    (a, b) =>
      a.hour - b.hour ||
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      a.clientId.localeCompare(b.clientId),
  );
  return Promise.all(
    findings.map(async ({ evidenceWhere, ...finding }) => {
      const { records, total } = await queries.evidenceOf(
        db,
        finding.clientId,
        finding.hour,
        evidenceWhere,
        EVIDENCE_LIMIT,
      );
      return { ...finding, evidence: records, evidenceCount: total };
    }),
  );
}
