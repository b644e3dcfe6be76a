// The gateway's subgraph calls, against an in-process server: signed as the subgraphs check them, the access report
// taken out of the answer into the request's audit account, an unreachable subgraph named, and the data source's
// documented hooks (willSendRequest, didReceiveResponse) run, so a subclass adding to one sees it called.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ACCESS_EXTENSION } from '../../../../core/protocol/access-report.js';
import { CALLER_HEADER, CallVerifier, SIGNATURE_HEADER } from '../../../../core/protocol/gateway-proof.js';
import type { Caller, GatewayContext } from '../../../../gateway/caller.js';
import { callerHeaderOf } from '../../../../gateway/subgraph-calls/caller-header.js';
import { SubgraphDataSource } from '../../../../gateway/subgraph-calls/subgraph-source.js';

const SECRET = 'unit-test-subgraph-secret-of-some-length';
const HOLDER = '0b6a1f2e-7c1d-4e3a-9f0b-2a4c6e8d0f12';

const caller: Caller = {
  client: {
    id: 'province',
    kind: 'PROVINCE',
    name: 'Province',
    city: null,
    domain: null,
    purposes: ['HOLDER_SELF_SERVICE'],
    status: 'ACTIVE',
    requestsPerMinute: 60,
  },
  purpose: 'HOLDER_SELF_SERVICE',
  operator: 'clerk-0001',
  caseRef: null,
  place: null,
  requestId: '6f1c2a1e-0000-4000-8000-000000000000',
};
const newContext = (): GatewayContext => ({ caller, callerHeader: callerHeaderOf(caller), audit: {} });

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server | undefined;
const closeServer = async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
};
afterEach(closeServer);

