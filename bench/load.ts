// Drives one scenario against one target with autocannon, a fresh body (fresh random variables) per request.
// A response counts as an error when its status is not 2xx or its body carries GraphQL errors.
import autocannon from 'autocannon';
import type { DataSet, Scenario } from './scenarios.js';

export interface LoadResult {
  /** Responses received (ok or not) in the measured window. */
  responses: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx responses, 2xx responses with GraphQL errors, and connection errors/timeouts. */
  errors: number;
  /** The first error body seen, to tell what went wrong. */
  firstError?: string;
}

export interface LoadOptions {
  url: string;
  headers: Record<string, string>;
  /** One scenario, or several taken in turn (a soak's mix). */
  scenario: Scenario | Scenario[];
  data: DataSet;
  seconds: number;
  connections: number;
  /** Requests per second across all connections; unset drives as fast as the target answers. */
  rate?: number;
  /** Extra headers for each request's own body (e.g. a subgraph call's one-off signature). */
  sign?: (body: string) => Record<string, string>;
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  let responses = 0;
  let errors = 0;
  let firstError: string | undefined;
  const { data } = options;
  const mix = Array.isArray(options.scenario) ? options.scenario : [options.scenario];
  let turn = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        connections: options.connections,
        duration: options.seconds,
        ...(options.rate ? { overallRate: options.rate } : {}),
        headers: { 'content-type': 'application/json', ...options.headers },
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const scenario = mix[turn++ % mix.length]!;
              const body = JSON.stringify({ query: scenario.query, variables: scenario.variables(data) });
              const headers = { ...request.headers, ...scenario.headers, ...options.sign?.(body) };
              return { ...request, body, headers };
            },
            onResponse: (status, body) => {
              responses++;
              // A cheap test: successful answers carry no "errors" key anywhere (no field is named so).
              if (status < 200 || status >= 300 || body.includes('"errors":')) {
                errors++;
                firstError ??= `HTTP ${status}: ${body.slice(0, 300)}`;
              }
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          responses,
          requestsPerSecond: responses / options.seconds,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          errors: errors + result.errors + result.timeouts,
          ...(firstError ? { firstError } : {}),
        });
      },
    );
    stopOnSignal.add(instance);
    instance.once('done', () => stopOnSignal.delete(instance));
  });
}

/** Runs in flight, stopped when the bench is interrupted. */
export const stopOnSignal = new Set<autocannon.Instance>();
