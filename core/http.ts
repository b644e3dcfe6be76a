// A small node:http front for Apollo Server (no framework): GraphQL on /graphql, liveness on /health and
// readiness on /ready. The gateway and every subgraph serve through it. Whatever it refuses itself (a wrong method,
// a body too large, not JSON, or not received in time) is answered as a GraphQL error (http-answers.ts).
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { answerClientError, mediaTypeOf, RefusedRequest, sendRefusal } from './http-answers.js';
import { describeForLog, ErrorCode, logBounded } from './protocol/errors.js';
import { messageForLog, NotReadyError } from './readiness.js';

export { RefusedRequest } from './http-answers.js';

/** Connections waiting to be accepted, at most (net.core.somaxconn caps it). */
const LISTEN_BACKLOG = 4096;
/** How long `close()` lets requests in flight finish before cutting their connections. */
const DRAIN_TIMEOUT_MS = 5_000;
/** The longest log line an unexpected failure may write. */
const LOG_LIMIT = 2_000;
const ENDPOINTS = ['/graphql', '/health', '/ready'];

/** What a client may take of the server: a body's size, and time to send its headers and its whole request. */
export interface HttpLimits {
  maxBodyBytes: number;
  /** Headers not complete by then: the connection is answered 408 and closed. */
  headersTimeoutMs: number;
  /** The whole request (headers and body) not received by then: the same. At least `headersTimeoutMs`. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: 2 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

export interface HttpEndpoints<TContext extends BaseContext, TAuth = undefined> {
  apollo: ApolloServer<TContext>;
  /**
   * Checks a GraphQL request on its headers alone, before its body is read: the gateway authenticates the caller
   * here, so a caller without a valid token cannot hold the server with a slow upload. Throws a RefusedRequest to
   * refuse; what it returns reaches `context`.
   */
  admit?: (req: IncomingMessage) => Promise<TAuth>;
  /**
   * Checks a GraphQL request, with its raw body, before Apollo sees it: the subgraphs verify the gateway's
   * signature here. Throws a RefusedRequest to refuse; what it returns reaches `context`. (One of admit and
   * authorize: each is the source of `context`'s second argument.)
   */
  authorize?: (req: IncomingMessage, body: string) => TAuth;
  context: (req: IncomingMessage, auth: TAuth) => Promise<TContext>;
  /** Resolves with details when ready; rejects when not, with a NotReadyError naming the failing component. */
  ready: () => Promise<Record<string, unknown>>;
  limits?: Partial<HttpLimits>;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The client went away before its request was whole: nobody to answer. */
class ClientGone extends Error {}

const methodNotAllowed = (allow: string) =>
  new RefusedRequest(405, ErrorCode.METHOD_NOT_ALLOWED, `This path takes ${allow} requests only`, {
    headers: { allow },
  });

const tooLarge = (max: number) =>
  new RefusedRequest(413, ErrorCode.REQUEST_TOO_LARGE, `The request body is larger than ${max} bytes`);

/** The body, up to `max` bytes; past that, a 413 without reading further (the connection then closes). */
function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) return void chunks.push(chunk);
      done();
      req.pause();
      reject(tooLarge(max));
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onGone = () => {
      done();
      reject(new ClientGone());
    };
    req.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}

function parseJson(text: string): unknown {
  if (text === '') return undefined; // Apollo answers a missing body itself
  try {
    return JSON.parse(text);
  } catch {
    throw new RefusedRequest(400, ErrorCode.BAD_REQUEST, 'The request body is not valid JSON');
  }
}

