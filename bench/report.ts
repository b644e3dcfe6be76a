// The bench's output: one table on the terminal, the targets of issue 6 as met / not met / not measured, and the
// whole run as JSON under bench/results/<timestamp>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Row {
  scenario: string;
  title: string;
  /** hub, plain (@apollo/gateway), floor (hand-written SQL over node:http), transport-direct, … */
  target: string;
  connections: number;
  seconds: number;
  responses: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU ms per request of the process in front (the gateway, or the floor server); NaN (JSON null) when a subgraph is called directly. */
  gatewayCpuMsPerRequest: number;
  /** CPU ms per request summed over the subgraph processes (null where none are involved). */
  subgraphCpuMsPerRequest: number | null;
  subgraphCpuMsPerRequestByName: Record<string, number>;
  gatewayPeakRssMiB: number;
  subgraphPeakRssMiB: number | null;
  errors: number;
  firstError?: string;
  /** SQL statements per request across all subgraphs; null when not measured. */
  sqlPerRequest: number | null;
}

export interface Target {
  target: string;
  status: 'met' | 'not met' | 'not measured';
  detail: string;
}

export interface Run {
  startedAt: string;
  mode: string;
  database: 'postgres' | 'pglite';
  holders: number;
  machine: { cpus: string; cores: number; memoryGiB: number; node: string; platform: string };
  rows: Row[];
  targets: Target[];
  notMeasured: string[];
}

export const machine = () => ({
  cpus: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
});

const fixed = (n: number | null, digits: number) => (n === null || !Number.isFinite(n) ? '-' : n.toFixed(digits));

/** The targets of issue 6, judged from the rows measured. */
export function judgeTargets(rows: Row[]): Target[] {
  const targets: Target[] = [];
  const find = (scenario: string, target: string) => rows.find((r) => r.scenario === scenario && r.target === target);
  for (const scenario of ['1', '2', '3']) {
    const hub = find(scenario, 'hub');
    const plain = find(scenario, 'plain');
    const name = `scenario ${scenario}: hub gateway CPU/request ≤ 0.6× plain @apollo/gateway`;
    if (!hub || !plain || plain.gatewayCpuMsPerRequest <= 0) {
      targets.push({ target: name, status: 'not measured', detail: '' });
      continue;
    }
    const ratio = hub.gatewayCpuMsPerRequest / plain.gatewayCpuMsPerRequest;
    targets.push({
      target: name,
      status: ratio <= 0.6 ? 'met' : 'not met',
      detail: `${fixed(hub.gatewayCpuMsPerRequest, 2)} ms vs ${fixed(plain.gatewayCpuMsPerRequest, 2)} ms = ${ratio.toFixed(2)}×`,
    });
  }
  const s3 = find('3', 'hub');
  targets.push(
    s3?.sqlPerRequest == null
      ? { target: 'scenario 3: ≤ 6 SQL statements across all subgraphs', status: 'not measured', detail: '' }
      : { target: 'scenario 3: ≤ 6 SQL statements across all subgraphs', status: s3.sqlPerRequest <= 6 ? 'met' : 'not met', detail: `${fixed(s3.sqlPerRequest, 1)} per request` },
  );
  targets.push({ target: 'audit costs ≤ 10% extra gateway CPU per request (scenario 6)', status: 'not measured', detail: 'no audit-off switch yet' });
  const p99Name = 'scenario 1 p99 at 20 connections ≤ 2× transport subgraph direct';
  const hub20 = rows.find((r) => r.scenario === '1' && r.target === 'hub' && r.connections === 20);
  const direct20 = rows.find((r) => r.scenario === '1' && r.target === 'transport-direct' && r.connections === 20);
  if (!hub20 || !direct20 || !(direct20.p99Ms > 0)) targets.push({ target: p99Name, status: 'not measured', detail: '' });
  else {
    const ratio = hub20.p99Ms / direct20.p99Ms;
    targets.push({
      target: p99Name,
      status: ratio <= 2 ? 'met' : 'not met',
      detail: `hub ${fixed(hub20.p99Ms, 1)} ms vs transport _entities direct ${fixed(direct20.p99Ms, 1)} ms = ${ratio.toFixed(2)}×`,
    });
  }
  targets.push({ target: 'seed 1 M holders ≤ 5 min; 1 M figures within 1.5× of 10 k', status: 'not measured', detail: '' });
  targets.push({ target: '10-minute soak: RSS growth < 10%, zero errors', status: 'not measured', detail: '' });
  return targets;
}

export function printRun(run: Run): void {
  const header = ['scn', 'target', 'conn', 'req/s', 'p50 ms', 'p99 ms', 'gw CPU ms/req', 'subgraphs CPU ms/req', 'gw peak RSS MiB', 'subgraphs peak RSS MiB', 'errors', 'SQL/req'];
  const rows = run.rows.map((r) => [
    r.scenario, r.target, String(r.connections), fixed(r.requestsPerSecond, 0), fixed(r.p50Ms, 1), fixed(r.p99Ms, 1),
    fixed(r.gatewayCpuMsPerRequest, 2), fixed(r.subgraphCpuMsPerRequest, 2), fixed(r.gatewayPeakRssMiB, 0), fixed(r.subgraphPeakRssMiB, 0),
    `${r.errors}/${r.responses}`, r.sqlPerRequest === null ? 'not measured' : fixed(r.sqlPerRequest, 1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const m = run.machine;
  console.log(`\nykt-hub bench (${run.mode}, ${run.database}, ${run.holders} holders) on ${m.cores} × ${m.cpus}, ${m.memoryGiB} GiB, Node ${m.node}\n`);
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i < 2 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  for (const r of run.rows) if (r.firstError) console.log(`  ${r.scenario}/${r.target} first error: ${r.firstError}`);
  console.log('\nTargets:');
  for (const t of run.targets) console.log(`  [${t.status}] ${t.target}${t.detail ? ` (${t.detail})` : ''}`);
  if (run.notMeasured.length) {
    console.log('\nNot measured:');
    for (const n of run.notMeasured) console.log(`  ${n}`);
  }
}

/** Writes the run to bench/results/<timestamp>.json; returns the path. */
export function saveRun(run: Run): string {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${run.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
  return file;
}
