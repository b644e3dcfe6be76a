// Spent QR nonces: a code verifies once, at whichever gateway and hr instance it is presented. In Redis when
// REDIS_URL is set (SET NX with the code's remaining life), so every instance agrees; in this process otherwise
// (the embedded default runs one hr). The nonce is kept with the request that spent it: the gateway retries a read
// whose answer was lost once, and that retry is the same presentation, not a replay.
//
// While Redis is away, nonces are spent in this process: verification keeps working at hotels and counters, at the
// cost that a code spent at another instance meanwhile could verify once more here within its ≤ 60 s of life.
import type { Redis } from 'ioredis';
import { describeForLog } from '../../core/protocol/errors.js';
import { MAX_CLOCK_SKEW_MS } from './qr-codes.js';

const PREFIX = 'ykt-hub:qr-nonce:';
/** Kept this long past the code's expiry: an instance whose clock is behind must not see a spent nonce as new. */
const MARGIN_MS = MAX_CLOCK_SKEW_MS;

export interface NonceStore {
  /** True when `nonce` was unspent (now spent by `requestId`) or was spent by that same request. */
  spend(nonce: string, requestId: string, expiresAtMs: number): Promise<boolean>;
}

class LocalNonces implements NonceStore {
  private readonly spent = new Map<string, { requestId: string; until: number }>();
  private sweptAt = 0;

  async spend(nonce: string, requestId: string, expiresAtMs: number): Promise<boolean> {
    const now = Date.now();
    // Insertion order is roughly expiry order (every code lives ≤ 60 s): a sweep stops at the first live entry.
    if (now - this.sweptAt > 1_000) {
      this.sweptAt = now;
      for (const [key, entry] of this.spent) {
        if (entry.until > now) break;
        this.spent.delete(key);
      }
    }
    const seen = this.spent.get(nonce);
    if (seen && seen.until > now) return seen.requestId === requestId;
    this.spent.set(nonce, { requestId, until: expiresAtMs + MARGIN_MS });
    return true;
  }
}

class RedisNonces implements NonceStore {
  private readonly local = new LocalNonces();
  private failing = false;

  constructor(private readonly redis: Redis) {}

  async spend(nonce: string, requestId: string, expiresAtMs: number): Promise<boolean> {
    const ttl = Math.max(1, expiresAtMs + MARGIN_MS - Date.now());
    try {
      const set = await this.redis.set(PREFIX + nonce, requestId, 'PX', ttl, 'NX');
      if (this.failing) console.error('hr: QR nonces are spent in Redis again');
      this.failing = false;
      if (set === 'OK') return true;
      return (await this.redis.get(PREFIX + nonce)) === requestId;
    } catch (error) {
      if (!this.failing)
        console.error(`hr: Redis failed (${describeForLog(error)}); QR nonces are spent in this process meanwhile`);
      this.failing = true;
      return this.local.spend(nonce, requestId, expiresAtMs);
    }
  }
}

export const openNonceStore = (redis: Redis | null): NonceStore => (redis ? new RedisNonces(redis) : new LocalNonces());
