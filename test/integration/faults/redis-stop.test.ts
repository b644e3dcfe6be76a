// Redis stopped under a gateway that uses it (a private redis-server this file starts). Requests go on without
// waiting for it: persisted queries registered before are still served by hash, new ones register in the
// gateway's own cache, the rate limiter counts in process; /ready answers 200 naming Redis as degraded. Started
// again, Redis is used again; frozen (SIGSTOP), it holds no request beyond its command timeout. Every answer
// with holder data has its audit record, and the chain verifies.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { KEY_PREFIX } from '../../../core/shared-state.js';
import {
  killAll,
  startPrivateRedis,
  startProcessHub,
  type PrivateRedis,
  type ProcessHub,
} from '../../support/processes.js';
import {
  ask,
  askPersisted,
  expectAudited,
  expectCodedErrors,
  failures,
  registerHolders,
  type Answer,
} from './support.js';

let redis: PrivateRedis;
let hub: ProcessHub;
let ids: string[];

beforeAll(async () => {
  redis = await startPrivateRedis();
  hub = await startProcessHub({ subgraphs: ['hr', 'culture-tourism'], env: { REDIS_URL: redis.url } });
  ids = await registerHolders(hub, 3);
});
afterAll(async () => {
  await hub?.close();
  await redis?.stop();
  await killAll();
});

it('serves on without waiting for a stopped Redis, persisted queries included, and reports it degraded', async () => {
  const answers: Answer[] = [];
  const name = `Persisted_${process.pid}`;
  answers.push(await askPersisted(hub, ids[0]!, name, false));
  const byHash = await askPersisted(hub, ids[0]!, name, true);
  answers.push(byHash);
  expect(failures(byHash)).toEqual([]);
  const client = new Redis(redis.url);
  expect((await client.keys(`${KEY_PREFIX}*`)).length).toBeGreaterThan(0);
  client.disconnect();

  await redis.stop();
  // The first call after the stop learns it; from then on nothing waits for Redis.
  answers.push(await ask(hub, ids[0]!));
  const down = [
    ...(await Promise.all(Array.from({ length: 10 }, (_, i) => ask(hub, ids[i % ids.length]!)))),
    ...(await Promise.all(Array.from({ length: 10 }, () => askPersisted(hub, ids[1]!, name, true)))),
  ];
  const fresh = `PersistedWhileDown_${process.pid}`;
  down.push(await askPersisted(hub, ids[2]!, fresh, false), await askPersisted(hub, ids[2]!, fresh, true));
  answers.push(...down);
  for (const a of down) {
    expect(failures(a)).toEqual([]);
    expect(a.body.data.holder.name).toBe('陈小明');
  }
  console.log(`faults: slowest answer with Redis stopped ${Math.max(...down.map((a) => a.ms))} ms`);
  expect(Math.max(...down.map((a) => a.ms))).toBeLessThan(1_500);

  const ready = await fetch(new URL('/ready', hub.gatewayUrl));
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ status: 'ready', degraded: expect.arrayContaining(['redis']) });

  await redis.start();
  let back = false;
  for (const started = Date.now(); !back && Date.now() - started < 10_000;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    back = !(
      (await (await fetch(new URL('/ready', hub.gatewayUrl))).json()) as { degraded: string[] }
    ).degraded.includes('redis');
  }
  expect(back).toBe(true);
  const after = await ask(hub, ids[0]!);
  answers.push(after);
  expect(failures(after)).toEqual([]);

  // Frozen rather than stopped: the socket stays up, so only a per-command timeout lets the gateway go on without it.
  redis.signal('SIGSTOP');
  try {
    const frozen = await Promise.all(Array.from({ length: 6 }, (_, i) => ask(hub, ids[i % ids.length]!)));
    answers.push(...frozen);
    for (const a of frozen) expect(failures(a)).toEqual([]);
    console.log(`faults: slowest answer with Redis frozen ${Math.max(...frozen.map((a) => a.ms))} ms`);
    expect(Math.max(...frozen.map((a) => a.ms))).toBeLessThan(3_000);
  } finally {
    redis.signal('SIGCONT');
  }

  expectCodedErrors(answers);
  await expectAudited(hub, answers);
}, 60_000);
