// How the gateway talks to one subgraph. A subgraph that cannot be reached is reported to the caller as
// SUBGRAPH_UNAVAILABLE, naming the department's service, rather than as an anonymous internal error.
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import { ErrorCode, hubError } from '../subgraphs/shared/errors.js';

export class SubgraphDataSource extends RemoteGraphQLDataSource {
  constructor(readonly name: string, url: string) {
    super({ url });
  }

  override didEncounterError(error: Error, _request: unknown, response: unknown): never {
    if (response === undefined) {
      console.error(`subgraph ${this.name} unreachable:`, error.message);
      throw hubError(ErrorCode.SUBGRAPH_UNAVAILABLE, `The ${this.name} service is unavailable; try again shortly`, { serviceName: this.name });
    }
    throw error;
  }
}
