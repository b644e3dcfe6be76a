// How the gateway talks to one subgraph: every call carries the caller the gateway established, signed with
// the secret the subgraphs share (they refuse anything else). Each answer's report of the holders it served goes
// to the request's audit record, never to the client.
//
// A subgraph that fails (unreachable, too slow, answering 5xx, its circuit open) is reported to the caller as
// SUBGRAPH_UNAVAILABLE naming the department's service; one that refuses the hub's call (4xx) as
// INTERNAL_SERVER_ERROR naming it. Nothing of the subgraph's answer (its URL, status or body) reaches the
// caller; the log gets the cause. Each subgraph has a circuit breaker (opossum): after repeated failures calls
// fail at once instead of each waiting out its timeout, and after `breakerResetMs` one call probes whether the
// subgraph is back (half-open).
//
// RemoteGraphQLDataSource.process does the call, through its hooks: willSendRequest adds the caller, the fetcher
// (subgraph-fetch.ts, behind the breaker) signs the body as it leaves and sends it, didReceiveResponse takes the
// access report out, didEncounterError turns any failure into a coded error.
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import CircuitBreaker from 'opossum';
import { ErrorCode, hubError, logBounded } from '../../core/protocol/errors.js';
import { CALLER_HEADER } from '../../core/protocol/gateway-proof.js';
import { collectAccess } from '../audit/access-collector.js';
import type { GatewayContext } from '../caller.js';
import {
  DEFAULT_CALL_SETTINGS,
  isRead,
  isReadDocument,
  signingSubgraphFetcher,
  SubgraphCallError,
  type SubgraphCallInit,
  type SubgraphCallSettings,
  type SubgraphResponse,
} from './subgraph-fetch.js';

type ReceivedResponse = Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0];

/**
 * The breaker opens when more than half the reads of the last 10 s failed (no connection, no answer in time, a
 * 5xx; a 4xx or a GraphQL error is an answer), once at least `breakerMinCalls` (20) were made: a few slow calls
 * among few, say one client's heavy queries on a quiet hour, are not a subgraph down.
 */
const BREAKER: CircuitBreaker.Options = {
  // The fetcher's own timeout ends the call (and frees its socket); opossum's would only stop waiting for it.
  timeout: false,
  errorThresholdPercentage: 50,
  rollingCountTimeout: 10_000,
  rollingCountBuckets: 10,
};

