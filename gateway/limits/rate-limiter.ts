// Per-client request budgets (the register's requests_per_minute) in fixed one-minute windows: the count starts
// afresh at each minute of the clock. In Redis when the gateway has it, so instances behind one load balancer
// share a client's budget; in process otherwise. A fixed window may admit up to twice the rate across a minute
// boundary; that is accepted for one atomic command per request.
import type { Redis } from 'ioredis';
import { KEY_PREFIX } from '../../core/shared-state.js';
import { describeForLog } from '../../core/protocol/errors.js';

export const RATE_KEY_PREFIX = `${KEY_PREFIX}rate:`;

const WINDOW_MS = 60_000;

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  /**
   * Counts `amount` (one request by default; the holders a request names, for the holders' budget) against
   * `perMinute` for `key` (a client id), and says whether it may go ahead.
   */
  take(key: string, perMinute: number, amount?: number): Promise<RateDecision>;
  /** Leaves a Redis connection it was given open: its owner closes it. */
  close(): Promise<void>;
}

export interface RateLimiterOptions {
  /** The clock, in milliseconds; tests fix it so that no window ends mid-test. */
  now?: () => number;
}

function decide(count: number, perMinute: number, now: number): RateDecision {
  if (count <= perMinute) return { allowed: true };
  // Until the window ends; at least 1, since Retry-After: 0 invites an immediate retry.
  const windowEnd = (Math.floor(now / WINDOW_MS) + 1) * WINDOW_MS;
  return { allowed: false, retryAfterSeconds: Math.min(60, Math.max(1, Math.ceil((windowEnd - now) / 1000))) };
}

export function openRateLimiter(redis: Redis | null, options: RateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now;
  return redis ? redisLimiter(redis, now) : inProcessLimiter(now);
}

function inProcessLimiter(now: () => number): RateLimiter {
  const counts = new Map<string, { window: number; count: number }>();
  let sweptWindow = -1;
  return {
    async take(clientId, perMinute, amount = 1) {
      const at = now();
      const window = Math.floor(at / WINDOW_MS);
      // Once per window, drop the counts of windows gone by, so a client that stopped calling leaves nothing.
      if (window !== sweptWindow) {
        for (const [id, entry] of counts) if (entry.window !== window) counts.delete(id);
        sweptWindow = window;
      }
      let entry = counts.get(clientId);
      if (entry?.window === window) entry.count += amount;
      else counts.set(clientId, (entry = { window, count: amount }));
      return decide(entry.count, perMinute, at);
    },
    async close() {
      counts.clear();
    },
  };
}

function redisLimiter(redis: Redis, now: () => number): RateLimiter {
  let failing = false;
  // While Redis is away each instance counts on its own: requests are not refused for Redis's sake (a turnstile
  // stopped is worse than a client briefly over its shared budget), nor let through without any limit.
  const local = inProcessLimiter(now);
  const unavailable = (error: unknown, clientId: string, perMinute: number, amount: number): Promise<RateDecision> => {
    if (!failing)
      console.error('rate limiter: redis failed; counting in this process until it answers:', describeForLog(error));
    failing = true;
    return local.take(clientId, perMinute, amount);
  };
  return {
    async take(clientId, perMinute, amount = 1) {
      const at = now();
      const window = Math.floor(at / WINDOW_MS);
      // The window is in the key, so a new minute starts a new count; the key outlives its window by a little
      // (clocks of several gateways differ slightly) and then goes.
      const key = `${RATE_KEY_PREFIX}${clientId}:${window}`;
      const ttl = (window + 1) * WINDOW_MS - at + 5_000;
      // Known to be away (between reconnection attempts): admit at once rather than wait on a doomed call.
      if (redis.status === 'reconnecting' || redis.status === 'close' || redis.status === 'end')
        return unavailable(new Error(`connection ${redis.status}`), clientId, perMinute, amount);
      try {
        // MULTI: the count and its expiry together, so no key is left without one.
        const results = await redis.multi().incrby(key, amount).pexpire(key, ttl).exec();
        const [incr] = results ?? [];
        if (!incr || incr[0]) throw incr?.[0] ?? new Error('transaction discarded');
        if (failing) console.error('rate limiter: redis answers again; limiting resumed');
        failing = false;
        return decide(Number(incr[1]), perMinute, at);
      } catch (error) {
        return unavailable(error, clientId, perMinute, amount);
      }
    },
    close: () => local.close(),
  };
}