async function serveGraphQL<TContext extends BaseContext, TAuth>(
  endpoints: HttpEndpoints<TContext, TAuth>,
  limits: HttpLimits,
  req: IncomingMessage,
  res: ServerResponse,
  search: string,
) {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') throw methodNotAllowed('GET, POST');
  const declared = Number(req.headers['content-length']);
  if (declared > limits.maxBodyBytes) throw tooLarge(limits.maxBodyBytes);
  const admitted = endpoints.admit ? await endpoints.admit(req) : (undefined as TAuth);
  // Media types are case-insensitive (RFC 9110): APPLICATION/JSON is JSON. Apollo checks a GET's content type itself.
  if (method === 'POST' && mediaTypeOf(req.headers['content-type']) !== 'application/json')
    throw new RefusedRequest(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Send the request body as application/json');
  const text = await readBody(req, limits.maxBodyBytes);
  const auth = endpoints.authorize ? endpoints.authorize(req, text) : admitted;
  const body = method === 'POST' ? parseJson(text) : undefined;
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const result = await endpoints.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers, search, body },
    context: () => endpoints.context(req, auth),
  });
  res.statusCode = result.status ?? 200;
  for (const [name, value] of result.headers) res.setHeader(name, value);
  if (result.body.kind === 'complete') {
    res.end(result.body.string);
  } else {
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

async function serveStatus(
  ready: () => Promise<Record<string, unknown>>,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
) {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed('GET, HEAD');
  if (path === '/health') return sendJson(res, 200, { status: 'ok' });
  try {
    return sendJson(res, 200, { status: 'ready', ...(await ready()) });
  } catch (error) {
    // The caller learns which component failed; the log gets the underlying error.
    const failure =
      error instanceof NotReadyError ? error : new NotReadyError('readiness check failed', messageForLog(error));
    console.error(`not ready: ${failure.detail}`);
    return sendJson(res, 503, { status: 'not ready', reason: failure.message });
  }
}

export async function listen<TContext extends BaseContext, TAuth = undefined>(
  endpoints: HttpEndpoints<TContext, TAuth>,
  port: number,
  host: string,
): Promise<RunningServer> {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...endpoints.limits };
  // Requests being answered, so that close() can let them finish: a mutation that commits must reach its caller.
  let inFlight = 0;
  let closed: Promise<void> | undefined;
  let drained: (() => void) | undefined;
  // The response under way on each connection, so that a parser error on it does not write over our answer.
  const answering = new WeakMap<Socket, ServerResponse>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    answering.set(req.socket, res);
    res.once('close', () => {
      answering.delete(req.socket);
      if (--inFlight === 0) drained?.();
    });
    // While closing, keep-alive clients are told to take their next request elsewhere.
    if (closed) res.setHeader('connection', 'close');
    const handle = async () => {
      // Inside the catch below: a request target URL cannot parse (`//%`) is the client's mistake, not a crash.
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://localhost');
      } catch {
        throw new RefusedRequest(400, ErrorCode.BAD_REQUEST, 'The request target is not a valid path');
      }
      if (url.pathname === '/graphql') return serveGraphQL(endpoints, limits, req, res, url.search);
      if (url.pathname === '/health' || url.pathname === '/ready')
        return serveStatus(endpoints.ready, req, res, url.pathname);
      throw new RefusedRequest(404, ErrorCode.NOT_FOUND, `Nothing here: this server answers ${ENDPOINTS.join(', ')}`, {
        extensions: { endpoints: ENDPOINTS },
      });
    };
    handle().catch((error: unknown) => {
      if (error instanceof ClientGone || res.headersSent || res.destroyed) return void res.destroy();
      // Refused before the body was read through: the connection closes with the answer, rather than wait on it.
      if (error instanceof RefusedRequest) return sendRefusal(req, res, error, !req.complete);
      console.error(`request failed: ${logBounded(describeForLog(error), LOG_LIMIT)}`);
      sendRefusal(req, res, new RefusedRequest(500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error'), true);
    });
  };
  const server: Server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks both timeouts on this interval (30 s by default, which would double them).
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    handler,
  );
  // A hub restarted in a loop must not pile up sockets from keep-alive clients.
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
    answerClientError(error, socket, answering.get(socket)?.headersSent ?? false),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Node's default backlog (511) overflows when a burst of clients connects at once (1,000 concurrent requests
    // counted ~1,800 ListenOverflows): the kernel drops their handshakes and they retry seconds later, or are reset.
    // The kernel caps it at net.core.somaxconn (4096 on current Linux).
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  // Stop accepting connections, drop the idle ones, let requests in flight finish (for a while), then cut
  // whatever is left.
  const close = async () => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        drained = resolve;
        timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
      });
      clearTimeout(timer);
    }
    server.closeAllConnections();
    await stopped;
  };
  return {
    url: `http://${host}:${bound}/graphql`,
    port: bound,
    close: () => (closed ??= close()), // closing again waits for the first close
  };
}
