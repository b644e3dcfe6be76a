// What /ready means for the gateway: the supergraph is loaded, every subgraph (and so its database) answers
// its own /ready, and Redis answers when one is configured. A failure answers with the failing component's name
// only ("subgraph hr is not ready", "redis unreachable"); what went wrong goes to the log.
import type { Redis } from 'ioredis';
import { allNotReady, NotReadyError, notReady } from '../core/readiness.js';

export interface ReadinessCheck {
  name: string;
  /** Resolves with what to report when ready; rejects with a NotReadyError when not. */
  check(): Promise<unknown>;
  close?(): Promise<void>;
}

const TIMEOUT_MS = 2_000;

export function subgraphCheck(name: string, graphqlUrl: string): ReadinessCheck {
  const readyUrl = new URL('/ready', graphqlUrl);
  const reason = `subgraph ${name} is not ready`;
  return {
    name,
    async check() {
      const res = await fetch(readyUrl, { signal: AbortSignal.timeout(TIMEOUT_MS) }).catch((error: unknown) => {
        throw notReady(reason, error);
      });
      const body = (await res.json().catch(() => ({}))) as { database?: string; reason?: string };
      // A subgraph's own reason names a component too ("database unreachable"): safe to log.
      if (!res.ok) throw notReady(reason, `its /ready answered ${res.status}${body.reason ? `: ${body.reason}` : ''}`);
      return body.database;
    },
  };
}

export function redisCheck(redis: Redis): ReadinessCheck {
  return {
    name: 'redis',
    async check() {
      try {
        if (redis.status === 'wait') await redis.connect();
        await redis.ping();
      } catch (error) {
        throw notReady('redis unreachable', error);
      }
      return 'redis';
    },
  };
}

/** Runs every check; when any fails, reports every failure, in the order the checks are listed. */
export async function runChecks(checks: ReadinessCheck[]): Promise<Record<string, unknown>> {
  const results = await Promise.allSettled(checks.map((c) => c.check()));
  const failures = results.flatMap((r, i) =>
    r.status === 'fulfilled'
      ? []
      : [r.reason instanceof NotReadyError ? r.reason : notReady(`${checks[i]!.name} is not ready`, r.reason)],
  );
  if (failures.length > 0) throw allNotReady(failures);
  return Object.fromEntries(checks.map((c, i) => [c.name, (results[i] as PromiseFulfilledResult<unknown>).value]));
}
