// `npm run bench [-- --quick] [--holders N] [--seconds S] [--connections C]`: what the hub costs against a plain
// @apollo/gateway, with its audit on and off, and against the one SQL query it stands for. Seeds a fixed data set
// into a fresh database, starts every subgraph, the hub's gateway, the same gateway with its audit plugin left out,
// a plain @apollo/gateway and (on PostgreSQL) the SQL floor, each a process of its own (stack.ts), warms each up,
// measures each scenario on each, and prints one table (and bench/results/<timestamp>.json).
//
// The two long runs have modes of their own, and a full run reports their latest results:
//   `--scale [--holders 1000000] [--baseline-holders 10000]`: times the 1 M-holder seed, then measures the hub on
//     scenarios 1–3 at both sizes (PostgreSQL only);
//   `--soak [--minutes 10] [--rate 50]`: a steady mixed load on the hub with RSS sampled throughout.
// Ctrl-C stops everything and removes what it created.
import { parseArgs } from 'node:util';
import { stopOnSignal } from './load.js';
import { measureTogether, probe, type Entry, type Timing } from './measure.js';
import { killAllNow } from './processes.js';
import {
  judgeScale,
  judgeSoak,
  judgeTargets,
  longRunTargets,
  machine,
  printRun,
  saveRun,
  type Row,
  type Run,
} from './report.js';
import { qrScenario, SCENARIOS, transportDirectScenario, type Scenario } from './scenarios.js';
import { runSoak } from './soak.js';
import { closeAllStacks, startStack } from './stack.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scale: { type: 'boolean', default: false },
    soak: { type: 'boolean', default: false },
    holders: { type: 'string' },
    'baseline-holders': { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string' },
    minutes: { type: 'string' },
    rate: { type: 'string' },
  },
});

