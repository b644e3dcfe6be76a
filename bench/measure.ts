// Measured rows: a scenario driven against a subject for a fixed time after a warm-up, with the CPU of the process
// in front and of the processes behind read from /proc before and after, and the SQL statements counted.
import { runLoad } from './load.js';
import { cpuMs, peakRssMiB } from './proc.js';
import type { Started } from './processes.js';
import type { Row } from './report.js';
import type { DataSet, Scenario } from './scenarios.js';

/**
 * What a measured row drives: `front` is the process whose CPU and RSS fill the gateway columns (none when a
 * subgraph is called directly), `behind` the processes summed in the subgraph columns, `sqlFrom` those whose SQL
 * statements are counted, `sign` per-request headers (a subgraph call's signature).
 */
export interface Subject {
  name: string;
  url: string;
  headers: Record<string, string>;
  front?: Started;
  behind: Started[];
  sqlFrom: Started[];
  sign?: (body: string) => Record<string, string>;
}

export interface Timing {
  warmupSeconds: number;
  /** Measured seconds per entry, over all rounds. */
  seconds: number;
  rounds: number;
}

async function sqlTotal(from: Started[]): Promise<number | undefined> {
  const counts = await Promise.all(from.map((s) => s.sqlCount()));
  return counts.some((c) => c === undefined) ? undefined : counts.reduce((a, b) => a! + b!, 0)!;
}

/** One request first: a scenario that fails outright is reported before it is measured. */
export async function probe(
  scenario: Scenario,
  subject: Subject,
  data: DataSet,
  log: (line: string) => void,
): Promise<void> {
  const body = JSON.stringify({ query: scenario.query, variables: scenario.variables(data) });
  const res = await fetch(subject.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...subject.headers, ...scenario.headers, ...subject.sign?.(body) },
    body,
  });
  const text = await res.text();
  if (!res.ok || text.includes('"errors":') || /:null\}*$/.test(text))
    log(`warning: scenario ${scenario.id} on ${subject.name} answered HTTP ${res.status}: ${text.slice(0, 400)}`);
}

export interface Entry {
  scenario: Scenario;
  subject: Subject;
  connections: number;
  /** A steady request rate (requests/s over all connections); unset drives as fast as the subject answers. */
  rate?: number;
}

interface Tally {
  responses: number;
  errors: number;
  firstError?: string;
  /** p50 and p99 of each round, weighted by its responses. */
  p50Weighted: number;
  p99Weighted: number;
  front: number;
  behind: number[];
  sql: number | undefined;
}

/**
 * Measures entries that are compared with one another (the hub against the plain gateway, audit on against off)
 * in alternating rounds: each is warmed up once, then each round gives every entry `seconds / rounds` in turn, so
 * that a drift in the machine's background load falls on all of them alike. CPU, responses and SQL statements are
 * summed over the rounds; p50 and p99 are the rounds' own, averaged weighted by responses.
 */
export async function measureTogether(entries: Entry[], data: DataSet, timing: Timing): Promise<Row[]> {
  for (const { scenario } of entries) await scenario.prepare?.();
  const loadOf = ({ scenario, subject, connections, rate }: Entry) => ({
    url: subject.url,
    headers: subject.headers,
    scenario,
    data,
    connections,
    ...(rate ? { rate } : {}),
    ...(subject.sign ? { sign: subject.sign } : {}),
  });
  const tallies: Tally[] = entries.map((e) => ({
    responses: 0,
    errors: 0,
    p50Weighted: 0,
    p99Weighted: 0,
    front: 0,
    behind: e.subject.behind.map(() => 0),
    sql: 0,
  }));
  for (const entry of entries) await runLoad({ ...loadOf(entry), seconds: timing.warmupSeconds });
  const slice = timing.seconds / timing.rounds;
  for (let round = 0; round < timing.rounds; round++) {
    for (const [i, entry] of entries.entries()) {
      const tally = tallies[i]!;
      const { front, behind, sqlFrom } = entry.subject;
      const frontBefore = front ? cpuMs(front.pid) : NaN;
      const behindBefore = behind.map((s) => cpuMs(s.pid));
      const sqlBefore = await sqlTotal(sqlFrom);
      const result = await runLoad({ ...loadOf(entry), seconds: slice });
      tally.front += front ? cpuMs(front.pid) - frontBefore : NaN;
      behind.forEach((s, j) => (tally.behind[j]! += cpuMs(s.pid) - behindBefore[j]!));
      const sqlAfter = await sqlTotal(sqlFrom);
      tally.sql =
        tally.sql === undefined || sqlBefore === undefined || sqlAfter === undefined
          ? undefined
          : tally.sql + sqlAfter - sqlBefore;
      tally.responses += result.responses;
      tally.errors += result.errors;
      tally.firstError ??= result.firstError;
      tally.p50Weighted += result.p50Ms * result.responses;
      tally.p99Weighted += result.p99Ms * result.responses;
    }
  }
  return entries.map(({ scenario, subject, connections, rate }, i) => {
    const t = tallies[i]!;
    const n = Math.max(t.responses, 1);
    const byName = Object.fromEntries(subject.behind.map((s, j) => [s.name, t.behind[j]! / n]));
    return {
      scenario: scenario.id,
      title: scenario.title,
      target: subject.name,
      connections,
      ...(rate ? { rate } : {}),
      seconds: timing.seconds,
      responses: t.responses,
      requestsPerSecond: t.responses / timing.seconds,
      p50Ms: t.p50Weighted / n,
      p99Ms: t.p99Weighted / n,
      gatewayCpuMsPerRequest: t.front / n,
      subgraphCpuMsPerRequest: subject.behind.length ? Object.values(byName).reduce((a, b) => a + b, 0) : null,
      subgraphCpuMsPerRequestByName: byName,
      gatewayPeakRssMiB: subject.front ? peakRssMiB(subject.front.pid) : NaN,
      subgraphPeakRssMiB: subject.behind.length ? subject.behind.reduce((sum, s) => sum + peakRssMiB(s.pid), 0) : null,
      errors: t.errors,
      ...(t.firstError ? { firstError: t.firstError } : {}),
      sqlPerRequest: t.sql === undefined ? null : t.sql / n,
    };
  });
}
