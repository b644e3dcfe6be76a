// Mutations against an in-process subgraph: they have a time limit of their own, one that ran out answers
// SUBGRAPH_TIMEOUT with `outcomeUnknown` (the write may have committed), they never count toward the circuit
// breaker (a slow batch write cannot open a department's circuit for everyone), and an open circuit refuses them
// unsent. The breaker opens only once 20 reads of its window were made.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { Caller, GatewayContext } from '../../../../gateway/caller.js';
import { callerHeaderOf } from '../../../../gateway/subgraph-calls/caller-header.js';
import type { SubgraphCallSettings } from '../../../../gateway/subgraph-calls/subgraph-fetch.js';
import { SubgraphDataSource } from '../../../../gateway/subgraph-calls/subgraph-source.js';

const SECRET = 'unit-test-subgraph-secret-of-some-length';
const caller: Caller = {
  client: {
    id: 'dept-hr',
    kind: 'DEPARTMENT',
    name: 'HR',
    city: null,
    domain: 'hr',
    purposes: ['CARD_SERVICE'],
    status: 'ACTIVE',
    requestsPerMinute: 600,
  },
  purpose: 'CARD_SERVICE',
  operator: 'clerk-0001',
  caseRef: null,
  requestId: '6f1c2a1e-0000-4000-8000-000000000001',
} as unknown as Caller;
const READ = '{ holder { name } }';
const WRITE = 'mutation { recordRides(input: []) { count } }';

let server: Server | undefined;
let logged: MockInstance;
beforeEach(() => {
  logged = vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(async () => {
  logged.mockRestore();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A subgraph answering every call after `delayMs(body)` (never, for Infinity); the bodies it received. */
async function subgraph(delayMs: (body: string) => number): Promise<{ url: string; received: string[] }> {
  const received: string[] = [];
  server = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push(body);
      const delay = delayMs(body);
      if (delay === Infinity) return;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { ok: true } }));
      }, delay);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/graphql`, received };
}

const call = (source: SubgraphDataSource, query: string) =>
  source.process({
    kind: 'incoming operation',
    request: { query, variables: {}, operationName: undefined, http: undefined },
    incomingRequestContext: { overallCachePolicy: { restrict: () => {} } },
    context: { caller, callerHeader: callerHeaderOf(caller), audit: {} },
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>);

const settings = (more: Partial<SubgraphCallSettings> = {}): SubgraphCallSettings => ({
  timeoutMs: 100,
  mutationTimeoutMs: 400,
  maxSockets: 32,
  breakerResetMs: 60_000,
  ...more,
});

describe('mutations through SubgraphDataSource', () => {
  it('gives a mutation its own, longer time limit than a read', async () => {
    const { url } = await subgraph(() => 250);
    const source = new SubgraphDataSource('transport', url, SECRET, settings());
    expect((await call(source, WRITE)).data).toEqual({ ok: true });
    await expect(call(source, READ)).rejects.toMatchObject({
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'transport' },
    });
  });

  it('answers a mutation that ran out of time SUBGRAPH_TIMEOUT, its outcome unknown, to retry with the same key', async () => {
    const { url, received } = await subgraph(() => Infinity);
    const source = new SubgraphDataSource('transport', url, SECRET, settings());
    const started = Date.now();
    const failed = await call(source, WRITE).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(failed).toMatchObject({
      message: expect.stringContaining('retry it with the same idempotencyKey'),
      extensions: { code: 'SUBGRAPH_TIMEOUT', serviceName: 'transport', outcomeUnknown: true },
    });
    expect(received).toHaveLength(1);
  });

  it('never counts a mutation toward the breaker, however many time out', async () => {
    const { url } = await subgraph((body) => (body.includes('mutation') ? Infinity : 0));
    const source = new SubgraphDataSource('transport', url, SECRET, settings({ mutationTimeoutMs: 100 }));
    const writes = await Promise.allSettled(Array.from({ length: 30 }, () => call(source, WRITE)));
    expect(writes.every((r) => r.status === 'rejected')).toBe(true);
    expect(source.failingFast).toBe(false);
    expect((await call(source, READ)).data).toEqual({ ok: true });
  });

  it('opens only once 20 reads of its window were made, and then refuses a mutation unsent', async () => {
    const { url, received } = await subgraph(() => Infinity);
    const source = new SubgraphDataSource('transport', url, SECRET, settings());
    await Promise.allSettled(Array.from({ length: 19 }, () => call(source, READ)));
    expect(source.failingFast).toBe(false);
    await expect(call(source, READ)).rejects.toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE' } });
    expect(source.failingFast).toBe(true);

    const sent = received.length;
    const refused = await call(source, WRITE).catch((e: unknown) => e);
    expect(refused).toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'transport' } });
    // Not sent, so not run: nothing unknown about it.
    expect((refused as { extensions: object }).extensions).not.toHaveProperty('outcomeUnknown');
    expect(received).toHaveLength(sent);
  });

  it('tells a mutation refused a connection that it did not run', async () => {
    const { url } = await subgraph(() => 0);
    server!.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    const refused = await call(new SubgraphDataSource('transport', url, SECRET, settings()), WRITE).catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'transport' } });
    expect((refused as { extensions: object }).extensions).not.toHaveProperty('outcomeUnknown');
  });
});
