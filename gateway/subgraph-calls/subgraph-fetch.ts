// The transport of the gateway's subgraph calls: node:http (or https) on keep-alive connections, each call signed
// as signingFetch signs it (core/protocol/gateway-proof.ts: the caller header it carries and the exact body).
// Not Node's fetch: for a JSON body of a few hundred bytes, WHATWG streams, abort signals and undici's iterable body
// writes (one writev per chunk) cost the gateway more CPU per subgraph call than the call's own work (about a
// fifth of the gateway's CPU under the bench). RemoteGraphQLDataSource reads only ok, status, statusText,
// url, headers.get(), json() and text() of what its fetcher returns, so that is what a call answers.
//
// A call is bounded: at most `maxSockets` connections per subgraph (a frozen one cannot collect hundreds), and
// `timeoutMs` (a mutation: `mutationTimeoutMs`) from the call to the end of its answer, waiting for a socket
// included. It is signed when it gets its socket, not when it was asked for, so a call that queued behind others
// still carries a fresh signature.
import http from 'node:http';
import https from 'node:https';
import { CALLER_HEADER, SIGNATURE_HEADER, signatureFor } from '../../core/protocol/gateway-proof.js';

export interface SubgraphCallSettings {
  /** From the call to the end of its answer, waiting for a socket included: a query's (an entity fetch's too). */
  timeoutMs: number;
  /**
   * The same for a mutation (DEFAULT_CALL_SETTINGS when not given). Longer: a batch write (1,000 rides) takes
   * longer than a read, and a mutation cut short may still commit, so its outcome is then unknown to the caller.
   */
  mutationTimeoutMs?: number;
  /** Open connections to the subgraph at most; calls beyond wait for one. */
  maxSockets: number;
  /** How long an open circuit fails calls at once before one call probes the subgraph again (subgraph-source.ts). */
  breakerResetMs: number;
  /** Calls in the breaker's 10 s window before its failure rate may open it (DEFAULT_CALL_SETTINGS when not given). */
  breakerMinCalls?: number;
}

export const DEFAULT_CALL_SETTINGS: Required<SubgraphCallSettings> = {
  timeoutMs: 5_000,
  mutationTimeoutMs: 30_000,
  maxSockets: 64,
  breakerResetMs: 1_000,
  breakerMinCalls: 20,
};

/** A call that failed on the way, with a code of its own (SUBGRAPH_TIMEOUT) or the socket's (ECONNREFUSED, …). */
export class SubgraphCallError extends Error {
  override name = 'SubgraphCallError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface SubgraphCallInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface SubgraphResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export type SubgraphFetcher = (url: string, init?: SubgraphCallInit) => Promise<SubgraphResponse>;

interface Target {
  transport: typeof http | typeof https;
  agent: http.Agent;
  hostname: string;
  port: string;
  path: string;
}

/**
 * A query (or an entity fetch, also a query) may be sent again; a mutation never is. The gateway's data source
 * writes the document first (`{"query":"…`), so its first word says which; anything else is not retried,
 * and has the mutation's time limit.
 */
export const isRead = (body: string) => /^\{"query":"(?:\s|\\n)*(?:query\b|\{)/.test(body);

/** The same for the document itself (the one the gateway writes for a subgraph: no comment before it). */
export const isReadDocument = (query: string) => /^\s*(?:query\b|\{)/.test(query);

/**
 * A connection the subgraph closed while it lay idle in the pool (a subgraph restarted, its keep-alive ended):
 * the call never reached a live server, and a fresh connection will.
 */
const staleConnection = (error: NodeJS.ErrnoException, reused: boolean) =>
  reused && (error.code === 'ECONNRESET' || error.code === 'EPIPE');

/** A fetcher signing every call with `secret`; refuses a call that carries no CALLER_HEADER. */
export function signingSubgraphFetcher(
  secret: string,
  settings: SubgraphCallSettings = DEFAULT_CALL_SETTINGS,
): SubgraphFetcher {
  // Idle connections are closed before the subgraphs' own keep-alive timeout (5 s, core/http.ts) would close them
  // under a call just sent.
  const agentOptions: http.AgentOptions = {
    keepAlive: true,
    scheduling: 'lifo',
    timeout: 4_000,
    maxSockets: settings.maxSockets,
  };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };
  // A data source calls one URL: parsed once, not per call.
  const targets = new Map<string, Target>();
  const targetOf = (url: string): Target => {
    let target = targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
        throw new Error(`a subgraph URL must be http or https, not ${parsed.protocol}`);
      target = {
        transport: parsed.protocol === 'https:' ? https : http,
        agent: agents[parsed.protocol],
        // node:http wants an IPv6 literal without its brackets.
        hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: parsed.port,
        path: parsed.pathname + parsed.search,
      };
      if (targets.size < 64) targets.set(url, target);
    }
    return target;
  };

  return (url, init = {}) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;
    const caller = headers[CALLER_HEADER];
    if (!caller) return Promise.reject(new Error(`a subgraph call must carry ${CALLER_HEADER}`));
    let target: Target;
    try {
      target = targetOf(url);
    } catch (error) {
      return Promise.reject(error);
    }
    const method = (init.method ?? 'GET').toUpperCase();
    const body = typeof init.body === 'string' ? init.body : '';
    // Encoded once, for its length and the socket (a large body from JSON.stringify is a rope: measuring it and
    // writing it would flatten and encode it twice).
    const bytes = Buffer.from(body, 'utf8');
    headers['content-length'] = String(bytes.length);
    const read = isRead(body);
    const timeoutMs = read
      ? settings.timeoutMs
      : (settings.mutationTimeoutMs ?? DEFAULT_CALL_SETTINGS.mutationTimeoutMs);
    const deadline = Date.now() + timeoutMs;
    const sign = () => signatureFor(secret, { method, target: target.path, caller, body });
    const call = (fresh: boolean): Promise<SubgraphResponse> =>
      new Promise<SubgraphResponse>((resolve, reject) => {
        let answered = false;
        const req = target.transport.request(
          // `agent: false`: a connection of its own, outside the pool whose idle connections turned out stale.
          {
            agent: fresh ? false : target.agent,
            hostname: target.hostname,
            port: target.port,
            path: target.path,
            method,
            headers,
          },
          (res) => {
            answered = true;
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.once('error', fail);
            res.once('end', () => {
              clearTimeout(timer);
              const text = Buffer.concat(chunks).toString('utf8');
              const status = res.statusCode ?? 0;
              const received = res.headers;
              resolve({
                ok: status >= 200 && status < 300,
                status,
                statusText: res.statusMessage ?? '',
                url,
                headers: {
                  get(name) {
                    const value = received[name.toLowerCase()];
                    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
                  },
                },
                text: async () => text,
                json: async () => JSON.parse(text) as unknown,
              });
            });
          },
        );
        function fail(error: NodeJS.ErrnoException) {
          clearTimeout(timer);
          if (!answered && !fresh && staleConnection(error, req.reusedSocket) && read && Date.now() < deadline)
            return resolve(call(true));
          reject(error);
        }
        const timer = setTimeout(
          () => req.destroy(new SubgraphCallError(`no answer within ${timeoutMs} ms`, 'SUBGRAPH_TIMEOUT')),
          Math.max(0, deadline - Date.now()),
        );
        req.once('error', fail);
        // Signed when the call has its socket: after any wait for one, right before its bytes leave.
        req.once('socket', () => {
          req.setHeader(SIGNATURE_HEADER, sign());
          req.end(bytes);
        });
      });
    return call(false);
  };
}
