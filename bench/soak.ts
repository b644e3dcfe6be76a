// The soak (`npm run bench -- --soak`): a steady load on the hub for a long while, the resident memory of the
// gateway and of each subgraph sampled from /proc as it runs. After a warm-up at the same load (JIT, caches,
// connection pools and the policy plan cache fill), memory must stay flat: growth under 10% from the soak's first
// quarter to its last (the mean of each quarter's samples, so that where the garbage collector's sawtooth happens to
// be at one sample does not decide), with no error at all. Growth is judged per process, so a leak in one subgraph
// is not hidden by the others' size.
import { runLoad } from './load.js';
import { rssMiB } from './proc.js';
import type { Started } from './processes.js';
import type { Subject } from './measure.js';
import type { DataSet, Scenario } from './scenarios.js';

export interface SoakOptions {
  minutes: number;
  warmupMinutes: number;
  /** Requests per second, steady. */
  rate: number;
  connections: number;
  /** Seconds between RSS samples. */
  sampleSeconds: number;
  log: (line: string) => void;
}

export interface SoakProcess {
  name: string;
  /** Mean RSS (MiB) over the soak's first quarter, after the warm-up. */
  startMiB: number;
  /** Mean RSS (MiB) over its last quarter. */
  endMiB: number;
  peakMiB: number;
  growth: number;
}

export interface SoakResult {
  minutes: number;
  warmupMinutes: number;
  rate: number;
  mix: string[];
  responses: number;
  errors: number;
  firstError?: string;
  p50Ms: number;
  p99Ms: number;
  processes: SoakProcess[];
  /** Every sample: seconds since the soak began, then MiB per process in `processes` order. */
  samples: number[][];
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);

/** Each process's RSS growth from the first quarter of the samples to the last (the samples as SoakResult keeps them). */
export function soakGrowth(names: string[], samples: number[][]): SoakProcess[] {
  const quarter = Math.max(1, Math.floor(samples.length / 4));
  const head = samples.slice(0, quarter);
  const tail = samples.slice(-quarter);
  return names.map((name, i) => {
    const startMiB = mean(head.map((s) => s[i + 1]!));
    const endMiB = mean(tail.map((s) => s[i + 1]!));
    return {
      name,
      startMiB,
      endMiB,
      peakMiB: Math.max(...samples.map((s) => s[i + 1]!)),
      growth: endMiB / startMiB - 1,
    };
  });
}

export async function runSoak(hub: Subject, data: DataSet, mix: Scenario[], options: SoakOptions): Promise<SoakResult> {
  const watched: Started[] = [hub.front!, ...hub.behind];
  const load = {
    url: hub.url,
    headers: hub.headers,
    scenario: mix,
    data,
    connections: options.connections,
    rate: options.rate,
  };
  options.log(`soak: warming up for ${options.warmupMinutes} min at ${options.rate} req/s`);
  const warm = await runLoad({ ...load, seconds: Math.round(options.warmupMinutes * 60) });
  const began = Date.now();
  const samples: number[][] = [];
  const sample = () => samples.push([Math.round((Date.now() - began) / 1000), ...watched.map((p) => rssMiB(p.pid))]);
  sample();
  const timer = setInterval(() => {
    sample();
    const last = samples.at(-1)!;
    if (samples.length % 6 === 0)
      options.log(
        `soak: ${last[0]} s, RSS ${watched.map((p, i) => `${p.name} ${last[i + 1]!.toFixed(0)}`).join(', ')} MiB`,
      );
  }, options.sampleSeconds * 1000);
  const result = await runLoad({ ...load, seconds: Math.round(options.minutes * 60) }).finally(() =>
    clearInterval(timer),
  );
  sample();
  const processes = soakGrowth(
    watched.map((p) => p.name),
    samples,
  );
  const firstError = warm.firstError ?? result.firstError;
  return {
    minutes: options.minutes,
    warmupMinutes: options.warmupMinutes,
    rate: options.rate,
    mix: mix.map((s) => s.id),
    responses: result.responses + warm.responses,
    errors: result.errors + warm.errors,
    ...(firstError ? { firstError } : {}),
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    processes,
    samples,
  };
}