/** A subgraph answering `answer` for every call, and what it received. */
async function subgraph(answer: (res: ServerResponse) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/graphql`, received };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

function operation(
  context: GatewayContext,
  restrict: (hint: unknown) => void = () => {},
): GraphQLDataSourceProcessOptions<GatewayContext> {
  return {
    kind: 'incoming operation',
    request: { query: '{ holder { name } }', variables: { v: 'ä' }, operationName: undefined, http: undefined },
    incomingRequestContext: { overallCachePolicy: { restrict } },
    context,
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
}

describe('SubgraphDataSource', () => {
  it('signs each call over its caller and exact body, and takes the access report into the request’s audit account', async () => {
    const report = {
      holders: { [HOLDER.toUpperCase()]: ['Holder.name'] },
      unlinked: ['Bank.name', 'not a coordinate'],
    };
    const { url, received } = await subgraph(
      json(
        200,
        { data: { holder: { name: 'A' } }, extensions: { [ACCESS_EXTENSION]: report, other: 1 } },
        { 'cache-control': 'max-age=30, private' },
      ),
    );
    const hints: unknown[] = [];
    const context = newContext();
    const response = await new SubgraphDataSource('hr', url, SECRET).process(
      operation(context, (hint) => hints.push(hint)),
    );

    expect(received).toHaveLength(1);
    const [call] = received as [Received];
    expect(call.method).toBe('POST');
    expect(call.url).toBe('/graphql');
    expect(call.body).toBe(JSON.stringify({ query: '{ holder { name } }', variables: { v: 'ä' } }));
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers['content-length']).toBe(String(Buffer.byteLength(call.body)));
    expect(call.headers[CALLER_HEADER]).toBe(context.callerHeader);
    expect(call.headers[SIGNATURE_HEADER]).toBeTypeOf('string');
    expect(
      new CallVerifier(SECRET).verify(call.headers, { method: 'POST', target: '/graphql', body: call.body }),
    ).toEqual({
      requestId: caller.requestId,
      client: 'province',
      kind: 'PROVINCE',
      city: null,
      domain: null,
      purpose: 'HOLDER_SELF_SERVICE',
      operator: 'clerk-0001',
      caseRef: null,
      place: null,
    });

    expect(response.data).toEqual({ holder: { name: 'A' } });
    expect(response.extensions).toEqual({ other: 1 });
    expect(context.audit.served).toEqual({
      holders: new Map([[HOLDER, ['Holder.name']]]),
      unlinked: new Set(['Bank.name']),
    });
    expect(hints).toEqual([{ maxAge: 30, scope: 'PRIVATE' }]);
  });

  it('sends nothing for a request without a caller', async () => {
    const { url, received } = await subgraph(json(200, { data: {} }));
    const options = {
      ...operation(newContext()),
      context: {},
    } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
    await expect(new SubgraphDataSource('hr', url, SECRET).process(options)).rejects.toThrow(
      'no caller for a call to hr',
    );
    expect(received).toHaveLength(0);
  });

  it('names a failing subgraph SUBGRAPH_UNAVAILABLE and a refusing one INTERNAL_SERVER_ERROR, never relaying its answer', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const { url } = await subgraph(json(500, { errors: [{ message: 'boom' }] }));
      const failed = await new SubgraphDataSource('hr', url, SECRET).process(operation(newContext())).catch((e) => e);
      expect(failed).toMatchObject({
        message: 'The hr service is unavailable; try again shortly',
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'hr' },
      });
      expect(Object.keys(failed.extensions)).toEqual(['serviceName', 'code']);
      await closeServer();

      const refusing = await subgraph(
        json(401, { errors: [{ message: 'answers the hub only (stale signature)', extensions: { code: 'X' } }] }),
      );
      const refused = await new SubgraphDataSource('hr', refusing.url, SECRET)
        .process(operation(newContext()))
        .catch((e) => e);
      expect(refused).toMatchObject({
        message: 'The hr service could not answer',
        extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'hr' },
      });
      expect(JSON.stringify(refused.extensions)).not.toMatch(/127\.0\.0\.1|401|stale/);
      // The log has the cause, bounded.
      expect(logged).toHaveBeenCalledWith(
        'subgraph hr refused the call (401):',
        expect.stringContaining('stale signature'),
      );
      await closeServer();

      await expect(new SubgraphDataSource('hr', url, SECRET).process(operation(newContext()))).rejects.toMatchObject({
        message: 'The hr service is unavailable; try again shortly',
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'hr' },
      });
      expect(logged).toHaveBeenCalledWith('subgraph hr unreachable:', expect.stringContaining('ECONNREFUSED'));
    } finally {
      logged.mockRestore();
    }
  });

  it('ends a call the subgraph does not answer within its timeout, and then fails fast until a probe succeeds', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      let hang = true;
      const { url, received } = await subgraph((res) => {
        if (!hang) json(200, { data: { holder: null } })(res);
      });
      const source = new SubgraphDataSource('hr', url, SECRET, { timeoutMs: 150, maxSockets: 10, breakerResetMs: 300 });
      const started = Date.now();
      // The breaker's minimum volume (20 calls in its window) reached, all failed.
      const first = await Promise.allSettled(Array.from({ length: 20 }, () => source.process(operation(newContext()))));
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(first.map((r) => r.status)).toEqual(Array(20).fill('rejected'));
      expect(source.failingFast).toBe(true);
      // Open: refused at once, nothing sent.
      const sent = received.length;
      const fast = Date.now();
      await expect(source.process(operation(newContext()))).rejects.toMatchObject({
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'hr' },
      });
      expect(Date.now() - fast).toBeLessThan(50);
      expect(received.length).toBe(sent);
      // Back: after the reset time one call probes, and succeeds, and the circuit closes.
      hang = false;
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect((await source.process(operation(newContext()))).data).toEqual({ holder: null });
      expect(source.failingFast).toBe(false);
    } finally {
      logged.mockRestore();
    }
  });

  it('signs a call when it leaves, after waiting for a socket, not when it was asked for', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const { url, received } = await subgraph((res) => {
      if (received.length === 1) void held.then(() => json(200, { data: {} })(res));
      else json(200, { data: {} })(res);
    });
    const source = new SubgraphDataSource('hr', url, SECRET, {
      timeoutMs: 5_000,
      maxSockets: 1,
      breakerResetMs: 1_000,
    });
    const first = source.process(operation(newContext()));
    const asked = Date.now();
    const second = source.process(operation(newContext()));
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await Promise.all([first, second]);
    const signedAt = Number(/^t=(\d+)/.exec(String(received[1]!.headers[SIGNATURE_HEADER]))![1]);
    expect(signedAt - asked).toBeGreaterThanOrEqual(250);
  });

  it('sends a query again on a fresh connection when its pooled one turns out closed, never a mutation', async () => {
    // Answers once, then closes every connection that sends another request on it: a subgraph restarted under
    // the pool's idle connections.
    const seen = new WeakSet<object>();
    const { url, received } = await subgraph(() => {});
    server!.removeAllListeners('request');
    server!.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          method: req.method!,
          url: req.url!,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        if (seen.has(req.socket)) return req.socket.destroy();
        seen.add(req.socket);
        json(200, { data: { ok: true } })(res);
      });
    });
    const source = new SubgraphDataSource('hr', url, SECRET);
    await source.process(operation(newContext()));
    expect((await source.process(operation(newContext()))).data).toEqual({ ok: true });
    expect(received).toHaveLength(3);

    // A new pooled connection, answered; the mutation after it finds it closed.
    await source.process(operation(newContext()));
    expect(received).toHaveLength(4);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const mutation = operation(newContext());
      mutation.request.query = 'mutation { reportCardLoss { id } }';
      await expect(source.process(mutation)).rejects.toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE' } });
      expect(received).toHaveLength(5);
    } finally {
      logged.mockRestore();
    }
  });

  it('works through RemoteGraphQLDataSource’s hooks, so a subclass’s own run', async () => {
    const { url, received } = await subgraph(json(200, { data: { holder: null } }));
    const seen: string[] = [];
    class Traced extends SubgraphDataSource {
      override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
        seen.push('willSendRequest');
        super.willSendRequest(options);
        options.request.http!.headers.set('x-traced', 'yes');
      }
      override didReceiveResponse(received: Parameters<SubgraphDataSource['didReceiveResponse']>[0]) {
        seen.push('didReceiveResponse');
        return super.didReceiveResponse(received);
      }
    }
    await new Traced('hr', url, SECRET).process(operation(newContext()));
    expect(seen).toEqual(['willSendRequest', 'didReceiveResponse']);
    expect(received[0]!.headers['x-traced']).toBe('yes');
  });
});
