// What /ready means for the gateway: this instance can serve. It cannot when its own database (the client
// register and the audit trail: no record, no answer) does not answer; it was not started without its supergraph.
// Those fail /ready (503), naming the component only ("database unreachable"); what went wrong goes to the log.
// A subgraph that is down (or whose circuit is open) or a Redis that is away leaves the instance serving the rest,
// the same as every other instance: a load balancer pulling instances for it would pull them all at once. They are
// reported in the body, `degraded: ["health", "redis"]`, with 200, and logged.
import type { Redis } from 'ioredis';
import type { Database } from '../core/database.js';
import { allNotReady, NotReadyError, notReady } from '../core/readiness.js';

export interface ReadinessCheck {
  name: string;
  /** Without it the instance cannot serve: its failure fails /ready. Otherwise the instance is only degraded. */
  essential?: boolean;
  /** Resolves with what to report when ready; rejects with a NotReadyError when not. */
  check(): Promise<unknown>;
  close?(): Promise<void>;
}

const TIMEOUT_MS = 2_000;

/** `failingFast`: whether the gateway's own calls to it are being failed at once (its circuit is open). */
export function subgraphCheck(name: string, graphqlUrl: string, failingFast?: () => boolean): ReadinessCheck {
  const readyUrl = new URL('/ready', graphqlUrl);
  const reason = `subgraph ${name} is not ready`;
  return {
    name,
    async check() {
      if (failingFast?.()) throw notReady(reason, 'its circuit is open');
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

/** The gateway's own database: reported under `gateway`, by its driver. */
export function databaseCheck(database: Database): ReadinessCheck {
  return {
    name: 'gateway',
    essential: true,
    async check() {
      await Promise.race([
        database.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 2 s')), TIMEOUT_MS).unref()),
      ]).catch((error: unknown) => {
        throw notReady('database unreachable', error);
      });
      return database.driver;
    },
  };
}

const lastDegraded = new WeakMap<ReadinessCheck[], string>();

/**
 * Runs every check. An essential one failing throws (every essential failure, in the order listed); the others'
 * failures are logged and named in `degraded`.
 */
export async function runChecks(checks: ReadinessCheck[]): Promise<Record<string, unknown>> {
  const results = await Promise.allSettled(checks.map((c) => c.check()));
  const failures = results.flatMap((r, i) =>
    r.status === 'fulfilled'
      ? []
      : [
          {
            check: checks[i]!,
            error: r.reason instanceof NotReadyError ? r.reason : notReady(`${checks[i]!.name} is not ready`, r.reason),
          },
        ],
  );
  const essential = failures.filter((f) => f.check.essential).map((f) => f.error);
  if (essential.length > 0) throw allNotReady(essential);
  const degraded = failures.map((f) => f.check.name);
  // Logged when it changes, not on every poll of a load balancer.
  const state = degraded.join(',');
  if (state !== (lastDegraded.get(checks) ?? '')) {
    console.error(
      failures.length > 0
        ? `ready, degraded: ${failures.map((f) => f.error.detail).join('; ')}`
        : 'ready, no longer degraded',
    );
    lastDegraded.set(checks, state);
  }
  return {
    ...Object.fromEntries(
      checks.flatMap((c, i) => (results[i]!.status === 'fulfilled' ? [[c.name, results[i]!.value]] : [])),
    ),
    degraded,
  };
}