/** Failures that happen before a call leaves: a mutation failing so did not run. */
const NOT_SENT = new Set(['EOPENBREAKER', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly breaker: CircuitBreaker<[string, SubgraphCallInit?], SubgraphResponse>;

  constructor(
    readonly name: string,
    url: string,
    secret: string,
    settings: SubgraphCallSettings = DEFAULT_CALL_SETTINGS,
  ) {
    const fetcher = signingSubgraphFetcher(secret, settings);
    // A 5xx is a failure of the subgraph, counted by the breaker; a 4xx is its answer to this call.
    const send = async (url: string, init?: SubgraphCallInit) => {
      const response = await fetcher(url, init);
      if (response.status >= 500) throw new SubgraphCallError(`answered ${response.status}`, 'SUBGRAPH_5XX');
      return response;
    };
    const breaker = new CircuitBreaker(send, {
      ...BREAKER,
      volumeThreshold: settings.breakerMinCalls ?? DEFAULT_CALL_SETTINGS.breakerMinCalls,
      resetTimeout: settings.breakerResetMs,
      name,
    });
    // Reads go through the breaker and alone decide it. A mutation is refused while the circuit is open (the
    // subgraph is known down: better not run than half run), else sent past it: a slow write (a 1,000-row batch)
    // then never counts toward opening it, and never is the half-open probe that reads wait on.
    const call = (url: string, init?: SubgraphCallInit) => {
      if (isRead(init?.body ?? '')) return breaker.fire(url, init);
      if (breaker.opened) return Promise.reject(new SubgraphCallError('circuit open', 'EOPENBREAKER'));
      return send(url, init);
    };
    // Keep-alive connections to the subgraph (subgraph-fetch.ts); the signature is added as the call leaves.
    super({ url, fetcher: call as unknown as RemoteGraphQLDataSource['fetcher'] });
    this.breaker = breaker;
    breaker.on('open', () => console.error(`subgraph ${name}: circuit open, failing its calls at once`));
    breaker.on('halfOpen', () => console.error(`subgraph ${name}: circuit half-open, probing`));
    breaker.on('close', () => console.error(`subgraph ${name}: circuit closed, calls resumed`));
  }

  /** Whether calls to this subgraph are being failed at once (its circuit is open). */
  get failingFast(): boolean {
    return this.breaker.opened;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Every operation runs with an established caller (gateway/context.ts); without one (a health check, schema
    // loading), nothing is sent.
    if (!context?.caller || !context.callerHeader) throw new Error(`no caller for a call to ${this.name}`);
    request.http!.headers.set(CALLER_HEADER, context.callerHeader);
  }

  override didReceiveResponse({ response, context }: ReceivedResponse) {
    collectAccess(context.audit, response.extensions);
    return response;
  }

  override didEncounterError(
    error: Error,
    _fetchRequest: unknown,
    response?: { status?: number },
    _context?: unknown,
    request?: { query?: string },
  ): never {
    const serviceName = this.name;
    const code = (error as { code?: string }).code ?? '';
    if (response === undefined) {
      // An open circuit is logged once, when it opens, not for every call it refuses.
      if (code !== 'EOPENBREAKER')
        console.error(`subgraph ${serviceName} unreachable:`, logBounded(describeCause(error)));
      // A mutation that left and got no answer may have committed: the caller cannot know, and is told so. Its
      // idempotency key makes the retry safe (a committed step answers as it did, a lost one runs).
      if (!isReadDocument(request?.query ?? '') && !NOT_SENT.has(code)) {
        const timedOut = code === 'SUBGRAPH_TIMEOUT';
        throw hubError(
          timedOut ? ErrorCode.SUBGRAPH_TIMEOUT : ErrorCode.SUBGRAPH_UNAVAILABLE,
          `The ${serviceName} service ${timedOut ? 'did not answer in time' : 'failed'}; the write may or may not have been made: retry it with the same idempotencyKey`,
          { serviceName, outcomeUnknown: true },
        );
      }
      throw hubError(ErrorCode.SUBGRAPH_UNAVAILABLE, `The ${serviceName} service is unavailable; try again shortly`, {
        serviceName,
      });
    }
    // The subgraph answered, but refused the call (a signature it did not accept, a request it could not take) or
    // sent what is not a GraphQL answer: the hub's own fault, not the caller's.
    console.error(
      `subgraph ${serviceName} refused the call (${response.status ?? 'no status'}):`,
      logBounded(describeCause(error, response.status)),
    );
    throw hubError(ErrorCode.INTERNAL_SERVER_ERROR, `The ${serviceName} service could not answer`, { serviceName });
  }
}

/**
 * The cause of a failed call for the log: its code and message, and a refusing subgraph's error codes. Its
 * messages only for 401 and 403, which are ours (core/http.ts RefusedRequest, naming the reason): another 4xx
 * may quote a variable's value, and variables hold ID numbers.
 */
function describeCause(error: Error, status?: number): string {
  const code = (error as { code?: unknown }).code;
  const body = (error as { extensions?: { response?: { body?: unknown } } }).extensions?.response?.body;
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  const refusals = Array.isArray(errors)
    ? (errors as { message?: unknown; extensions?: { code?: unknown } }[])
        .map((e) => (status === 401 || status === 403 ? String(e.message) : String(e.extensions?.code ?? 'error')))
        .join('; ')
    : '';
  return [typeof code === 'string' ? code : '', error.message, refusals].filter(Boolean).join(': ');
}
