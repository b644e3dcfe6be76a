// The HTTP front (core/http.ts) on its own, over a one-field Apollo Server on port 0: every refusal it makes itself
// is a GraphQL error with a code and the right status and media type, its hooks run before and after the body, and
// its timeouts cut a request that stalls.
import { ApolloServer } from '@apollo/server';
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { listen, RefusedRequest, type HttpEndpoints, type RunningServer } from '../../../core/http.js';

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  vi.restoreAllMocks();
});

async function serve(extra: Partial<HttpEndpoints<{ auth?: unknown }, any>> = {}): Promise<RunningServer> {
  const apollo = new ApolloServer<{ auth?: unknown }>({
    typeDefs: 'type Query { hello: String! auth: String }',
    resolvers: { Query: { hello: () => 'world', auth: (_p, _a, ctx) => JSON.stringify(ctx.auth ?? null) } },
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  const server = await listen(
    { apollo, context: async (_req, auth) => ({ auth }), ready: async () => ({}), ...extra },
    0,
    '127.0.0.1',
  );
  servers.push({ close: async () => (await server.close(), await apollo.stop()) });
  return server;
}

const JSON_UTF8 = 'application/json; charset=utf-8';

/** Asserts a GraphQL error answer with this status and code; returns it. */
async function expectRefusal(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe(JSON_UTF8);
  const body = (await res.json()) as any;
  expect(body).toEqual({ errors: [{ message: expect.any(String), extensions: expect.objectContaining({ code }) }] });
  return body;
}

const post = (url: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(url, { method: 'POST', headers, body });

/** A raw HTTP/1.1 exchange: writes `head` (and optionally more), resolves with all the server sent and when. */
function rawExchange(port: number, head: string): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, ms: Date.now() - started }));
  });
}

