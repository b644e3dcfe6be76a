// A small node:http front for Apollo Server (no framework): GraphQL on /graphql, liveness on /health and
// readiness on /ready. The gateway and every subgraph serve through it.
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageForLog, NotReadyError } from './readiness.js';

const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** How long `close()` lets requests in flight finish before cutting their connections. */
const DRAIN_TIMEOUT_MS = 5_000;

export interface HttpEndpoints<TContext extends BaseContext, TAuth = undefined> {
  apollo: ApolloServer<TContext>;
  /**
   * Checks a GraphQL request, with its raw body, before Apollo sees it: the subgraphs verify the gateway's
   * signature here. Throws a RefusedRequest to refuse; what it returns reaches `context`.
   */
  authorize?: (req: IncomingMessage, body: string) => TAuth;
  context: (req: IncomingMessage, auth: TAuth) => Promise<TContext>;
  /** Resolves with details when ready; rejects when not, with a NotReadyError naming the failing component. */
  ready: () => Promise<Record<string, unknown>>;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A GraphQL request refused before execution: answered as a GraphQL error with a code and an HTTP status. */
export class RefusedRequest extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(req: IncomingMessage, text: string): unknown {
  if (text === '') return undefined;
  if (!(req.headers['content-type'] ?? '').includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function serveGraphQL<TContext extends BaseContext, TAuth>(
  endpoints: HttpEndpoints<TContext, TAuth>,
  req: IncomingMessage,
  res: ServerResponse,
  search: string,
) {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const text = await readBody(req);
  let auth: TAuth;
  try {
    auth = endpoints.authorize ? endpoints.authorize(req, text) : (undefined as TAuth);
  } catch (error) {
    if (!(error instanceof RefusedRequest)) throw error;
    return sendJson(res, error.status, { errors: [{ message: error.message, extensions: { code: error.code } }] });
  }
  const body = parseBody(req, text);
  const result = await endpoints.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search, body },
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

export async function listen<TContext extends BaseContext, TAuth = undefined>(
  endpoints: HttpEndpoints<TContext, TAuth>,
  port: number,
  host: string,
): Promise<RunningServer> {
  // Requests being answered, so that close() can let them finish: a mutation that commits must reach its caller.
  let inFlight = 0;
  let closed: Promise<void> | undefined;
  let drained: (() => void) | undefined;
  const server: Server = createServer((req, res) => {
    inFlight++;
    res.once('close', () => {
      if (--inFlight === 0) drained?.();
    });
    // While closing, keep-alive clients are told to take their next request elsewhere.
    if (closed) res.setHeader('connection', 'close');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const handle = async () => {
      if (url.pathname === '/graphql') return serveGraphQL(endpoints, req, res, url.search);
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
      if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/ready') {
        try {
          return sendJson(res, 200, { status: 'ready', ...(await endpoints.ready()) });
        } catch (error) {
          // The caller learns which component failed; the log gets the underlying error.
          const failure =
            error instanceof NotReadyError ? error : new NotReadyError('readiness check failed', messageForLog(error));
          console.error(`not ready: ${failure.detail}`);
          return sendJson(res, 503, { status: 'not ready', reason: failure.message });
        }
      }
      return sendJson(res, 404, { error: 'not found', endpoints: ['/graphql', '/health', '/ready'] });
    };
    handle().catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof HttpError) return sendJson(res, error.status, { error: error.message });
      console.error('request failed', error);
      sendJson(res, 500, { error: 'internal server error' });
    });
  });
  // A hub restarted in a loop must not pile up sockets from keep-alive clients.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
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
