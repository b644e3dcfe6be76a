// Automatic persisted queries through the real gateway. With REDIS_URL the registration lives in Redis, so a
// second gateway instance serves the hash too; embedded, each instance keeps its own.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, expect } from 'vitest';
import { startGateway } from '../../gateway/server.js';
import { KEY_PREFIX } from '../../core/shared-state.js';
import type { RunningServer } from '../../core/http.js';
import { hubTest } from '../support/fixtures.js';
import { codes, READER, type TestHub } from '../support/hub.js';

const it = hubTest();
let second: RunningServer;

it.beforeAll(async ({ hub }) => {
  second = await startGateway(hub.gatewayConfig(), { database: hub.gateway.database });
});
afterAll(async () => {
  await second?.close();
});

// A document no other test file registers, so this file's runs do not see each other's keys.
const query = `{ banks { code } __typename apq: __typename }`;
const hash = createHash('sha256').update(query).digest('hex');
const persisted = { persistedQuery: { version: 1, sha256Hash: hash } };
/** A request body as the provincial platform sends it, to the gateway at `url`. */
const send = async (hub: TestHub, url: string, body: Record<string, unknown>) =>
  (await hub.as(READER, url).send(body)).body;

it('registers a document by hash and serves it by hash alone, from Redis when configured', async ({ hub }) => {
  const redis = process.env.REDIS_URL ? new Redis(process.env.REDIS_URL) : null;
  try {
    await redis?.del(`${KEY_PREFIX}apq:${hash}`);
    expect(codes(await send(hub, hub.gatewayUrl, { extensions: persisted }))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect((await send(hub, hub.gatewayUrl, { query, extensions: persisted })).data).toMatchObject({ banks: [] });
    expect((await send(hub, hub.gatewayUrl, { extensions: persisted })).data).toMatchObject({ banks: [] });

    const onSecond = await send(hub, second.url, { extensions: persisted });
    if (redis) {
      expect(await redis.get(`${KEY_PREFIX}apq:${hash}`)).toBe(query);
      expect(onSecond.data).toMatchObject({ banks: [] });
    } else {
      expect(codes(onSecond)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    }
  } finally {
    redis?.disconnect();
  }
});

it('refuses a document that does not match its hash', async ({ hub }) => {
  const result = await send(hub, hub.gatewayUrl, { query: '{ banks { name } }', extensions: persisted });
  expect(result.errors).toEqual([
    { message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } },
  ]);
});
