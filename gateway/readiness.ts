// What /ready means for the gateway: the supergraph is loaded, every subgraph (and so its database) answers
// its own /ready, and Redis answers when one is configured.
import { Redis } from 'ioredis';

export interface ReadinessCheck {
  name: string;
  check(): Promise<unknown>;
  close?(): Promise<void>;
}

const TIMEOUT_MS = 2_000;

export function subgraphCheck(name: string, graphqlUrl: string): ReadinessCheck {
  const readyUrl = new URL('/ready', graphqlUrl);
  return {
    name,
    async check() {
      const res = await fetch(readyUrl, { signal: AbortSignal.timeout(TIMEOUT_MS) }).catch(() => null);
      if (!res?.ok) throw new Error(`subgraph ${name} is not ready`);
      return ((await res.json()) as { database?: string }).database;
    },
  };
}

export function redisCheck(url: string): ReadinessCheck {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: TIMEOUT_MS });
  redis.on('error', () => {}); // reported through /ready, not as an unhandled event
  return {
    name: 'redis',
    async check() {
      if (redis.status === 'wait') await redis.connect();
      await redis.ping();
      return 'redis';
    },
    async close() {
      redis.disconnect();
    },
  };
}

export async function runChecks(checks: ReadinessCheck[]): Promise<Record<string, unknown>> {
  const results = await Promise.all(checks.map(async (c) => [c.name, await c.check()] as const));
  return Object.fromEntries(results);
}
