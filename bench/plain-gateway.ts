// The baseline: a plain @apollo/gateway over the same subgraphs, as anyone would write it. No authentication, no
// policy, no audit, no depth limit, no persisted queries, the default fetcher (make-fetch-happen).
//
// The one addition: the subgraphs answer signed calls only (core/protocol/gateway-proof.ts), so each subgraph
// call gets a fixed caller (the provincial platform serving the holder, as the bench's hub requests declare) and its
// HMAC signature, added by a thin wrapper that then hands the call to the default fetcher unchanged.
//
// Env: <DOMAIN>_URL for each subgraph, SUBGRAPH_SECRET, PLAIN_GATEWAY_PORT (0 picks a free port).
import { randomUUID } from 'node:crypto';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { readCommittedSupergraph } from '../schema/supergraph.js';
import { SUBGRAPHS } from '../schema/manifest.js';
import { readSubgraphSecret, readSubgraphUrl } from '../core/config.js';
import { CALLER_HEADER, encodeClaims, SIGNATURE_HEADER, signatureFor } from '../core/protocol/gateway-proof.js';
import { READER_CLAIMS } from '../test/support/queries.js';

process.env.APOLLO_TELEMETRY_DISABLED = '1';

const secret = readSubgraphSecret(process.env);
const urls = Object.fromEntries(SUBGRAPHS.map((s) => [s.name, readSubgraphUrl(process.env, s.name, s.defaultPort)]));

class SignedDataSource extends RemoteGraphQLDataSource {
  constructor(url: string) {
    super({ url });
    const fetcher = this.fetcher; // the default, make-fetch-happen
    this.fetcher = ((input: string, init: { method?: string; headers?: Record<string, string>; body?: string }) => {
      const caller = encodeClaims({ requestId: randomUUID(), ...READER_CLAIMS, operator: 'bench', caseRef: null });
      const target = new URL(input);
      const headers = {
        ...init.headers,
        [CALLER_HEADER]: caller,
        [SIGNATURE_HEADER]: signatureFor(secret, {
          method: init.method ?? 'POST',
          target: target.pathname + target.search,
          caller,
          body: init.body ?? '',
        }),
      };
      return fetcher(input, { ...init, headers } as Parameters<typeof fetcher>[1]);
    }) as typeof fetcher;
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: readCommittedSupergraph(),
  buildService: ({ name }) => new SignedDataSource(urls[name]!),
});
const server = new ApolloServer({ gateway, stopOnTerminationSignals: false });
const { url } = await startStandaloneServer(server, {
  listen: { host: '127.0.0.1', port: Number(process.env.PLAIN_GATEWAY_PORT ?? 0) },
});
console.log(`plain gateway on ${url}`);

const stop = () => {
  server.stop().finally(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