/** A positive number from a flag, or a clear refusal naming it. */
function numberArg(name: keyof typeof args, fallback: number): number {
  const raw = args[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(value) || value <= 0) {
    console.error(`bench: --${name} must be a positive number, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

const quick = args.quick!;
const mode: Run['mode'] = args.scale ? 'scale' : args.soak ? 'soak' : quick ? 'quick' : 'full';
const serverUrl = process.env.DATABASE_URL || undefined;
const database: Run['database'] = serverUrl ? 'postgres' : 'pglite';
const timing: Timing = {
  warmupSeconds: quick ? 3 : 5,
  seconds: numberArg('seconds', quick ? 5 : 20),
  rounds: quick ? 2 : 4,
};
const CONNECTIONS = numberArg('connections', 10);
/** The p99 target (scenario 1's p99 through the hub ≤ 2× transport called directly) compares the two at this many connections. */
const P99_CONNECTIONS = 20;
/** Scenario 1 through the hub at about a third of what a 2-core machine serves flat out. */
const PACED_RATE = 100;

const log = (line: string) => console.log(`bench: ${line}`);

let cleaning: Promise<void> | undefined;
const cleanup = () =>
  (cleaning ??= (async () => {
    for (const instance of stopOnSignal) instance.stop();
    await closeAllStacks();
  })());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.log(`\n${signal}: stopping the bench`);
    cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', killAllNow);

const startedAt = new Date().toISOString();
/** A run's record, its targets judged by the mode that made it. */
const run = (holders: number, seedSeconds: number, rows: Row[]): Run => ({
  startedAt,
  mode,
  database,
  holders,
  seedSeconds,
  machine: machine(),
  rows,
  targets: [],
  notMeasured: [],
});

/** Scenarios 1–6 side by side: the table of a quick or full run. */
async function compare(): Promise<Run> {
  const holders = numberArg('holders', quick ? 2000 : 10_000);
  const stack = await startStack({
    holders,
    serverUrl,
    log,
    fronts: ['hub', 'unaudited', 'plain', 'floor', 'transport-direct'],
  });
  try {
    const { hub, plain, unaudited, floor } = stack.subjects;
    const direct = transportDirectScenario(stack.rideCards);
    const audited6: Scenario = { ...SCENARIOS[1]!, id: '6', title: 'scenario 2 with the audit left out' };
    // Enough codes for every request of the run at several thousand a second (each verifies once).
    const qr7 = hub
      ? await qrScenario(stack.data, stack.qrSigningKeys, Math.ceil((timing.warmupSeconds + timing.seconds) * 4000))
      : undefined;
    const floor5: Scenario = {
      ...SCENARIOS[1]!,
      id: '5',
      title: "scenario 2's data, one SQL query over node:http (floor)",
    };
    const entry = (
      scenario: Scenario,
      subject: Entry['subject'] | undefined,
      connections = CONNECTIONS,
      rate?: number,
    ): Entry[] => (subject ? [{ scenario, subject, connections, ...(rate ? { rate } : {}) }] : []);
    // Each group is measured in alternating rounds: the figures a target compares come from the same minutes.
    const groups: Entry[][] = [
      [...entry(SCENARIOS[0]!, hub), ...entry(SCENARIOS[0]!, plain)],
      // Scenario 6 (audit off) beside scenario 2 through the same gateway with the audit on.
      [...entry(SCENARIOS[1]!, hub), ...entry(audited6, unaudited), ...entry(SCENARIOS[1]!, plain)],
      [...entry(SCENARIOS[2]!, hub), ...entry(SCENARIOS[2]!, plain)],
      entry(floor5, floor),
      // Scenario 7: the front desk's QR check, through the hub only (the plain gateway names no X-Place).
      ...(qr7 ? [entry(qr7, hub)] : []),
      // The p99 target: scenario 1 through the hub and transport called directly, both at 20 connections.
      [
        ...entry(SCENARIOS[0]!, hub, P99_CONNECTIONS),
        ...entry(direct, stack.subjects['transport-direct'], P99_CONNECTIONS),
      ],
      // The same pair paced at a rate both sustain on a small machine: latency without saturation's queueing.
      [
        ...entry(SCENARIOS[0]!, hub, P99_CONNECTIONS, PACED_RATE),
        ...entry(direct, stack.subjects['transport-direct'], P99_CONNECTIONS, PACED_RATE),
      ],
    ].filter((g) => g.length > 0);

    for (const { scenario, subject } of groups.flat()) await probe(scenario, subject, stack.data, log);
    const rows: Row[] = [];
    for (const group of groups) rows.push(...logged(await measureTogether(group, stack.data, timing)));
    const result = run(holders, stack.seedSeconds, rows);
    result.targets = [...judgeTargets(rows), ...longRunTargets(database)];
    result.notMeasured = [
      ...(floor ? [] : ['scenario 5 (SQL floor): not measured (needs DATABASE_URL)']),
      "gateway SQL (audit writes, register): not counted; SQL/req is the subgraphs' statements",
    ];
    return result;
  } finally {
    await stack.close();
  }
}

function logged(rows: Row[]): Row[] {
  for (const row of rows) {
    const cpu = Number.isFinite(row.gatewayCpuMsPerRequest) ? row.gatewayCpuMsPerRequest.toFixed(2) : '-';
    log(
      `scenario ${row.scenario} ${row.target} (${row.connections} conn): ${row.requestsPerSecond.toFixed(0)} req/s, p99 ${row.p99Ms.toFixed(1)} ms, front ${cpu} ms CPU/req, ${row.errors} errors`,
    );
  }
  return rows;
}

/** The hub on scenarios 1–3 at two data-set sizes, the larger seed timed. */
async function scale(): Promise<Run> {
  if (!serverUrl) {
    console.error(
      'bench: --scale needs DATABASE_URL (a PostgreSQL server to create its databases on): the 1 M-holder target is for real PostgreSQL',
    );
    process.exit(2);
  }
  const sizes = [numberArg('baseline-holders', 10_000), numberArg('holders', 1_000_000)] as const;
  const measured: { holders: number; seedSeconds: number; rows: Row[] }[] = [];
  for (const holders of sizes) {
    const stack = await startStack({ holders, serverUrl, log, fronts: ['hub'], echoSeed: holders === sizes[1] });
    try {
      const rows: Row[] = [];
      for (const scenario of SCENARIOS) {
        await probe(scenario, stack.subjects.hub!, stack.data, log);
        rows.push(
          ...logged(
            await measureTogether(
              [{ scenario, subject: stack.subjects.hub!, connections: CONNECTIONS }],
              stack.data,
              timing,
            ),
          ),
        );
      }
      measured.push({ holders, seedSeconds: stack.seedSeconds, rows });
    } finally {
      await stack.close();
    }
  }
  const [small, large] = measured as [(typeof measured)[0], (typeof measured)[0]];
  const result = { ...run(large.holders, large.seedSeconds, large.rows), baseline: small };
  result.targets = judgeScale(result);
  return result;
}

/** A steady mixed load on the hub, RSS sampled throughout. */
async function soak(): Promise<Run> {
  const holders = numberArg('holders', 10_000);
  const stack = await startStack({ holders, serverUrl, log, fronts: ['hub'] });
  try {
    const [s1, s2, s3] = SCENARIOS as [Scenario, Scenario, Scenario];
    // Mostly turnstile checks and single-holder reads, with a 100-holder read now and then.
    const mix = [...Array.from({ length: 10 }, () => [s1, s1, s1, s2]).flat(), s3];
    for (const scenario of SCENARIOS) await probe(scenario, stack.subjects.hub!, stack.data, log);
    const result = run(holders, stack.seedSeconds, []);
    result.soak = await runSoak(stack.subjects.hub!, stack.data, mix, {
      minutes: numberArg('minutes', 10),
      warmupMinutes: 1,
      rate: numberArg('rate', 50),
      connections: CONNECTIONS,
      sampleSeconds: 10,
      log,
    });
    result.targets = [judgeSoak(result.soak)];
    return result;
  } finally {
    await stack.close();
  }
}

const began = Date.now();
(mode === 'scale' ? scale() : mode === 'soak' ? soak() : compare())
  .then(async (result) => {
    result.seconds = (Date.now() - began) / 1000;
    printRun(result);
    log(`results in ${saveRun(result)}`);
    await cleanup();
    log(`done in ${result.seconds.toFixed(0)} s`);
    process.exit(0);
  })
  .catch(async (error: unknown) => {
    console.error(error);
    await cleanup();
    process.exit(1);
  });
