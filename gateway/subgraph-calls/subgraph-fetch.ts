// The transport of the gateway's subgraph calls: node:http (or https) on keep-alive connections, each call signed
// as signingFetch signs it (core/protocol/gateway-proof.ts: the caller header it carries and the exact body).
// Not Node's fetch: for a JSON body of a few hundred bytes, WHATWG streams, abort signals and undici's iterable body
// writes (one writev per chunk) cost the gateway more CPU per subgraph call than the call's own work (about a
// fifth of the gateway's CPU under the bench). RemoteGraphQLDataSource reads only ok, status, statusText,
// url, headers.get(), json() and text() of what its fetcher returns, so that is what a call answers.
import http from 'node:http';
import https from 'node:https';
import { CALLER_HEADER, SIGNATURE_HEADER, signatureFor } from '../../core/protocol/gateway-proof.js';

/** As long as Node's fetch waits for a subgraph's headers and body by default. */
const CALL_TIMEOUT_MS = 300_000;

/**
 * Idle connections are closed before the subgraphs' own keep-alive timeout (5 s, core/http.ts) would
 * close them under a call just sent.
 */
const AGENT: http.AgentOptions = { keepAlive: true, scheduling: 'lifo', timeout: 4_000 };

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

/** A fetcher signing every call with `secret`; refuses a call that carries no CALLER_HEADER. */
export function signingSubgraphFetcher(secret: string): SubgraphFetcher {
  const agents = { 'http:': new http.Agent(AGENT), 'https:': new https.Agent(AGENT) };
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
    headers[SIGNATURE_HEADER] = signatureFor(secret, { method, target: target.path, caller, body });
    // Encoded once, for its length and the socket (a large body from JSON.stringify is a rope: measuring it and
    // writing it would flatten and encode it twice).
    const bytes = Buffer.from(body, 'utf8');
    headers['content-length'] = String(bytes.length);
    return new Promise<SubgraphResponse>((resolve, reject) => {
      const req = target.transport.request(
        { agent: target.agent, hostname: target.hostname, port: target.port, path: target.path, method, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.once('error', reject);
          res.once('end', () => {
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
      req.setTimeout(CALL_TIMEOUT_MS, () =>
        req.destroy(new Error(`no answer from ${url} within ${CALL_TIMEOUT_MS / 1000} s`)),
      );
      req.once('error', reject);
      req.end(bytes);
    });
  };
}
