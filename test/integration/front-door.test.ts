// The gateway's HTTP door, through real sockets: refusals in one GraphQL envelope, the caller authenticated on its
// headers before its body is read, stalled uploads cut by the server's timeouts, and tokens held to a lifetime.
import { SignJWT } from 'jose';
import { connect } from 'node:net';
import { describe, expect } from 'vitest';
import { DEFAULT_HTTP_LIMITS } from '../../core/http.js';
import { startGateway, type RunningGateway } from '../../gateway/server.js';
import { hubTest } from '../support/fixtures.js';
import { READER, TEST_AUDIENCE, TEST_JWT_SECRET, type TestHub } from '../support/hub.js';

const it = hubTest();

const JSON_UTF8 = 'application/json; charset=utf-8';
const BANKS = JSON.stringify({ query: '{ banks { code } }' });

/** Asserts a GraphQL error answer with this status and code; returns its first error. */
async function expectRefusal(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe(JSON_UTF8);
  const body = (await res.json()) as any;
  expect(body).toEqual({ errors: [{ message: expect.any(String), extensions: expect.objectContaining({ code }) }] });
  return body.errors[0];
}

/** Writes `head` on a fresh connection and holds it open: all the server sent, once it closes, and when. */
function stalledRequest(port: number, head: string): Promise<{ text: string; ms: number }> {
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

/** The head of a POST promising 10 KB of body, of which it sends a few bytes. */
function stalledPost(headers: Record<string, string>): string {
  const lines = Object.entries({ ...headers, 'content-length': '10000' }).map(([k, v]) => `${k}: ${v}\r\n`);
  return `POST /graphql HTTP/1.1\r\nhost: localhost\r\n${lines.join('')}\r\n{"query":`;
}

const sign = (claims: { iat?: number; exp: number }, clientId = READER.client) => {
  const jwt = new SignJWT({ ...(claims.iat !== undefined ? { iat: claims.iat } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(clientId)
    .setAudience(TEST_AUDIENCE)
    .setExpirationTime(claims.exp);
  return jwt.sign(new TextEncoder().encode(TEST_JWT_SECRET));
};

async function withToken(hub: TestHub, token: string) {
  const headers = { ...(await hub.headers(READER)), authorization: `Bearer ${token}` };
  return fetch(hub.gatewayUrl, { method: 'POST', headers, body: BANKS });
}

const now = () => Math.floor(Date.now() / 1000);

describe('one error envelope at the gateway', () => {
  it('answers a caller with a valid token and a bad request in GraphQL errors, never 500', async ({ hub }) => {
    const headers = await hub.headers(READER);
    const send = (init: RequestInit) => fetch(hub.gatewayUrl, { method: 'POST', headers, ...init });
    await expectRefusal(await send({ body: '{"query": "{ banks { co' }), 400, 'BAD_REQUEST');
    await expectRefusal(await send({ body: 'not json at all' }), 400, 'BAD_REQUEST');
    await expectRefusal(await send({ body: '' }), 400, 'BAD_REQUEST');
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const res = await send({ method, body: BANKS });
      expect(res.headers.get('allow')).toBe('GET, POST');
      await expectRefusal(res, 405, 'METHOD_NOT_ALLOWED');
    }
    await expectRefusal(
      await send({ headers: { ...headers, 'content-type': 'text/plain' }, body: BANKS }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    await expectRefusal(
      await send({
        body: JSON.stringify({ query: `{ banks { code } } #${'x'.repeat(DEFAULT_HTTP_LIMITS.maxBodyBytes)}` }),
      }),
      413,
      'REQUEST_TOO_LARGE',
    );
    const notFound = await expectRefusal(await fetch(hub.gatewayUrl.replace('/graphql', '/nope')), 404, 'NOT_FOUND');
    expect(notFound.extensions.endpoints).toEqual(['/graphql', '/health', '/ready']);
  });

  it('takes APPLICATION/JSON; Charset=UTF-8', async ({ hub }) => {
    const headers = { ...(await hub.headers(READER)), 'content-type': 'APPLICATION/JSON; Charset=UTF-8' };
    const res = await fetch(hub.gatewayUrl, { method: 'POST', headers, body: BANKS });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { banks: expect.any(Array) } });
  });

  it('refuses a missing token with 401, WWW-Authenticate and the envelope', async ({ hub }) => {
    const res = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: BANKS,
    });
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="ykt-hub"');
    await expectRefusal(res, 401, 'UNAUTHENTICATED');
  });
});

describe('authenticated on headers, before the body', () => {
  it('answers a stalled upload with a bad token 401 at once, and closes it', async ({ hub }) => {
    const { authorization: _good, ...headers } = await hub.headers(READER);
    const { text, ms } = await stalledRequest(
      hub.gateway.port,
      stalledPost({ ...headers, authorization: 'Bearer a.b.c' }),
    );
    expect(text).toMatch(/^HTTP\/1.1 401 /);
    expect(text).toContain('"code":"UNAUTHENTICATED"');
    expect(ms).toBeLessThan(2_000);
  });

  it('answers a stalled upload without a purpose 400 at once', async ({ hub }) => {
    const { 'x-purpose': _purpose, ...headers } = await hub.headers(READER);
    const { text, ms } = await stalledRequest(hub.gateway.port, stalledPost(headers));
    expect(text).toMatch(/^HTTP\/1.1 400 /);
    expect(text).toContain('X-Purpose');
    expect(ms).toBeLessThan(2_000);
  });

  describe('with short timeouts', () => {
    let gateway: RunningGateway;
    it.beforeAll(async ({ hub }) => {
      gateway = await startGateway(
        { ...hub.gatewayConfig(), http: { ...DEFAULT_HTTP_LIMITS, headersTimeoutMs: 400, requestTimeoutMs: 800 } },
        { database: hub.gateway.database },
      );
    });
    it.afterAll(async () => gateway?.close());

    it('cuts a stalled upload with a valid token within the request timeout', async ({ hub }) => {
      const { text, ms } = await stalledRequest(gateway.port, stalledPost(await hub.headers(READER)));
      expect(text).toMatch(/^HTTP\/1.1 408 /);
      expect(text).toContain('"code":"REQUEST_TIMEOUT"');
      expect(ms).toBeGreaterThanOrEqual(700);
      expect(ms).toBeLessThan(2_500);
    });

    it('cuts a connection whose headers stall within the headers timeout', async () => {
      const { text, ms } = await stalledRequest(gateway.port, 'POST /graphql HTTP/1.1\r\nhost: localhost\r\n');
      expect(text).toMatch(/^HTTP\/1.1 408 /);
      expect(ms).toBeLessThan(2_000);
    });
  });
});

describe('token lifetimes', () => {
  it('accepts a token issued now for an hour, and one issued a little ahead within the leeway', async ({ hub }) => {
    expect((await withToken(hub, await sign({ iat: now(), exp: now() + 3600 }))).status).toBe(200);
    expect((await withToken(hub, await sign({ iat: now() + 10, exp: now() + 3600 }))).status).toBe(200);
    expect((await withToken(hub, await sign({ iat: now(), exp: now() + 24 * 3600 }))).status).toBe(200);
  });

  it('refuses a token that lives longer than the maximum: exp 10^20 s away, or a day and a second', async ({ hub }) => {
    const far = await expectRefusal(
      await withToken(hub, await sign({ iat: now(), exp: now() + 1e20 })),
      401,
      'UNAUTHENTICATED',
    );
    expect(far.message).toMatch(/lives longer than the hub allows/);
    await expectRefusal(
      await withToken(hub, await sign({ iat: now(), exp: now() + 24 * 3600 + 1 })),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('refuses a token without iat', async ({ hub }) => {
    const error = await expectRefusal(await withToken(hub, await sign({ exp: now() + 3600 })), 401, 'UNAUTHENTICATED');
    expect(error.message).toMatch(/iat/);
  });

  it('refuses a token issued in the future beyond the clock leeway', async ({ hub }) => {
    const error = await expectRefusal(
      await withToken(hub, await sign({ iat: now() + 3600, exp: now() + 7200 })),
      401,
      'UNAUTHENTICATED',
    );
    expect(error.message).toMatch(/iat claim is in the future/);
  });
});
