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
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

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

  it('names an unreachable subgraph SUBGRAPH_UNAVAILABLE, and passes an HTTP error on as Apollo words it', async () => {
    const { url } = await subgraph(json(500, { errors: [{ message: 'boom' }] }));
    const source = new SubgraphDataSource('hr', url, SECRET);
    await expect(source.process(operation(newContext()))).rejects.toMatchObject({
      message: '500: Internal Server Error',
      extensions: {
        response: { url, status: 500, statusText: 'Internal Server Error', body: { errors: [{ message: 'boom' }] } },
      },
    });
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await expect(new SubgraphDataSource('hr', url, SECRET).process(operation(newContext()))).rejects.toMatchObject({
        message: 'The hr service is unavailable; try again shortly',
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'hr' },
      });
      expect(logged).toHaveBeenCalledWith('subgraph hr unreachable:', expect.stringContaining('ECONNREFUSED'));
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