describe('one error envelope', () => {
  it('answers a body that is not JSON, or cut short, with 400 BAD_REQUEST', async () => {
    const server = await serve();
    await expectRefusal(await post(server.url, 'not json'), 400, 'BAD_REQUEST');
    await expectRefusal(await post(server.url, '{"query": "{ hel'), 400, 'BAD_REQUEST');
    // An empty body: Apollo's own refusal, in the same envelope.
    await expectRefusal(await post(server.url, ''), 400, 'BAD_REQUEST');
  });

  it('answers in the media type Apollo would pick for the Accept header', async () => {
    const server = await serve();
    const res = await post(server.url, '{', {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
  });

  it.each(['PUT', 'DELETE', 'PATCH'])('refuses %s with 405 and Allow', async (method) => {
    const server = await serve();
    const res = await fetch(server.url, { method, headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.headers.get('allow')).toBe('GET, POST');
    await expectRefusal(res, 405, 'METHOD_NOT_ALLOWED');
  });

  it('refuses a body over the limit with 413, declared or streamed', async () => {
    const server = await serve({ limits: { maxBodyBytes: 1_000 } });
    await expectRefusal(
      await post(server.url, JSON.stringify({ query: `{ hello }${' '.repeat(2_000)}` })),
      413,
      'REQUEST_TOO_LARGE',
    );
    // Chunked, without a length: refused once the limit is passed.
    const streamed = await rawExchange(
      server.port,
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `7d0\r\n${'x'.repeat(2_000)}\r\n`,
    );
    expect(streamed.text).toMatch(/^HTTP\/1.1 413 /);
    expect(streamed.text).toContain('"code":"REQUEST_TOO_LARGE"');
  });

  it('refuses a POST that is not application/json with 415', async () => {
    const server = await serve();
    await expectRefusal(
      await post(server.url, '{"query":"{ hello }"}', { 'content-type': 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('takes media types in any case', async () => {
    const server = await serve();
    const res = await post(server.url, '{"query":"{ hello }"}', { 'content-type': 'APPLICATION/JSON; Charset=UTF-8' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { hello: 'world' } });
  });

  it('answers unknown paths 404 naming the endpoints; status paths take GET only', async () => {
    const server = await serve();
    const base = server.url.replace('/graphql', '');
    const body = await expectRefusal(await fetch(`${base}/nothing`), 404, 'NOT_FOUND');
    expect(body.errors[0].extensions.endpoints).toEqual(['/graphql', '/health', '/ready']);
    const res = await fetch(`${base}/health`, { method: 'POST' });
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    await expectRefusal(res, 405, 'METHOD_NOT_ALLOWED');
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });
  });

  it('answers an unexpected failure 500 in the envelope, logging a bounded line', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const server = await serve({
      admit: async () => {
        throw new Error(`boom ${'x'.repeat(10_000)}`);
      },
    });
    const body = await expectRefusal(await post(server.url, '{"query":"{ hello }"}'), 500, 'INTERNAL_SERVER_ERROR');
    expect(body.errors[0].message).toBe('Internal server error');
    expect(logged).toHaveBeenCalledTimes(1);
    const line = String(logged.mock.calls[0]![0]);
    expect(line).toMatch(/^request failed: /);
    expect(line.length).toBeLessThanOrEqual(2_100);
  });

  it('answers malformed HTTP in the envelope too', async () => {
    const server = await serve();
    const { text } = await rawExchange(server.port, 'GARBAGE\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1.1 400 /);
    expect(text).toContain(
      '{"errors":[{"message":"The request is not well-formed HTTP","extensions":{"code":"BAD_REQUEST"}}]}',
    );
  });
});

describe('headers too large', () => {
  const huge = `x-pad: ${'x'.repeat(20_000)}\r\n`;

  it('answers 431 in the envelope', async () => {
    const server = await serve();
    const { text } = await rawExchange(server.port, `POST /graphql HTTP/1.1\r\nHost: x\r\n${huge}\r\n`);
    expect(text).toMatch(/^HTTP\/1.1 431 /);
    expect(text).toContain('"code":"BAD_REQUEST"');
  });

  it('answers a HEAD request 431 without a body', async () => {
    const server = await serve();
    const { text } = await rawExchange(server.port, `HEAD /graphql HTTP/1.1\r\nHost: x\r\n${huge}\r\n`);
    expect(text).toMatch(/^HTTP\/1.1 431 /);
    expect(text).toMatch(/Content-Length: 0\r\n.*\r\n\r\n$/s);
  });
});

describe('hooks', () => {
  it('authorize sees the raw body; its refusal is answered with its status and code', async () => {
    const seen: string[] = [];
    const server = await serve({
      authorize: (_req, body) => {
        seen.push(body);
        if (body.includes('refuse')) throw new RefusedRequest(401, 'UNAUTHENTICATED', 'not signed');
        return 'signed';
      },
    });
    const ok = await post(server.url, '{"query":"{ auth }"}');
    expect(await ok.json()).toEqual({ data: { auth: '"signed"' } });
    await expectRefusal(await post(server.url, '{"query":"{ auth }","refuse":1}'), 401, 'UNAUTHENTICATED');
    expect(seen).toEqual(['{"query":"{ auth }"}', '{"query":"{ auth }","refuse":1}']);
  });

  it('admit refuses on headers alone, at once, while the body is still to come', async () => {
    const server = await serve({
      admit: async (req) => {
        if (req.headers.authorization !== 'Bearer good')
          throw new RefusedRequest(401, 'UNAUTHENTICATED', 'no', { headers: { 'www-authenticate': 'Bearer' } });
        return 'admitted';
      },
      limits: { headersTimeoutMs: 5_000, requestTimeoutMs: 5_000 },
    });
    // Headers promise 1000 bytes that never come: answered and closed well before any timeout.
    const { text, ms } = await rawExchange(
      server.port,
      'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"qu',
    );
    expect(text).toMatch(/^HTTP\/1.1 401 /);
    expect(text.toLowerCase()).toContain('www-authenticate: bearer');
    expect(text).toContain('"code":"UNAUTHENTICATED"');
    expect(ms).toBeLessThan(1_000);
    const ok = await post(server.url, '{"query":"{ auth }"}', {
      'content-type': 'application/json',
      authorization: 'Bearer good',
    });
    expect(await ok.json()).toEqual({ data: { auth: '"admitted"' } });
  });
});

describe('timeouts', () => {
  it('cuts a request whose body stalls, answering 408 in the envelope', async () => {
    const server = await serve({ limits: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
    const { text, ms } = await rawExchange(
      server.port,
      'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query"',
    );
    expect(text).toMatch(/^HTTP\/1.1 408 /);
    expect(text).toContain('"code":"REQUEST_TIMEOUT"');
    expect(ms).toBeGreaterThanOrEqual(500);
    expect(ms).toBeLessThan(2_000);
  });

  it('cuts a request whose headers stall', async () => {
    const server = await serve({ limits: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
    const { text, ms } = await rawExchange(server.port, 'POST /graphql HTTP/1.1\r\nHost: x\r\n');
    expect(text).toMatch(/^HTTP\/1.1 408 /);
    expect(ms).toBeLessThan(1_500);
  });
});
