// Per-client budgets in one-minute windows: in process, and in Redis (shared by gateway instances) when
// REDIS_URL is set. The clock is fixed inside a window, so no minute boundary falls mid-test.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { openRateLimiter, RATE_KEY_PREFIX, type RateLimiter } from '../../gateway/limits/rate-limiter.js';

const redisUrl = process.env.REDIS_URL || undefined;
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

/** 15.5 s into a minute: a refused request may retry in 45 s. */
const minuteStart = Math.floor(Date.now() / 60_000) * 60_000;
let clock = minuteStart + 15_500;
const now = () => clock;

function connect(): Redis {
  const redis = new Redis(redisUrl!, { maxRetriesPerRequest: 1 });
  closers.push(async () => void redis.disconnect());
  return redis;
}

function limiter(redis: Redis | null): RateLimiter {
  const opened = openRateLimiter(redis, { now });
  closers.push(() => opened.close());
  return opened;
}

/** Client ids no other run uses: with Redis, parallel runs share the keys. */
const uniqueClient = (label: string) => `test-${label}-${randomBytes(4).toString('hex')}`;

async function takeMany(l: RateLimiter, clientId: string, perMinute: number, times: number) {
  const decisions = [];
  for (let i = 0; i < times; i++) decisions.push(await l.take(clientId, perMinute));
  return decisions;
}

const modes: [string, () => Redis | null][] = [['in process', () => null]];
if (redisUrl) modes.push(['redis', connect]);

describe.each(modes)('%s', (_mode, redisOf) => {
  it('admits N requests in a window and refuses the next, saying when to retry', async () => {
    const l = limiter(redisOf());
    const client = uniqueClient('n');
    const decisions = await takeMany(l, client, 5, 6);
    expect(decisions.slice(0, 5)).toEqual(Array(5).fill({ allowed: true }));
    const refused = decisions[5]!;
    expect(refused.allowed).toBe(false);
    if (refused.allowed) return;
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(refused.retryAfterSeconds).toBe(45);
  });

  it('counts each client on its own', async () => {
    const l = limiter(redisOf());
    const busy = uniqueClient('busy');
    const quiet = uniqueClient('quiet');
    await takeMany(l, busy, 2, 3);
    expect(await l.take(busy, 2)).toMatchObject({ allowed: false });
    expect(await l.take(quiet, 2)).toEqual({ allowed: true });
  });

  it('starts afresh in the next window', async () => {
    const l = limiter(redisOf());
    const client = uniqueClient('window');
    const saved = clock;
    try {
      await takeMany(l, client, 1, 1);
      expect(await l.take(client, 1)).toMatchObject({ allowed: false });
      clock = minuteStart + 60_000 + 100;
      expect(await l.take(client, 1)).toEqual({ allowed: true });
      expect(await l.take(client, 1)).toEqual({ allowed: false, retryAfterSeconds: 60 });
    } finally {
      clock = saved;
    }
  });
});

describe.runIf(redisUrl)('with REDIS_URL', () => {
  it('shares a client count between two limiter instances, under ykt-hub:rate:', async () => {
    const redis = connect();
    const first = limiter(redis);
    const second = limiter(connect());
    const client = uniqueClient('shared');
    await takeMany(first, client, 4, 2);
    await takeMany(second, client, 4, 2);
    expect(await first.take(client, 4)).toMatchObject({ allowed: false });
    expect(await second.take(client, 4)).toMatchObject({ allowed: false });
    expect(await redis.get(`${RATE_KEY_PREFIX}${client}:${Math.floor(clock / 60_000)}`)).toBe('6');
    expect(RATE_KEY_PREFIX).toBe('ykt-hub:rate:');
  });
});

it('counts in process while Redis is unreachable: not refused for Redis’s sake, nor unlimited', async () => {
  // Port 1: nothing listens there; no reconnection attempts, so the test does not wait on them.
  const unreachable = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  unreachable.on('error', () => {});
  closers.push(async () => void unreachable.disconnect());
  const l = limiter(unreachable);
  const decisions = await takeMany(l, uniqueClient('down'), 2, 3);
  expect(decisions.slice(0, 2)).toEqual(Array(2).fill({ allowed: true }));
  expect(decisions[2]).toMatchObject({ allowed: false });
});
