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

export const KEY_PREFIX = 'ykt-hub:';

/**
 * Apollo's cache interface over ioredis. A cache is best effort: while Redis is away a read misses and a write
 * is dropped (and /ready says so), rather than failing the request.
 */
class RedisKeyValueCache implements KeyValueCache<string> {
  constructor(private readonly redis: Redis) {}

  private async attempt<T>(what: string, call: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await call();
    } catch (error) {
      console.error(`shared state: redis ${what} failed:`, error instanceof Error ? error.message : error);
      return fallback;
    }
  }

  get(key: string): Promise<string | undefined> {
    return this.attempt('get', async () => (await this.redis.get(key)) ?? undefined, undefined);
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    // TTLs come in seconds from Apollo.
    const ttl = options?.ttl;
    await this.attempt(
      'set',
      () => (ttl ? this.redis.set(key, value, 'EX', Math.ceil(ttl)) : this.redis.set(key, value)),
      null,
    );
  }

  delete(key: string): Promise<boolean> {
    return this.attempt('delete', async () => (await this.redis.del(key)) > 0, false);
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
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  redis.on('error', () => {}); // reported through /ready and the failing calls, not as an unhandled event
  return {
    cache: new PrefixingKeyValueCache(new RedisKeyValueCache(redis), KEY_PREFIX),
    redis,
    async close() {
      redis.disconnect();
    },
  };
}
