// How the gateway talks to one subgraph: every call carries the caller the gateway established, signed with
// the secret the subgraphs share (they refuse anything else). A subgraph that cannot be reached is reported to
// the caller as SUBGRAPH_UNAVAILABLE, naming the department's service, rather than as an anonymous internal error.
// Each answer's report of the holders it served goes to the request's audit record, never to the client.
//
// RemoteGraphQLDataSource.process does the call, through its hooks: willSendRequest adds the caller, the fetcher
// (subgraph-fetch.ts) signs the body as it leaves and sends it, didReceiveResponse takes the access report out,
// didEncounterError names an unreachable subgraph.
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ErrorCode, hubError } from '../../core/protocol/errors.js';
import { CALLER_HEADER } from '../../core/protocol/gateway-proof.js';
import { collectAccess } from '../audit/access-collector.js';
import type { GatewayContext } from '../caller.js';
import { signingSubgraphFetcher } from './subgraph-fetch.js';

type ReceivedResponse = Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0];

export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly name: string,
    url: string,
    secret: string,
  ) {
    // Keep-alive connections to the subgraph (subgraph-fetch.ts); the signature is added as the call leaves.
    super({ url, fetcher: signingSubgraphFetcher(secret) as unknown as RemoteGraphQLDataSource['fetcher'] });
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

  override didEncounterError(error: Error, _request: unknown, response: unknown): never {
    if (response === undefined) {
      console.error(`subgraph ${this.name} unreachable:`, error.message);
      throw hubError(ErrorCode.SUBGRAPH_UNAVAILABLE, `The ${this.name} service is unavailable; try again shortly`, {
        serviceName: this.name,
      });
    }
    throw error;
  }
}
