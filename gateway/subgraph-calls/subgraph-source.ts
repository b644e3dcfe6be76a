// How the gateway talks to one subgraph: every call carries the caller the gateway established, signed with
// the secret the subgraphs share (they refuse anything else). A subgraph that cannot be reached is reported to
// the caller as SUBGRAPH_UNAVAILABLE, naming the department's service, rather than as an anonymous internal error.
// Each answer's report of the holders it served goes to the request's audit record, never to the client.
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { ErrorCode, hubError } from '../../core/protocol/errors.js';
import { CALLER_HEADER, encodeClaims } from '../../core/protocol/gateway-proof.js';
import { collectAccess } from '../audit/access-collector.js';
import type { Caller, GatewayContext } from '../caller.js';
import { signingSubgraphFetcher, type SubgraphFetcher, type SubgraphResponse } from './subgraph-fetch.js';

// A request's caller travels in every one of its subgraph calls: encoded once per request, not per call.
const encodedCallers = new WeakMap<Caller, string>();
function encodedCaller(caller: Caller): string {
  let encoded = encodedCallers.get(caller);
  if (encoded === undefined) {
    encoded = encodeClaims({
      requestId: caller.requestId,
      client: caller.client.id,
      kind: caller.client.kind,
      city: caller.client.city,
      domain: caller.client.domain,
      purpose: caller.purpose,
      operator: caller.operator,
      caseRef: caller.caseRef,
    });
    encodedCallers.set(caller, encoded);
  }
  return encoded;
}

/** A Cache-Control header's directives, as RemoteGraphQLDataSource reads them. */
function cacheControlDirectives(header: string | null): Record<string, string | true> {
  const directives: Record<string, string | true> = {};
  if (!header) return directives;
  for (const part of header.trim().split(/\s*,\s*/)) {
    const [key, value] = part.split(/\s*=\s*/, 2) as [string, string | undefined];
    directives[key] = value === undefined ? true : value.replace(/^"|"$/g, '');
  }
  return directives;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly call: SubgraphFetcher;

  constructor(readonly name: string, url: string, secret: string) {
    // Keep-alive connections to the subgraph (subgraph-fetch.ts); the signature is added as the call leaves.
    const call = signingSubgraphFetcher(secret);
    super({ url, fetcher: call as unknown as RemoteGraphQLDataSource['fetcher'] });
    this.call = call;
  }

  /**
   * RemoteGraphQLDataSource.process as the gateway uses it (no automatic persisted queries), step for step, without
   * the node-fetch Headers and Request it builds for every call and its fetcher never reads (issue 6: a few per cent
   * of the gateway's CPU): the same body, headers, errors, response and cache-control hint.
   */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request, context } = options;
    const caller = context?.caller;
    // Every operation runs with an established caller (gateway/context.ts); without one, nothing is sent.
    if (!caller) throw new Error(`no caller for a call to ${this.name}`);
    if (!request.query) throw new Error('Missing query');
    const headers: Record<string, string> = {};
    for (const [name, value] of request.http?.headers ?? []) headers[name.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    headers[CALLER_HEADER] = encodedCaller(caller);
    const { http: _http, query, ...rest } = request;
    const body = JSON.stringify({ query, ...rest });
    let response: SubgraphResponse | undefined;
    let parsed: object | string;
    try {
      response = await this.call(this.url, { method: 'POST', headers, body });
      if (!response.ok) throw await this.errorFromResponse(response as never);
      parsed = await this.parseBody(response as never);
      if (!isObject(parsed)) throw new Error(`Expected JSON response body, but received: ${parsed}`);
    } catch (error) {
      this.didEncounterError(error as Error, undefined, response);
    }
    // `http` is what the fetcher answered, as RemoteGraphQLDataSource leaves it (nothing downstream reads it).
    const received = { ...parsed, http: response } as unknown as GatewayGraphQLResponse;
    collectAccess(context, received.extensions);
    // Operations' calls only (health checks and schema loading have no incoming request).
    const policy = 'incomingRequestContext' in options ? options.incomingRequestContext.overallCachePolicy : undefined;
    if (this.honorSubgraphCacheControlHeader && policy && 'restrict' in policy) {
      const directives = cacheControlDirectives(response.headers.get('cache-control'));
      const hint: { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } = { maxAge: 0 };
      const maxAge = directives['max-age'];
      if (typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge)) hint.maxAge = +maxAge;
      if (directives.private === true) hint.scope = 'PRIVATE';
      if (directives.public === true) hint.scope = 'PUBLIC';
      policy.restrict(hint);
    }
    return received;
  }

  override didEncounterError(error: Error, _request: unknown, response: unknown): never {
    if (response === undefined) {
      console.error(`subgraph ${this.name} unreachable:`, error.message);
      throw hubError(ErrorCode.SUBGRAPH_UNAVAILABLE, `The ${this.name} service is unavailable; try again shortly`, { serviceName: this.name });
    }
    throw error;
  }
}
