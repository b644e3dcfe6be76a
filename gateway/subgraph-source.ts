// How the gateway talks to one subgraph: every call carries the caller the gateway established, signed with
// the secret the subgraphs share (they refuse anything else). A subgraph that cannot be reached is reported to
// the caller as SUBGRAPH_UNAVAILABLE, naming the department's service, rather than as an anonymous internal error.
// Each answer's report of the holders it served goes to the request's audit record, never to the client.
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ErrorCode, hubError } from '../subgraphs/shared/errors.js';
import { CALLER_HEADER, encodeClaims } from '../subgraphs/shared/gateway-proof.js';
import { collectAccess } from './audit/access-collector.js';
import type { GatewayContext } from './caller.js';
import { signingSubgraphFetcher } from './subgraph-fetch.js';

export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(readonly name: string, url: string, secret: string) {
    // Keep-alive connections to the subgraph (subgraph-fetch.ts); the signature is added as the call leaves.
    super({ url, fetcher: signingSubgraphFetcher(secret) as unknown as RemoteGraphQLDataSource['fetcher'] });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const caller = context?.caller;
    // Every operation runs with an established caller (gateway/context.ts); without one, nothing is sent.
    if (!caller) throw new Error(`no caller for a call to ${this.name}`);
    request.http!.headers.set(
      CALLER_HEADER,
      encodeClaims({
        requestId: caller.requestId,
        client: caller.client.id,
        kind: caller.client.kind,
        city: caller.client.city,
        domain: caller.client.domain,
        purpose: caller.purpose,
        operator: caller.operator,
        caseRef: caller.caseRef,
      }),
    );
  }

  override didReceiveResponse({ response, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0]) {
    if (context) collectAccess(context, response.extensions);
    return response;
  }

  override didEncounterError(error: Error, _request: unknown, response: unknown): never {
    if (response === undefined) {
      console.error(`subgraph ${this.name} unreachable:`, error.message);
      throw hubError(ErrorCode.SUBGRAPH_UNAVAILABLE, `The ${this.name} service is unavailable; try again shortly`, { serviceName: this.name });
    }
    throw error;
  }
}
