// State every gateway instance shares: in Redis when REDIS_URL is set, so instances behind one load balancer
// agree; in process otherwise (one gateway, the embedded default). Today it holds the automatic persisted
// queries (operation documents by hash; no holder data ever goes here).
import {
  InMemoryLRUCache,
  PrefixingKeyValueCache,
  type KeyValueCache,
  type KeyValueCacheSetOptions,
} from '@apollo/utils.keyvaluecache';
import { Redis } from 'ioredis';
import { describeForLog } from './protocol/errors.js';

export const KEY_PREFIX = 'ykt-hub:';
/** How long one Redis command may take before the caller falls back to this process (the cache, the rate limit). */
const REDIS_COMMAND_TIMEOUT_MS = 500;

/**
 * Apollo's cache interface over ioredis. A cache is best effort: while Redis is away, entries are read from and
 * written to this process's own cache instead (and /ready reports Redis as degraded), rather than failing the
 * request. A Redis known to be away (between reconnection attempts, or failing them) is not asked at all: each
 * lookup would otherwise wait for its retry and timeout (seconds) before missing. Every entry is kept locally too,
 * so what was registered while Redis was away is still found here when it returns.
 */
class RedisKeyValueCache implements KeyValueCache<string> {
  private readonly local = new InMemoryLRUCache<string>();
  private failing = false;

  constructor(private readonly redis: Redis) {
    redis.on('error', () => this.fail());
    redis.on('ready', () => {
      if (this.failing) console.error('shared state: redis answers again');
      this.failing = false;
    });
  }

  private fail(detail?: unknown) {
    if (!this.failing)
      console.error(
        "shared state: redis failed; using this process's cache until it answers",
        detail instanceof Error ? `(${describeForLog(detail)})` : '',
      );
    this.failing = true;
  }

  /** Away, as far as the connection knows: closed, between attempts, or attempting after a failure. */
  private away(): boolean {
    const status = this.redis.status;
    return status === 'reconnecting' || status === 'close' || status === 'end' || (this.failing && status !== 'ready');
  }

  private async attempt<T>(call: () => Promise<T>, fallback: T): Promise<T> {
    if (this.away()) return fallback;
    try {
      return await call();
    } catch (error) {
      this.fail(error);
      return fallback;
    }
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.attempt(async () => (await this.redis.get(key)) ?? undefined, undefined)) ?? this.local.get(key);
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    await this.local.set(key, value, options);
    // TTLs come in seconds from Apollo.
    const ttl = options?.ttl;
    await this.attempt(
      () => (ttl ? this.redis.set(key, value, 'EX', Math.ceil(ttl)) : this.redis.set(key, value)),
      null,
    );
  }

  async delete(key: string): Promise<boolean> {
    const local = await this.local.delete(key);
    return (await this.attempt(async () => (await this.redis.del(key)) > 0, false)) || local;
  }
}

export interface SharedState {
  cache: KeyValueCache<string>;
  /** The Redis connection, when configured; readiness pings it. */
  redis: Redis | null;
  close(): Promise<void>;
}

export function openSharedState(redisUrl: string | undefined): SharedState {
  if (!redisUrl)
    return {
      cache: new PrefixingKeyValueCache(new InMemoryLRUCache(), KEY_PREFIX),
      redis: null,
      close: async () => {},
    };
  // One retry, then the call fails (and the cache misses) rather than holding a request while Redis is away.
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    // A Redis that holds its connection but stops answering (frozen) must not hold every request with it.
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
  });
  redis.on('error', () => {}); // reported through /ready and the failing calls, not as an unhandled event
  return {
    cache: new PrefixingKeyValueCache(new RedisKeyValueCache(redis), KEY_PREFIX),
    redis,
    async close() {
      redis.disconnect();
    },
  };
}
